"""Industry advisories as observers read them, on a real devnet: the AdvisoryRegistry's events indexed into
`advisories` and `advisory_changes` (and unwound with a reorg), `index --verify` naming each field it checks,
the JSON feed an exchange polls (every filter, its 400s, paging, incremental polling with `since`, ETag), the
CSV, one advisory's history, and the pages in Chromium: a retracted advisory shown as retracted, a pending one as
pending, untrusted text as text and evidence linked only when it is a web or IPFS address.

Advisories are filed by sending transactions with web3 from the members' seats (the node's unlocked accounts);
a confirmer is named by the timelock, impersonated on the devnet, which also publishes one itself."""

import json
import sqlite3
import urllib.error
import urllib.request

import pytest
from sqlalchemy import delete, select, update
from web3 import Web3

from orchestrator.chain.node import Devnet
from orchestrator.db import engine
from orchestrator.observers.indexer.schema import advisories, advisory_changes
from orchestrator.operations.deploy import contract
from orchestrator.web import dashboard, serving
from tests.browser import chromium_browser  # noqa: F401  (fixture browser)
from tests.integration.conftest import Cli
from tests.integration.test_indexer import derived_rows

MIXED = "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01"
SUBJECT = f"eip155:1:{MIXED}"
XSS = "Phishing site <script>alert(1)</script> & fake token"
KIND = {"scam": 0, "exploit": 1, "sanctions exposure": 2, "market manipulation": 3, "insolvency risk": 4,
        "other": 5}
SEVERITY = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def digest(text: str) -> bytes:
    return Web3.keccak(text=text)


@pytest.fixture(scope="module")
def devnet():
    """A chain of this module's own: its last test reorgs it."""
    with Devnet() as node:
        yield node


@pytest.fixture(scope="module")
def w3(devnet):
    return Web3(Web3.HTTPProvider(devnet.url))


class Chain:
    """The deployed suite's advisory registry, sent to from the node's unlocked accounts."""

    def __init__(self, cli: Cli, w3):
        self.cli, self.w3 = cli, w3
        node = w3.eth.accounts
        self.seats = {1: node[1], 2: node[2], 3: node[3], 4: node[4]}
        self.confirmer, self.subject = node[5], node[9]
        m = cli.deploy({node[1]: "founding", node[2]: "founding", node[3]: "regular", node[4]: "regular"})
        self.registry = contract(w3, "AdvisoryRegistry", m["contracts"]["AdvisoryRegistry"])
        self.timelock = m["contracts"]["TimelockController"]
        cli.rpc("anvil_impersonateAccount", self.timelock)
        cli.rpc("anvil_setBalance", self.timelock, hex(10**19))

    def send(self, call, sender: str):
        receipt = self.w3.eth.wait_for_transaction_receipt(call.transact({"from": sender}))
        assert receipt.status == 1
        return receipt

    def file(self, member: int, kind: str, severity: str, subject: str, summary: str, uri: str,
             account: str = "0x" + "00" * 20) -> int:
        self.send(self.registry.functions.file(KIND[kind], SEVERITY[severity], subject, account, summary, uri,
                                               digest(uri)), self.seats[member])
        return self.registry.functions.advisoryCount().call()

    def confirm(self, name: str, *args, by: str | None = None):
        return self.send(getattr(self.registry.functions, name)(*args), by or self.confirmer)


def story(chain: Chain) -> dict[str, int]:
    """Five advisories, one in each status, with a revision and replies of both kinds. Returns their ids."""
    chain.confirm("setConfirmer", chain.confirmer, True, by=chain.timelock)
    ids = {}
    ids["published"] = chain.file(1, "scam", "high", SUBJECT, XSS, "https://evidence.example/a1")
    chain.confirm("publish", ids["published"])
    chain.confirm("update", ids["published"], SEVERITY["critical"], "ipfs://bafy-a1-v2", digest("v2"),
                  "more victims")
    chain.confirm("recordReply", ids["published"], "https://subject.example/answer", digest("answer"))
    ids["retracted"] = chain.file(2, "exploit", "medium", "Shady Venue Ltd", "Drained its hot wallet",
                                  "ipfs://bafy-a2", account=chain.subject)
    chain.confirm("publish", ids["retracted"], by=chain.timelock)  # governance itself (a vote's execution)
    chain.send(chain.registry.functions.reply(ids["retracted"], "ipfs://bafy-reply", digest("reply")), chain.subject)
    chain.confirm("retract", ids["retracted"], "the exploit was the venue's own drill")
    ids["pending"] = chain.file(3, "market manipulation", "low", "eip155:1:0x" + "12" * 20, "Wash trading",
                                "https://evidence.example/a3")
    ids["dismissed"] = chain.file(1, "sanctions exposure", "critical", "Sanctioned Co", "Listed entity",
                                  "javascript:alert(1)")
    chain.confirm("dismiss", ids["dismissed"], "no evidence")
    ids["withdrawn"] = chain.file(2, "other", "low", "Someone", "Filed by mistake", "https://evidence.example/a5")
    chain.send(chain.registry.functions.withdraw(ids["withdrawn"]), chain.seats[2])
    return ids


