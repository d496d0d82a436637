"""The observers' indexer: every event of the suite, read with bounded adaptive eth_getLogs ranges,
stored in SQLite or PostgreSQL, kept consistent across chain reorganisations and crashes."""
