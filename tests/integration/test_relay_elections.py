"""Elections through the relayer on a real devnet: members' signed approval ballots (consortium-approval/1) checked
as the governor will check them, kept, and relayed in batches with castApprovals, from files (`consortium relay`)
and over the relay API (POST /approvals, GET /typed-data/approval, GET /elections/ballot); every refusal by its exact
message, a ballot the governor refuses costing only itself; open ballots and commitments on an election's ballot
refused in the governor's words; SQLite and PostgreSQL alike.

The election is set up on the chain directly: a council made by a proposal (the CLI), then the registry's `open`
passed as a governance proposal built with web3 (voted, queued and executed with the CLI), members nominating
themselves from their seats, and the ballot proposal made exactly as the registry fixes it."""

import json
import re
import urllib.parse

import pytest
from eth_account import Account

from orchestrator.operations import elections
from orchestrator.operations.deploy import contract
from orchestrator.relay import ballots
from orchestrator.relay.ballot_file import ApprovalFile
from orchestrator.web import relay as relay_api
from orchestrator.web import serving
from tests.integration.test_cli_governance import proposal_id
from tests.integration.test_cli_institutions import enact
from tests.integration.test_relay_sealed import commitment_for, governor, http, key, refused
from tests.integration.test_relayer import (
    BOTH_BACKENDS,
    HOLDER,
    database,  # noqa: F401  (autouse: the relay store's database)
    relayer_for,
)
from tests.postgres import postgres_database, postgres_server  # noqa: F401  (fixtures postgres_url, postgres)

# The candidates, in nomination order: member 1 (f1) is candidate 0, member 3 (r1) 1, member 4 (r2) 2.
CANDIDATES = ("f1", "r1", "r2")


def registry(cli):
    return contract(cli.w3, "ElectionRegistry", cli.manifest()["contracts"]["ElectionRegistry"])


def send_as(cli, account: str, fn) -> dict:
    """A transaction from `account` (a member's seat), sent by the devnet on its behalf."""
    assert "error" not in cli.rpc("anvil_impersonateAccount", account)
    receipt = cli.w3.eth.wait_for_transaction_receipt(fn.transact({"from": account}))
    assert receipt["status"] == 1
    return receipt


def open_election(cli, consortium) -> tuple[int, int]:
    """A council with a one-seat election whose candidates are members 1, 3 and 4 and whose ballot proposal is
    Active: (the ballot's proposal id, the election id)."""
    enact(cli, cli.ok("propose", "create-body", "council", "Council", "--threshold", "1", "--member", "2",
                      "--description", "A council", account="f1"))
    body = re.search(r"(0x[0-9a-fA-F]{40})  council", cli.ok("body", "list")).group(1)
    e, g = registry(cli), governor(cli)
    now = cli.w3.eth.get_block("latest")["timestamp"]
    call = bytes.fromhex(e.encode_abi("open", [body, 1, [], now + 1000, now + 10**6, "Council 2026"])[2:])
    send_as(cli, consortium["f1"], g.functions.propose([e.address], [0], [call], "Elect the council"))
    opened = g.functions.hashProposal([e.address], [0], [call], cli.w3.keccak(text="Elect the council")).call()
    enact(cli, f"proposal {opened}")
    election_id = e.functions.electionCount().call()
    for name in CANDIDATES:
        send_as(cli, consortium[name], e.functions.nominate(election_id))
    cli.advance(1000)
    send_as(cli, consortium["f2"], g.functions.propose(*elections.ballot_proposal(e, election_id)))
    cli.advance(2)
    return elections.ballot_id(e, election_id), election_id


@pytest.fixture
def election(cli, consortium):
    return open_election(cli, consortium)


def approval_for(cli, pid: int, account, approvals: int, **extra) -> dict:
    """An approval ballot file signed by `account` (what any wallet can make)."""
    domain = relayer_for(cli).domain
    signature = ballots.sign(ballots.approval_ballot(domain, pid, account.address, approvals), account.key)
    return {**ApprovalFile.signed(domain, pid, account.address, approvals, signature), **extra}


def approval_file(cli, pid: int, name: str, approvals: int):
    path = cli.dir / f"{name}-approval.json"
    path.write_text(json.dumps(approval_for(cli, pid, key(cli, name), approvals)))
    return path


def tallies(cli, pid: int) -> list[int]:
    """Each candidate's approval weight, all tiers together."""
    g = governor(cli)
    return [sum(g.functions.proposalApprovals(pid, c, tier).call() for tier in range(3)) for c in range(3)]


