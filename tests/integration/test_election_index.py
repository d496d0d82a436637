"""Elections as observers read them, on a real devnet: a council election driven with web3 (governance opens it,
members nominate themselves and one withdraws, the ballot proposal as the registry fixes it, approval ballots from
members' seats and through a relayer, the execution that seats the winners, the term's end that vacates them),
indexed at each step into elections, election_changes, candidates, election_ballots, approval_ballots and
approvals; `index --verify` over them (each rule seen red on a tampered copy); `results` on the ballot and a
member's participation; the transparency report's "Elections" section; /elections, /elections/ID and their JSON in
Chromium and over HTTP; and a reorg unwinding it all."""

import json
import re
import urllib.error
import urllib.request

import pytest
from sqlalchemy import delete, select, update
from web3.logs import DISCARD

from orchestrator.chain.wallet import Keystores
from orchestrator.db import engine
from orchestrator.observers import elections as observed
from orchestrator.observers.indexer.schema import (
    approval_ballots,
    approvals,
    ballots,
    candidates,
    election_ballots,
    election_changes,
    elections,
)
from orchestrator.observers.indexer.store import IndexStore
from orchestrator.observers.observatory import Observatory
from orchestrator.operations import elections as election_ops
from orchestrator.operations.deploy import contract
from orchestrator.relay import ballots as typed
from orchestrator.web import dashboard, serving
from tests.integration.conftest import PASSPHRASE, Cli
from tests.integration.tampering import verify_tampered

REGULAR = 1  # the regular tier's id
NOMINATIONS, TERM = 1_000, 5_000


def send(w3, account, fn) -> dict:
    tx = fn.build_transaction({"from": account.address, "nonce": w3.eth.get_transaction_count(account.address)})
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(
        account.sign_transaction(tx).raw_transaction))
    assert receipt["status"] == 1
    return receipt


def enact(cli, w3, account, governor, calls: list, description: str) -> int:
    """Propose `calls` ([(target, data)]) from `account`, vote them through with the founding members, queue and
    execute; returns the proposal id."""
    targets, datas = [t for t, _ in calls], [bytes.fromhex(d[2:]) for _, d in calls]
    receipt = send(w3, account, governor.functions.propose(targets, [0] * len(calls), datas, description))
    pid = str(governor.events.ProposalCreated().process_receipt(receipt, errors=DISCARD)[0]["args"]["proposalId"])
    decide(cli, pid)
    return pid


def decide(cli, pid: str, voters=("f1", "f2")) -> None:
    cli.advance(2)
    for name in voters:
        cli.ok("vote", pid, "for", account=name)
    cli.advance(301)
    cli.ok("proposal", "queue", pid)
    cli.advance(2)
    cli.ok("proposal", "execute", pid)


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def refused(url: str) -> tuple[int, dict]:
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(url, timeout=10)
    return raised.value.code, json.loads(raised.value.read())


@pytest.fixture(scope="module")
def story(devnet, w3, tmp_path_factory):
    """Members 1-2 founding, 3-5 regular. A council chaired by member 1 is elected: 3 seats, 1 reserved for a regular
    member. Members 2, 3, 4 and 5 stand, 5 withdraws. Approvals: 1 {2, 4} and 2 {2} from their seats; 3 {4},
    4 {2, 4} and 5 {} (an abstention) signed and relayed. Member 4 takes the reserved seat, 2 the next, member 3 (no
    approval) cannot: one seat unfilled. Read at each step: nominating, balloting, seated, vacated."""
    cli = Cli(devnet, tmp_path_factory.mktemp("elections"), w3)
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'index.db'}"
    names = ("f1", "f2", "r1", "r2", "r3")
    seats = {name: cli.wallet(name) for name in (*names, "relayer")}
    cli.deploy({seats["f1"]: "founding", seats["f2"]: "founding", seats["r1"]: "regular", seats["r2"]: "regular",
                seats["r3"]: "regular"})
    keys = Keystores(cli.dir / "keys")
    account = {name: keys.unlock(name, PASSPHRASE) for name in (*names, "relayer")}
    c = cli.manifest()["contracts"]
    governor, registry = contract(w3, "ConsortiumGovernor", c["ConsortiumGovernor"]), \
        contract(w3, "ElectionRegistry", c["ElectionRegistry"])
    factory = contract(w3, "BodyFactory", c["BodyFactory"])
    enact(cli, w3, account["f1"], governor, [(factory.address, factory.encode_abi("create", [0, "Council", 1, [1],
                                                                                          []]))], "Create the council")
    council = contract(w3, "Body", factory.functions.bodies().call()[0])
    now = w3.eth.get_block("latest")["timestamp"]
    opened = enact(cli, w3, account["f1"], governor, [
        (council.address, council.encode_abi("setElector", [registry.address])),
        (registry.address, registry.encode_abi("open", [council.address, 3, [(REGULAR, 1)], now + NOMINATIONS,
                                                        now + NOMINATIONS + TERM, "Council 2027"]))],
        "Elect the council")
    for name in ("f2", "r1", "r2", "r3"):
        send(w3, account[name], registry.functions.nominate(1))
    send(w3, account["r3"], registry.functions.withdraw(1))
    read = {}

    def observe(step: str) -> None:
        cli.ok("index")
        read[step] = {"verify": cli.ok("index", "--verify"),
                      "election": observed.get(Observatory(cli.env["CONSORTIUM_DB"]), 1).to_json()}

    observe("nominating")
    cli.advance(registry.functions.election(1).call()[3] - w3.eth.get_block("latest")["timestamp"])
    receipt = send(w3, account["r1"], governor.functions.propose(*election_ops.ballot_proposal(registry, 1)))
    ballot = str(governor.events.ProposalCreated().process_receipt(receipt, errors=DISCARD)[0]["args"]["proposalId"])
    cli.advance(2)
    send(w3, account["f1"], governor.functions.castApprovals(int(ballot), [(account["f1"].address, 0b101, b"")]))
    send(w3, account["f2"], governor.functions.castApprovals(int(ballot), [(account["f2"].address, 0b001, b"")]))
    domain = typed.domain(governor.functions.name().call(), w3.eth.chain_id, governor.address,
                          governor.functions.version().call())
    signed = [(account[n].address, bits, typed.sign(typed.approval_ballot(domain, int(ballot), account[n].address,
                                                                          bits), account[n].key))
              for n, bits in (("r1", 0b100), ("r2", 0b101), ("r3", 0))]
    send(w3, account["relayer"], governor.functions.castApprovals(int(ballot), signed))
    observe("balloting")
    read["balloting"]["results"] = cli.ok("results", ballot)
    cli.advance(301)
    cli.ok("proposal", "queue", ballot)
    cli.advance(2)
    cli.ok("proposal", "execute", ballot)
    observe("seated")
    cli.advance(registry.functions.election(1).call()[4] - w3.eth.get_block("latest")["timestamp"])
    send(w3, account["r3"], registry.functions.vacate(1))
    observe("vacated")
    yield cli, opened, ballot, council.address, read


