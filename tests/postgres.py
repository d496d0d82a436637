"""A real PostgreSQL server for the tests that need one: Debian's `postgresql` (make test installs it),
one throwaway cluster per test session on a loopback port, a fresh database per test.

Use it by importing the fixtures into a test module: `from tests.postgres import postgres_database,
postgres_server` gives it the fixtures `postgres` (the server) and `postgres_url` (a fresh database).
PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` system user."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest


def _initdb() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL is not installed: `make test` installs Debian's postgresql package")
    return Path(found[-1])  # the newest major version


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A cluster in a temporary directory: data, log and unix socket all inside it, TCP on 127.0.0.1 only,
    trusting local connections (nothing but this machine's loopback can reach it)."""

    def __init__(self):
        self.bin = _initdb().parent
        self.dir = Path(tempfile.mkdtemp(prefix="consortium-pg-"))
        self.data, self.log = self.dir / "data", self.dir / "server.log"
        self.port = 0  # chosen by start()
        self.user = "postgres"
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self._as_owner = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as_owner, *args], capture_output=True, text=True)
        if done.returncode:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed: {done.stdout}{done.stderr}{log}")

    def start(self) -> PostgresServer:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8",
                  "--no-sync")
        # The port is chosen once initdb is done, and again if another process took it before the server bound it:
        # a free port is only free until someone binds it (the other xdist worker starts devnets meanwhile).
        attempts = 5
        while True:
            self.port = _free_port()
            # fsync off: a crashed test cluster is thrown away anyway, and it makes every commit cheap.
            options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-o", options,
                          "start")
                return self
            except RuntimeError as exc:
                attempts -= 1
                if "could not bind" not in str(exc) or not attempts:
                    raise

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run([*self._as_owner, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                            "-w", "stop"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres", autocommit=True)

    def create_database(self) -> str:
        name = f"test_{uuid.uuid4().hex[:16]}"
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        """Dropped even while the process's engines still hold connections to it (they are ended)."""
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def connections(self, database: str) -> int:
        """Client connections the server holds to `database` now."""
        with self._admin() as admin:
            return admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (database,)).fetchone()[0]


@pytest.fixture(scope="session", name="postgres")
def postgres_server():
    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(name="postgres_url")
def postgres_database(postgres):
    """The URL of a database of this test's own, as a user would give it (postgresql://…)."""
    name = postgres.create_database()
    yield postgres.url(name)
    postgres.drop_database(name)