@BOTH_BACKENDS
def test_approval_files_are_relayed_in_one_batch(cli, consortium, election):
    pid, _ = election
    files = [approval_file(cli, pid, "f1", 0b011), approval_file(cli, pid, "r1", 0b100),
             approval_file(cli, pid, "r2", 0)]
    lines = cli.ok("relay", *files).splitlines()
    assert lines[:3] == [f"{path}: accepted" for path in files]
    assert [line.rsplit(" ", 1)[0] for line in lines[3:]] == [f"{path}: included in transaction" for path in files]
    assert len({line.split()[-1] for line in lines[3:]}) == 1  # one batch
    assert tallies(cli, pid) == [3, 3, 1]  # f1 (weight 3) approved 0 and 1, r1 (1) approved 2, r2 abstained
    assert governor(cli).functions.proposalVotes(pid).call() == [0, 4, 1]  # for, with the abstention toward quorum
    relayer = relayer_for(cli)
    stored = relayer.store.find(pid, consortium["f1"], "approval")
    assert (stored.status, stored.approvals, stored.member_id, stored.kind) == ("included", 3, 1, "ecdsa")
    replayed = cli("relay", files[1]).output.splitlines()
    assert replayed == [f"{files[1]}: rejected: {consortium['r1']} has already voted on this proposal",
                        "Error: 1 of 1 files were not counted"]


def test_every_refused_approval_ballot_by_its_message(cli, consortium, election):
    pid, election_id = election
    relayer = relayer_for(cli)
    f1, f2, r1, r2 = (key(cli, name) for name in ("f1", "f2", "r1", "r2"))
    good = approval_for(cli, pid, f2, 0b101)
    receive = relayer.receive_approval
    other = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "open", account="f1"))
    assert refused(relayer, receive, approval_for(cli, int(other), f2, 1)) == (
        f"proposal {other} is Pending, not Active")
    cli.advance(2)
    assert refused(relayer, receive, approval_for(cli, int(other), f2, 1)) == (
        f"GovernorProposalNotElection: proposal {other} is not an election's ballot: there are no candidates to "
        "approve on it")
    assert refused(relayer, receive, approval_for(cli, pid, f2, 0b1000)) == (
        f"invalid approvals: the ballot approves candidate 3, but election {election_id}'s ballot lists 3 candidates "
        "(0 to 2)")
    assert refused(relayer, receive, approval_for(cli, pid, f2, 2**255 | 1)) == (
        f"invalid approvals: the ballot approves candidate 255, but election {election_id}'s ballot lists 3 "
        "candidates (0 to 2)")
    assert refused(relayer, receive, {**good, "approvals": "7"}) == (
        f"the signature is not {consortium['f2']}'s for this approval ballot, chain and governor")
    assert refused(relayer, receive, {**good, "chain_id": 1}) == (
        f"the approval ballot is for governor {good['governor']} on chain 1; this relayer serves {good['governor']} "
        f"on chain {good['chain_id']}")
    assert refused(relayer, receive, {**good, "approvals": 1.5}) == (
        "malformed approval ballot: approvals: expected a whole number: a JSON integer, or a string in decimal or "
        "0x-hex")
    assert refused(relayer, receive, {**good, "format": "consortium-ballot/1"}) == (
        "not an approval ballot: expected format 'consortium-approval/1'")
    stranger = Account.create()
    assert refused(relayer, receive, approval_for(cli, pid, stranger, 1)) == (
        f"{stranger.address} is not the seat of a current member")
    cli.ok("member", "recuse", str(pid), "--reason", "conflict", account="r2")
    assert refused(relayer, receive, approval_for(cli, pid, r2, 1)) == (
        f"{consortium['r2']} is recused from this proposal (a declared conflict, or the proposal is about its member)")
    send_as(cli, consortium["r1"], governor(cli).functions.castApprovals(pid, [(consortium["r1"], 2, b"")]))
    assert refused(relayer, receive, approval_for(cli, pid, r1, 1)) == (
        f"{consortium['r1']} has already voted on this proposal")
    relayer.receive_approval(good)
    assert refused(relayer, receive, approval_for(cli, pid, f2, 0b001)) == (
        f"the relayer already holds an approval ballot of member 2 on this proposal (from {consortium['f2']})")
    # Open ballots and commitments on an election's ballot would make their whole batch revert: the governor's words.
    is_election = (f"GovernorProposalIsElection: proposal {pid} is an election's ballot: members vote on it by "
                   "approving candidates, not for, against or abstain")
    ballot = {"format": "consortium-ballot/1", "chain_id": good["chain_id"], "governor": good["governor"],
              "proposal_id": str(pid), "voter": f1.address, "support": 1, "reason": "",
              "signature": "0x" + ballots.sign(ballots.member_ballot(relayer.domain, pid, 1, f1.address), f1.key).hex()}
    assert refused(relayer, relayer.receive, ballot) == is_election
    assert refused(relayer, relayer.receive_commitment, commitment_for(cli, pid, f1, 1, 1)) == is_election
    assert cli.fails("vote", str(pid), "for", "--sign-only", "--out", cli.dir / "open.json", account="f1") == (
        f"Error: not signed, the ballot could never count: {is_election}")
    cli.advance(301)
    assert refused(relayer, receive, approval_for(cli, pid, f1, 1)) == f"proposal {pid} is Succeeded, not Active"
    relayer.submit()  # the one held: its proposal closed before it was sent
    held = relayer.store.find(pid, consortium["f2"], "approval")
    assert (held.status, held.detail) == ("rejected", f"not submitted: proposal {pid} is Succeeded")


