"""`index --verify` over a tampered copy of a test's index: what the verify tests share."""

import sqlite3

from orchestrator.db import engine


def verify_tampered(cli, statement, tmp_path):
    """Copy the test's index (cli.dir/index.db), apply `statement` (it must change a row), run `index --verify`
    on the copy and return its result; the original index is left as it was."""
    copy = tmp_path / "tampered.db"
    with sqlite3.connect(cli.dir / "index.db") as source, sqlite3.connect(copy) as target:
        source.backup(target)
    url = f"sqlite:///{copy}"
    with engine(url).begin() as db:
        assert db.execute(statement).rowcount > 0
    return cli("index", "--verify", env={"CONSORTIUM_DB": url})
