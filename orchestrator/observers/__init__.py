"""The observers' side: the index of every event, and the results, reports and checks read from it."""