def test_the_index_holds_the_election_its_candidates_and_its_approval_ballots(story):
    cli, _, ballot, council, _ = story
    with engine(cli.env["CONSORTIUM_DB"]).connect() as db:
        opened = db.execute(select(elections.c.election_id, elections.c.body, elections.c.seats,
                                   elections.c.reserved, elections.c.title)).all()
        listed = db.execute(select(candidates.c.candidate, candidates.c.member_id, candidates.c.change,
                                   candidates.c.tier).order_by(candidates.c.block_number, candidates.c.log_index)).all()
        changes = db.execute(select(election_changes.c.change, election_changes.c.member_id,
                                    election_changes.c.approvals, election_changes.c.reserved_seat,
                                    election_changes.c.elected)
                             .order_by(election_changes.c.block_number, election_changes.c.log_index)).all()
        proposed = db.execute(select(election_ballots.c.proposal_id, election_ballots.c.election_id,
                                     election_ballots.c.candidates)).all()
        cast = db.execute(select(approval_ballots.c.member_id, approval_ballots.c.tier, approval_ballots.c.weight,
                                 approval_ballots.c.approvals, approval_ballots.c.relayed)
                          .order_by(approval_ballots.c.block_number, approval_ballots.c.log_index)).all()
        marks = db.execute(select(approvals.c.member_id, approvals.c.candidate, approvals.c.weight)
                           .order_by(approvals.c.block_number, approvals.c.log_index, approvals.c.candidate)).all()
        counted = db.execute(select(ballots.c.member_id, ballots.c.support, ballots.c.weight, ballots.c.relayed)
                             .where(ballots.c.proposal_id == ballot)
                             .order_by(ballots.c.block_number, ballots.c.log_index)).all()
    assert opened == [(1, council, 3, "[[1, 1]]", "Council 2027")]
    assert listed == [(0, 2, "nominated", 0), (1, 3, "nominated", 1), (2, 4, "nominated", 1), (3, 5, "nominated", 1),
                      (3, 5, "withdrawn", None)]
    assert changes == [("elected", 4, "5", 1, None), ("elected", 2, "7", 0, None), ("seated", None, None, None, 2),
                       ("seat vacated", 4, None, None, None), ("seat vacated", 2, None, None, None),
                       ("vacated", None, None, None, None)]
    assert proposed == [(ballot, "1", 4)]
    assert cast == [(1, 0, 3, "5", 0), (2, 0, 3, "1", 0), (3, 1, 1, "4", 1), (4, 1, 1, "5", 1), (5, 1, 1, "0", 1)]
    assert marks == [(1, 0, 3), (1, 2, 3), (2, 0, 3), (3, 2, 1), (4, 0, 1), (4, 2, 1)]
    # the same ballots as the chain counted them: for, or abstain approving nobody
    assert counted == [(1, 1, 3, 0), (2, 1, 3, 0), (3, 1, 1, 1), (4, 1, 1, 1), (5, 2, 1, 1)]


def test_the_status_follows_the_registry_at_every_step(story):
    *_, read = story
    assert [read[step]["election"]["status"] for step in read] == ["nominating", "balloting", "seated", "vacated"]
    for step in read:
        assert "verified against the chain" in read[step]["verify"], (step, read[step]["verify"])
    balloting = read["balloting"]["election"]
    assert [(c["member_id"], c["approvals_by_tier"], c["approvals"]) for c in balloting["candidates"]] == [
        (2, {"founding": 6, "regular": 1}, 7), (3, {"founding": 0, "regular": 0}, 0),
        (4, {"founding": 3, "regular": 2}, 5), (5, {"founding": 0, "regular": 0}, 0)]
    assert (balloting["winners"], balloting["unfilled"]) == ([], None)
    vacated = read["vacated"]["election"]
    assert vacated["winners"] == [
        {"member_id": 4, "member": "member 4 Co", "approvals": 5, "reserved_seat": True},
        {"member_id": 2, "member": "member 2 Co", "approvals": 7, "reserved_seat": False}]
    assert (vacated["unfilled"], [v["member_id"] for v in vacated["vacated"]]) == (1, [4, 2])