@pytest.fixture(scope="module")
def site(devnet, w3, tmp_path_factory):
    """The story indexed, and the dashboard serving its index."""
    cli = Cli(devnet, tmp_path_factory.mktemp("advisories"), w3)
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'index.db'}"
    chain = Chain(cli, w3)
    ids = story(chain)
    cli.ok("index")
    with serving.running(dashboard.app(cli.env["CONSORTIUM_DB"]), dashboard.MAX_BODY) as url:
        yield cli, chain, ids, url


def get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode(), dict(response.headers)


def get_json(url: str):
    return json.loads(get(url)[1])


def refused(url: str) -> tuple[int, dict]:
    with pytest.raises(urllib.error.HTTPError) as err:
        get(url)
    return err.value.code, json.loads(err.value.read())


def test_the_registrys_events_are_indexed_as_filed_and_changed(site):
    cli, chain, ids, _ = site
    url = cli.env["CONSORTIUM_DB"]
    rows = derived_rows(url)
    assert len(rows["advisories"]) == 5 and len(rows["advisory_changes"]) == 8
    with engine(url).connect() as db:
        first = db.execute(select(advisories).where(advisories.c.advisory_id == ids["published"])).one()
        changes = db.execute(select(advisory_changes.c.change, advisory_changes.c.status,
                                    advisory_changes.c.old_status, advisory_changes.c.by_account,
                                    advisory_changes.c.revision, advisory_changes.c.severity,
                                    advisory_changes.c.old_severity, advisory_changes.c.reply_index,
                                    advisory_changes.c.by_subject, advisory_changes.c.uri, advisory_changes.c.text)
                             .where(advisory_changes.c.advisory_id == ids["published"])
                             .order_by(advisory_changes.c.block_number, advisory_changes.c.log_index)).all()
    assert (first.filer, first.kind, first.severity, first.subject, first.subject_key, first.subject_account,
            first.summary, first.evidence_uri, first.evidence_hash, first.subject_hash) == (
        1, "scam", "high", SUBJECT, SUBJECT.lower(), None, XSS, "https://evidence.example/a1",
        "0x" + digest("https://evidence.example/a1").hex().removeprefix("0x"),
        "0x" + digest(SUBJECT).hex().removeprefix("0x"))
    assert [tuple(c) for c in changes] == [
        ("status", "published", "pending", chain.confirmer, None, None, None, None, None, "", ""),
        ("updated", None, None, None, 1, "critical", "high", None, None, "ipfs://bafy-a1-v2", "more victims"),
        ("replied", None, None, None, None, None, None, 0, 0, "https://subject.example/answer", ""),
    ]
    assert "no differences" in cli.ok("index", "--verify")


def _changed(advisory_id: int, change: str):
    return (advisory_changes.c.advisory_id == advisory_id) & (advisory_changes.c.change == change)


# field -> (the tampering, given the story's ids; the whole difference --verify must report)
TAMPERED = {
    "count": (lambda i: delete(advisories).where(advisories.c.advisory_id == i["pending"]),
              "advisories: index says 4, chain says 5"),
    "filer": (lambda i: update(advisories).where(advisories.c.advisory_id == i["pending"]).values(filer=4),
              "advisory 3 filer: index says 4, chain says 3"),
    "kind": (lambda i: update(advisories).where(advisories.c.advisory_id == i["pending"]).values(kind="scam"),
             "advisory 3 kind: index says 'scam', chain says 'market manipulation'"),
    "status": (lambda i: delete(advisory_changes).where(_changed(i["retracted"], "status"),
                                                        advisory_changes.c.status == "retracted"),
               "advisory 2 status: index says 'published', chain says 'retracted'"),
    "severity": (lambda i: update(advisory_changes).where(_changed(i["published"], "updated")).values(severity="low"),
                 "advisory 1 severity: index says 'low', chain says 'critical'"),
    "revision": (lambda i: update(advisory_changes).where(_changed(i["published"], "updated")).values(revision=2),
                 "advisory 1 revision: index says 2, chain says 1"),
    "evidence hash": (lambda i: update(advisory_changes).where(_changed(i["published"], "updated"))
                      .values(content_hash="0x" + "00" * 32),
                      f"advisory 1 evidence hash: index says '0x{'00' * 32}', chain says '0x{digest('v2').hex()}'"),
    "decided at": (lambda i: delete(advisory_changes).where(_changed(i["dismissed"], "status")),
                   "advisory 4 decided at: index says None, chain says "),
    "replies": (lambda i: delete(advisory_changes).where(_changed(i["retracted"], "replied")),
                "advisory 2 replies: index says 0, chain says 1"),
}


@pytest.mark.parametrize("field", list(TAMPERED))
def test_verify_names_each_advisory_field_that_differs_from_the_chain(site, field, tmp_path):
    cli, _, ids, _ = site
    copy = tmp_path / "tampered.db"
    with sqlite3.connect(cli.dir / "index.db") as source, sqlite3.connect(copy) as target:
        source.backup(target)
    url = f"sqlite:///{copy}"
    tamper, expected = TAMPERED[field]
    with engine(url).begin() as db:
        assert db.execute(tamper(ids)).rowcount > 0
    result = cli("index", "--verify", env={"CONSORTIUM_DB": url})
    assert result.exit_code == 1, result.output
    differences = [line for line in result.output.splitlines() if line.startswith("  difference: ")]
    assert any(expected in line for line in differences), result.output
