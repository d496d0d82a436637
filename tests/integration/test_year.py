"""A year of a consortium through the CLI (tests/integration/year.py): every step's outcome, and no command
printed a traceback or a warning."""

import json
import threading
import time
import urllib.request
from contextlib import contextmanager

import pytest
from eth_account import Account

from orchestrator.commands.relay import _submit_loop
from orchestrator.web import relay as relay_api
from orchestrator.web import serving
from tests.integration.test_relayer import relayer_for
from tests.integration.year import live_a_year


@pytest.fixture
def light_keystores(monkeypatch):
    """72 wallets at scrypt's full cost (n=2^18, about 0.5 s per encryption and per unlock) would spend minutes
    on key derivation alone; the keystores here are test-only, so a light cost keeps the year about the CLI."""
    encrypt = Account.encrypt
    monkeypatch.setattr(Account, "encrypt",
                        staticmethod(lambda key, password, kdf=None, iterations=None:
                                     encrypt(key, password, kdf=kdf, iterations=2**10)))


@contextmanager
def relay_over_http(year):
    """The relay API as `consortium relay serve` runs it (endpoint and background submissions); yields `post`,
    which sends a ballot file as `curl -H 'Content-Type: application/json' --data @FILE …/ballots` does. On
    leaving, every posted ballot has been included."""
    relayer = relayer_for(year.cli)
    stop = threading.Event()
    submitter = threading.Thread(target=_submit_loop, args=(relayer, 0.2, stop), daemon=True)
    submitter.start()
    posted = []
    try:
        with serving.running(relay_api.app(relayer), relay_api.MAX_BODY) as base:
            def post(path):
                request = urllib.request.Request(f"{base}/ballots", data=path.read_bytes(),
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request) as response:
                    assert response.status == 202
                    posted.append(json.loads(response.read())["id"])

            yield post
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                statuses = [relayer.store.get(i).status for i in posted]
                if all(s == "included" for s in statuses):
                    break
                time.sleep(0.2)
            assert statuses == ["included"] * len(posted), statuses
    finally:
        stop.set()
        submitter.join()


def test_a_year_of_a_consortium_through_the_cli(cli, light_keystores):
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'consortium.db'}"  # the relay's and the index's database
    year = live_a_year(cli, relay_over_http)
    assert year.commands > 0