def test_an_approval_ballot_the_governor_refuses_costs_only_itself(cli, consortium, election):
    pid, _ = election
    relayer = relayer_for(cli)
    for name, approvals in (("f1", 0b001), ("f2", 0b010), ("r1", 0b110), ("r2", 0b111)):
        relayer.receive_approval(approval_for(cli, pid, key(cli, name), approvals))
    # Accepted, then: r1 votes from its own seat, r2 recuses itself; their ballots reach the chain in the batch.
    send_as(cli, consortium["r1"], governor(cli).functions.castApprovals(pid, [(consortium["r1"], 1, b"")]))
    cli.ok("member", "recuse", str(pid), "--reason", "after signing", account="r2")
    relayer.submit()
    stored = {name: relayer.store.find(pid, consortium[name], "approval") for name in ("f1", "f2", "r1", "r2")}
    assert [(s.status, s.detail) for s in stored.values()] == [
        ("included", ""), ("included", ""), ("rejected", "already voted"), ("rejected", "recused")]
    assert len({s.tx_hash for s in stored.values()}) == 1  # one batch, sorted by member id
    assert tallies(cli, pid) == [3 + 1, 3, 0]  # f1's, f2's and r1's own (candidate 0)


@BOTH_BACKENDS
def test_the_relay_api_takes_approval_ballots(cli, consortium, election):
    pid, election_id = election
    relayer = relayer_for(cli)
    f1 = key(cli, "f1")
    domain = relayer.domain
    with serving.running(relay_api.app(relayer), relay_api.MAX_BODY) as base:
        assert http(base, f"/elections/ballot?proposal_id={pid}") == (200, {
            "proposal_id": str(pid), "election_id": election_id, "registry": registry(cli).address,
            "title": "Council 2026", "seats": 1, "candidates": [
                {"index": 0, "member_id": 1, "member": "member 1 Co", "tier": "founding", "withdrawn": False},
                {"index": 1, "member_id": 3, "member": "member 3 Co", "tier": "regular", "withdrawn": False},
                {"index": 2, "member_id": 4, "member": "member 4 Co", "tier": "regular", "withdrawn": False}]})
        other = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "open", account="f1"))
        assert http(base, f"/elections/ballot?proposal_id={other}") == (422, {
            "error": f"GovernorProposalNotElection: proposal {other} is not an election's ballot: there are no "
                     "candidates to approve on it"})
        assert http(base, "/elections/ballot?proposal_id=12345") == (422, {
            "error": "GovernorNonexistentProposal: there is no proposal 12345"})
        query = urllib.parse.urlencode({"proposal_id": pid, "voter": f1.address, "approvals": 5})
        status, to_sign = http(base, f"/typed-data/approval?{query}")
        typed = ballots.approval_ballot(domain, pid, f1.address, 5)
        assert (status, to_sign) == (200, {"typed_data": ballots.for_wallet(typed), "member_id": 1,
                                           "digest": "0x" + ballots.digest(typed).hex()})
        assert to_sign["typed_data"]["message"] == {"proposalId": str(pid), "voter": f1.address, "approvals": "5"}
        wide = urllib.parse.urlencode({"proposal_id": pid, "voter": f1.address, "approvals": 8})
        assert http(base, f"/typed-data/approval?{wide}") == (422, {
            "error": f"invalid approvals: the ballot approves candidate 3, but election {election_id}'s ballot lists "
                     "3 candidates (0 to 2)"})
        # An open ballot's typed data is never served for an election's ballot, nor is an open ballot taken.
        open_query = urllib.parse.urlencode({"proposal_id": pid, "voter": f1.address, "support": 1})
        is_election = (f"GovernorProposalIsElection: proposal {pid} is an election's ballot: members vote on it by "
                       "approving candidates, not for, against or abstain")
        assert http(base, f"/typed-data?{open_query}") == (422, {"error": is_election})
        ballot = {"format": "consortium-ballot/1", "chain_id": domain["chainId"], "governor": domain[
            "verifyingContract"], "proposal_id": str(pid), "voter": f1.address, "support": 1, "reason": "",
            "signature": "0x" + ballots.sign(ballots.member_ballot(domain, pid, 1, f1.address), f1.key).hex()}
        assert http(base, "/ballots", ballot) == (422, {"error": is_election})
        body = ApprovalFile.signed(domain, pid, f1.address, 5, ballots.sign(typed, f1.key))
        assert http(base, "/approvals", body) == (202, {
            "id": 1, "proposal_id": str(pid), "voter": f1.address, "member_id": 1, "approvals": "5",
            "status": "accepted", "detail": "", "tx_hash": None})
        assert http(base, "/approvals", body) == (422, {
            "error": f"the relayer already holds an approval ballot of member 1 on this proposal (from {f1.address})"})
        assert http(base, "/approvals", {**body, "format": "consortium-reveal/1"}) == (422, {
            "error": "not an approval ballot: expected format 'consortium-approval/1'"})
        assert http(base, "/approvals", {k: v for k, v in body.items() if k != "approvals"}) == (422, {
            "error": "malformed approval ballot: approvals is missing"})
        assert http(base, "/approvals", b"hello", "text/plain") == (415, {
            "error": "send the body as JSON, with Content-Type: application/json"})
        relayer.submit()
        status, counted = http(base, "/approvals/1")
        assert status == 200 and counted["status"] == "included" and counted["tx_hash"].startswith("0x")
        assert http(base, "/approvals/2") == (404, {"error": "no approval ballot 2"})
        assert http(base, f"/typed-data/approval?{query}") == (422, {
            "error": f"{f1.address} has already voted on this proposal"})
        openapi = http(base, "/openapi.json")[1]
        for path in ("/approvals", "/approvals/{approval_id}", "/typed-data/approval", "/elections/ballot"):
            assert path in openapi["paths"], path
        schema = openapi["paths"]["/approvals"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert schema["properties"]["format"]["const"] == "consortium-approval/1"
    assert tallies(cli, pid) == [3, 0, 3]


def test_only_this_deployments_registry_lists_candidates(cli, consortium, election):
    """Another registry's election (anyone may deploy one) has its ballot proposal counted by the governor, which
    gains it nothing: the relayer takes its approval ballots, but its candidate list is not this deployment's to
    show."""
    body = re.search(r"(0x[0-9a-fA-F]{40})  council", cli.ok("body", "list")).group(1)
    manifest = cli.manifest()["contracts"]
    own = consortium["f1"]  # the foreign registry's governance: a member's own account
    deployed = contract(cli.w3, "ElectionRegistry").constructor(
        manifest["MemberRegistry"], own, manifest["ConsortiumGovernor"], manifest["BodyFactory"]).transact(
        {"from": cli.w3.eth.accounts[0]})
    foreign = contract(cli.w3, "ElectionRegistry",
                       cli.w3.eth.wait_for_transaction_receipt(deployed)["contractAddress"])
    now = cli.w3.eth.get_block("latest")["timestamp"]
    send_as(cli, own, foreign.functions.open(body, 1, [], now + 100, now + 10**6, "Elsewhere"))
    send_as(cli, consortium["r1"], foreign.functions.nominate(1))
    cli.advance(100)
    send_as(cli, own, governor(cli).functions.propose(*elections.ballot_proposal(foreign, 1)))
    cli.advance(2)
    pid = elections.ballot_id(foreign, 1)
    relayer = relayer_for(cli)
    assert relayer.receive_approval(approval_for(cli, pid, key(cli, "f2"), 1)).status == "accepted"
    with serving.running(relay_api.app(relayer), relay_api.MAX_BODY) as base:
        assert http(base, f"/elections/ballot?proposal_id={pid}") == (422, {
            "error": f"proposal {pid} is the ballot of election 1 of {foreign.address}, not of this deployment's "
                     f"election registry {registry(cli).address}: its candidates are not listed here"})
