"""Sealed proposals through the relayer on a real devnet: signed commitments (`vote --sign-only` on a sealed
proposal writes one, and the reveal file the member keeps), relayed in batches with commitVotes; reveals from the
reveal start (or escrowed earlier) relayed with revealVotes; the same over the relay API; every refusal by its exact
message (a replayed reveal, a front-run one, a reveal before the reveal start, a commitment after it, a duplicate,
a commitment for an open proposal), none stopping the other members' items in the same batch; SQLite and
PostgreSQL alike."""

import json
import os
import stat
import urllib.error
import urllib.parse
import urllib.request

import pytest
from eth_account import Account

from orchestrator.chain.reverts import utc
from orchestrator.chain.wallet import Keystores
from orchestrator.operations import sealed
from orchestrator.operations.deploy import contract
from orchestrator.relay import ballots
from orchestrator.relay.ballot_file import CommitmentFile, RevealFile
from orchestrator.relay.relayer import REVEALED_FIRST, BallotRefused
from orchestrator.web import relay as relay_api
from orchestrator.web import serving
from tests.integration.conftest import PASSPHRASE
from tests.integration.test_cli_governance import proposal_id
from tests.integration.test_relayer import (
    BOTH_BACKENDS,
    HOLDER,
    database,  # noqa: F401  (autouse: the relay store's database)
    relayer_for,
)
from tests.postgres import postgres_database, postgres_server  # noqa: F401  (fixtures postgres_url, postgres)


@pytest.fixture
def sealed_pid(cli, consortium):
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "seal me", "--sealed",
                             account="f1"))
    cli.advance(2)
    return pid


@pytest.fixture
def open_pid(cli, consortium):
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "2 wei", "--description", "open", account="f2"))
    cli.advance(2)
    return pid


def mine_at(cli, timestamp: int) -> None:
    """Mine a block at exactly `timestamp`."""
    assert "error" not in cli.rpc("evm_setNextBlockTimestamp", timestamp)
    cli.rpc("evm_mine")


def governor(cli):
    return contract(cli.w3, "ConsortiumGovernor", cli.manifest()["contracts"]["ConsortiumGovernor"])


def reveal_start(cli, pid) -> int:
    return governor(cli).functions.proposalRevealStart(int(pid)).call()


def now(cli) -> int:
    return cli.w3.eth.get_block("latest")["timestamp"]


def to_reveals(cli, pid):
    """The chain's clock at the reveal start."""
    cli.advance(reveal_start(cli, pid) - now(cli))


def key(cli, name):
    return Keystores(cli.dir / "keys").unlock(name, PASSPHRASE)


def commit_files(cli, pid, name, support="for"):
    """`vote --sign-only` on a sealed proposal: (commitment file, reveal file)."""
    path = cli.dir / f"{name}-commitment.json"
    cli.ok("vote", pid, support, "--sign-only", "--out", path, account=name)
    return path, cli.dir / f"{name}-commitment-reveal.json"


def commitment_for(cli, pid, account, member_id, support, salt=b"\x05" * 32, commitment=None) -> dict:
    """A commitment file signed by `account` by hand (what any wallet can make)."""
    domain = relayer_for(cli).domain
    commitment = commitment or ballots.commitment(domain["chainId"], domain["verifyingContract"], int(pid), member_id,
                                                  support, salt)
    signature = ballots.sign(ballots.sealed_ballot(domain, int(pid), account.address, commitment), account.key)
    return CommitmentFile.signed(domain, int(pid), account.address, commitment, signature)


def reveal_for(cli, pid, voter, support, salt=b"\x05" * 32, **extra) -> dict:
    return {**RevealFile.of(relayer_for(cli).domain, int(pid), voter, support, salt), **extra}


def refused(relayer, receive, data) -> str:
    with pytest.raises(BallotRefused) as exc:
        receive(data)
    return str(exc.value)


def test_sign_only_writes_a_commitment_and_the_reveal_file_the_member_keeps(cli, consortium, sealed_pid):
    out = cli.ok("vote", sealed_pid, "against", "--sign-only", account="r1", env={"HOME": str(cli.dir)})
    start = reveal_start(cli, sealed_pid)
    short, seat = sealed_pid[:12], consortium["r1"][:10]
    commitment_path, reveal_path = f"commitment-{short}-{seat}.json", f"reveal-{short}-{seat}.json"
    assert out.splitlines() == [
        f"signed commitment written to {commitment_path}: member 3 Co commits to a sealed vote on proposal "
        f"{sealed_pid}; it shows neither the vote nor its salt. Hand it to a relayer now (`consortium relay "
        f"{commitment_path}`, or POST it to /commitments), before commitments close at {utc(start)}",
        f"reveal written to {reveal_path}: your vote and its salt. Keep it private until the reveal start at "
        f"{utc(start)}; from then to the deadline hand it to a relayer (`consortium relay {reveal_path}`, or POST it "
        f"to /reveals) or reveal yourself (`consortium reveal {sealed_pid}`). Whoever holds it can reveal your vote, "
        "and before the reveal start would know it"]
    committed = json.loads(open(commitment_path).read())
    kept = json.loads(open(reveal_path).read())
    os.remove(commitment_path)
    assert stat.S_IMODE(os.stat(reveal_path).st_mode) == 0o600  # the vote, readable by the member alone
    os.remove(reveal_path)
    domain = relayer_for(cli).domain
    salt = sealed.salt(domain, int(sealed_pid), key(cli, "r1"))
    commitment = ballots.commitment(domain["chainId"], domain["verifyingContract"], int(sealed_pid), 3, 0, salt)
    typed = ballots.sealed_ballot(domain, int(sealed_pid), consortium["r1"], commitment)
    assert committed == {**CommitmentFile.signed(domain, int(sealed_pid), consortium["r1"], commitment,
                                                 ballots.sign(typed, key(cli, "r1").key)),
                         "typed_data": {**typed, "message": {**typed["message"], "proposalId": sealed_pid,
                                                             "commitment": "0x" + commitment.hex()}}}
    assert "support" not in committed and "salt" not in json.dumps(committed)  # nothing of the vote in it
    assert kept == {"format": "consortium-reveal/1", "chain_id": domain["chainId"], "governor": domain[
        "verifyingContract"], "proposal_id": sealed_pid, "voter": consortium["r1"], "support": 0,
        "salt": "0x" + salt.hex()}


@BOTH_BACKENDS
def test_commitments_then_reveals_are_relayed_in_batches(cli, consortium, sealed_pid):
    files = {name: commit_files(cli, sealed_pid, name, support)
             for name, support in (("f1", "for"), ("r1", "against"), ("r2", "abstain"))}
    early = cli("relay", files["f1"][1])
    start = reveal_start(cli, sealed_pid)
    assert early.output.splitlines() == [
        f"{files['f1'][1]}: rejected: GovernorRevealsNotOpen: votes on proposal {sealed_pid} are revealed from "
        f"{utc(start)}, not before; hand the reveal over from then, or escrow it with the relayer",
        "Error: 1 of 1 files were not counted"]
    lines = cli.ok("relay", *[c for c, _ in files.values()]).splitlines()
    assert lines[:3] == [f"{c}: accepted" for c, _ in files.values()]
    tx_hashes = {line.split()[-1] for line in lines[3:]}
    assert len(tx_hashes) == 1 and all(" committed in transaction 0x" in line for line in lines[3:])  # one batch
    assert governor(cli).functions.proposalVotes(int(sealed_pid)).call() == [0, 0, 0]  # nothing seen yet
    to_reveals(cli, sealed_pid)
    late = commitment_for(cli, sealed_pid, key(cli, "f2"), 2, 1)
    relayer = relayer_for(cli)
    assert refused(relayer, relayer.receive_commitment, late) == (
        f"GovernorCommitsClosed: commitments to proposal {sealed_pid} closed at {utc(start)}: its votes are being "
        "revealed")
    lines = cli.ok("relay", *[r for _, r in files.values()]).splitlines()
    assert lines[:3] == [f"{r}: accepted" for _, r in files.values()]
    assert len({line.split()[-1] for line in lines[3:]}) == 1
    assert all(" revealed and counted in transaction 0x" in line for line in lines[3:])
    against, for_, abstain = governor(cli).functions.proposalVotes(int(sealed_pid)).call()
    assert (against, for_, abstain) == (1, 3, 1)
    replayed = cli("relay", files["r1"][1]).output.splitlines()
    assert replayed == [f"{files['r1'][1]}: rejected: the vote of {consortium['r1']} on proposal {sealed_pid} is "
                        "already revealed and counted", "Error: 1 of 1 files were not counted"]
    stored = relayer.store.find(int(sealed_pid), consortium["r1"], "reveal")
    assert (stored.status, stored.support, stored.escrow) == ("included", 0, False)
    assert relayer.store.find(int(sealed_pid), consortium["r1"], "commitment").status == "included"


def test_every_refused_commitment_by_its_message(cli, consortium, sealed_pid, open_pid):
    relayer = relayer_for(cli)
    f2, r1 = key(cli, "f2"), key(cli, "r1")
    on_open = commitment_for(cli, open_pid, f2, 2, 1)
    assert refused(relayer, relayer.receive_commitment, on_open) == (
        f"GovernorProposalNotSealed: proposal {open_pid} is not sealed: members vote on it openly, with nothing to "
        "commit or reveal")
    good = commitment_for(cli, sealed_pid, f2, 2, 1)
    assert refused(relayer, relayer.receive_commitment, {**good, "commitment": "0x" + "77" * 32}) == (
        f"the signature is not {consortium['f2']}'s for this commitment, chain and governor")
    assert refused(relayer, relayer.receive_commitment, {**good, "chain_id": 1}) == (
        f"the commitment is for governor {good['governor']} on chain 1; this relayer serves {good['governor']} on "
        f"chain {good['chain_id']}")
    assert refused(relayer, relayer.receive_commitment, {**good, "commitment": "0x" + "00" * 32}) == (
        "malformed commitment: commitment: a commitment of zero commits to nothing")
    assert refused(relayer, relayer.receive_commitment, {**good, "format": "consortium-ballot/1"}) == (
        "not a commitment: expected format 'consortium-commitment/1'")
    stranger = Account.create()
    assert refused(relayer, relayer.receive_commitment, commitment_for(cli, sealed_pid, stranger, 9, 1)) == (
        f"{stranger.address} is not the seat of a current member")
    cli.ok("member", "recuse", sealed_pid, "--reason", "conflict", account="r2")
    assert refused(relayer, relayer.receive_commitment, commitment_for(cli, sealed_pid, key(cli, "r2"), 4, 1)) == (
        f"{consortium['r2']} is recused from this proposal (a declared conflict, or the proposal is about its member)")
    # A ballot on a sealed proposal would make its whole batch revert: refused with the governor's words.
    ballot = {"format": "consortium-ballot/1", "chain_id": good["chain_id"], "governor": good["governor"],
              "proposal_id": sealed_pid, "voter": consortium["f2"], "support": 1, "reason": "",
              "signature": "0x" + ballots.sign(ballots.member_ballot(relayer.domain, int(sealed_pid), 1,
                                                                     consortium["f2"]), f2.key).hex()}
    assert refused(relayer, relayer.receive, ballot) == (
        f"GovernorProposalSealed: proposal {sealed_pid} is sealed: members commit to their votes, then reveal them; "
        "nobody votes on it openly")
    # Held by the relayer, from the same seat or as another signed commitment of the member: one per member.
    relayer.receive_commitment(good)
    assert refused(relayer, relayer.receive_commitment, commitment_for(cli, sealed_pid, f2, 2, 0)) == (
        f"the relayer already holds a commitment of member 2 on this proposal (from {consortium['f2']})")
    # Recorded on chain (the member committed from its seat): the relayer refuses another, and so does the CLI.
    cli.ok("vote", sealed_pid, "for", account="r1")
    assert refused(relayer, relayer.receive_commitment, commitment_for(cli, sealed_pid, r1, 3, 0)) == (
        f"member 3 has already committed to a vote on proposal {sealed_pid} (from {consortium['r1']} or another of "
        "its seats); a commitment is never replaced")
    assert cli.fails("vote", sealed_pid, "against", "--sign-only", "--out", cli.dir / "again.json", account="r1") == (
        f"Error: not signed, the commitment could never count: member 3 has already committed to a vote on proposal "
        f"{sealed_pid} (from {consortium['r1']} or another of its seats); a commitment is never replaced")
    assert cli.fails("vote", sealed_pid, "for", "--sign-only", "--voter", "4") == (
        f"Error: proposal {sealed_pid} is sealed: a Safe member's sealed vote is not supported by the CLI yet (its "
        "salt cannot come from a deterministic signature)")
    to_reveals(cli, sealed_pid)
    assert cli.fails("vote", sealed_pid, "for", "--sign-only", "--out", cli.dir / "late.json", account="f1") == (
        f"Error: not signed, the commitment could never count: GovernorCommitsClosed: commitments to proposal "
        f"{sealed_pid} closed at {utc(reveal_start(cli, sealed_pid))}: its votes are being revealed")


def test_every_refused_reveal_by_its_message(cli, consortium, sealed_pid, open_pid):
    relayer = relayer_for(cli)
    f1, r1 = key(cli, "f1"), key(cli, "r1")
    relayer.receive_commitment(commitment_for(cli, sealed_pid, f1, 1, 1))
    relayer.submit()
    relayer.receive_commitment(commitment_for(cli, sealed_pid, r1, 3, 0))  # held, not yet sent
    start = reveal_start(cli, sealed_pid)
    assert refused(relayer, relayer.receive_reveal, reveal_for(cli, sealed_pid, consortium["f1"], 1)) == (
        f"GovernorRevealsNotOpen: votes on proposal {sealed_pid} are revealed from {utc(start)}, not before; hand the "
        "reveal over from then, or escrow it with the relayer")
    assert refused(relayer, relayer.receive_reveal, reveal_for(cli, sealed_pid, consortium["f1"], 1, escrow="yes")) == (
        "malformed reveal: escrow: expected true or false, as JSON")
    assert refused(relayer, relayer.receive_reveal, {**reveal_for(cli, sealed_pid, consortium["f1"], 1),
                                                     "salt": "0x12"}) == (
        "malformed reveal: salt: expected 32 bytes as 0x-prefixed hex (64 hex digits)")
    to_reveals(cli, sealed_pid)
    assert refused(relayer, relayer.receive_reveal, reveal_for(cli, open_pid, consortium["f1"], 1)) == (
        f"GovernorProposalNotSealed: proposal {open_pid} is not sealed: members vote on it openly, with nothing to "
        "commit or reveal")
    assert refused(relayer, relayer.receive_reveal, reveal_for(cli, sealed_pid, consortium["f1"], 0)) == (
        f"the reveal does not open member 1's commitment on proposal {sealed_pid}: another vote or salt than it "
        "committed to")
    assert refused(relayer, relayer.receive_reveal, reveal_for(cli, sealed_pid, consortium["f1"], 1, b"\x06" * 32)) == (
        f"the reveal does not open member 1's commitment on proposal {sealed_pid}: another vote or salt than it "
        "committed to")
    assert refused(relayer, relayer.receive_reveal, reveal_for(cli, sealed_pid, consortium["f2"], 1)) == (
        f"member 2 has no commitment on proposal {sealed_pid} to reveal")
    # The commitment held but never sent: commitments closed, so it is rejected unsent, and cannot be revealed.
    relayer.submit()
    held = relayer.store.find(int(sealed_pid), consortium["r1"], "commitment")
    assert (held.status, held.detail) == ("rejected", f"not submitted: GovernorCommitsClosed: commitments to proposal "
                                          f"{sealed_pid} closed at {utc(start)}: its votes are being revealed")
    assert refused(relayer, relayer.receive_reveal, reveal_for(cli, sealed_pid, consortium["r1"], 0)) == (
        f"member 3 has no commitment on proposal {sealed_pid} to reveal")
    relayer.receive_reveal(reveal_for(cli, sealed_pid, consortium["f1"], 1))
    assert refused(relayer, relayer.receive_reveal, reveal_for(cli, sealed_pid, consortium["f1"], 1)) == (
        f"the relayer already holds a reveal of member 1 on this proposal (from {consortium['f1']})")
    relayer.submit()
    assert relayer.store.find(int(sealed_pid), consortium["f1"], "reveal").status == "included"
    assert refused(relayer, relayer.receive_reveal, reveal_for(cli, sealed_pid, consortium["f1"], 1)) == (
        f"the vote of {consortium['f1']} on proposal {sealed_pid} is already revealed and counted")


def test_a_front_run_reveal_costs_nothing_and_the_rest_of_its_batch_counts(cli, consortium, sealed_pid):
    relayer = relayer_for(cli)
    members = {"f1": (1, 1), "r1": (3, 0), "r2": (4, 2)}
    for name, (member_id, support) in members.items():
        relayer.receive_commitment(commitment_for(cli, sealed_pid, key(cli, name), member_id, support))
    relayer.submit()
    to_reveals(cli, sealed_pid)
    for name, (_, support) in members.items():
        relayer.receive_reveal(reveal_for(cli, sealed_pid, consortium[name], support))
    # Someone who saw r1's reveal (in the relayer's batch in the mempool, or from r1 itself) sends it first.
    g = governor(cli)
    outsider = cli.w3.eth.accounts[5]
    tx = g.functions.revealVotes(int(sealed_pid), [(consortium["r1"], 0, b"\x05" * 32)]).transact({"from": outsider})
    cli.w3.eth.wait_for_transaction_receipt(tx)
    relayer.submit()
    stored = {name: relayer.store.find(int(sealed_pid), consortium[name], "reveal") for name in members}
    assert (stored["r1"].status, stored["r1"].detail) == ("rejected", REVEALED_FIRST)
    assert REVEALED_FIRST == "already revealed by another transaction first: the vote counted is this one"
    assert stored["f1"].status == stored["r2"].status == "included"
    assert stored["f1"].tx_hash == stored["r1"].tx_hash  # the same batch
    assert g.functions.proposalVotes(int(sealed_pid)).call() == [1, 3, 1]  # r1's vote counted once, as committed


def test_a_commitment_the_governor_refuses_costs_only_itself(cli, consortium, sealed_pid):
    relayer = relayer_for(cli)
    for name, member_id in (("f1", 1), ("r1", 3), ("r2", 4)):
        relayer.receive_commitment(commitment_for(cli, sealed_pid, key(cli, name), member_id, 1))
    cli.ok("member", "recuse", sealed_pid, "--reason", "after signing", account="r1")  # accepted, then recused
    relayer.submit()
    stored = {name: relayer.store.find(int(sealed_pid), consortium[name], "commitment") for name in ("f1", "r1", "r2")}
    assert (stored["r1"].status, stored["r1"].detail) == ("rejected", "recused")
    assert stored["f1"].status == stored["r2"].status == "included"
    assert stored["f1"].tx_hash == stored["r1"].tx_hash == stored["r2"].tx_hash


@BOTH_BACKENDS
def test_an_escrowed_reveal_is_held_and_sent_from_the_reveal_start(cli, consortium, sealed_pid):
    commitment, reveal = commit_files(cli, sealed_pid, "r1", "against")
    escrowed = cli.dir / "escrowed.json"
    escrowed.write_text(json.dumps({**json.loads(reveal.read_text()), "escrow": True}))
    start = reveal_start(cli, sealed_pid)
    lines = cli.ok("relay", commitment, escrowed).splitlines()
    assert lines[:2] == [f"{commitment}: accepted", f"{escrowed}: accepted"]
    assert lines[2].startswith(f"{commitment}: committed in transaction 0x")
    assert lines[3] == (f"{escrowed}: held: escrowed: revealed from {utc(start)} (`relay serve` sends it then, or "
                        "run `relay` again)")
    relayer = relayer_for(cli)
    relayer.submit()
    assert relayer.store.find(int(sealed_pid), consortium["r1"], "reveal").status == "accepted"
    assert governor(cli).functions.proposalVotes(int(sealed_pid)).call() == [0, 0, 0]
    # One second before the reveal start: the node would estimate the reveal at the latest block's time,
    # before the start, and refuse it; the reveal is held, not thrown away (the red team's finding).
    mine_at(cli, start - 1)
    relayer.submit()
    assert relayer.store.find(int(sealed_pid), consortium["r1"], "reveal").status == "accepted"
    mine_at(cli, start)
    relayer.submit()
    stored = relayer.store.find(int(sealed_pid), consortium["r1"], "reveal")
    assert (stored.status, stored.escrow, stored.detail) == ("included", True, "")
    assert governor(cli).functions.proposalVotes(int(sealed_pid)).call() == [1, 0, 0]


def test_the_cli_says_not_yet_one_second_before_the_reveal_start(cli, consortium, sealed_pid):
    cli.ok("vote", sealed_pid, "for", account="f2")
    start = reveal_start(cli, sealed_pid)
    mine_at(cli, start - 1)
    deadline = governor(cli).functions.proposalDeadline(int(sealed_pid)).call()
    assert cli.fails("reveal", sealed_pid, account="f2").startswith(
        f"Error: not yet: reveals of proposal {sealed_pid} open at {utc(start)} (in 1 s), until the deadline "
        f"{utc(deadline)} (in ")
    mine_at(cli, start)
    revealed = cli.ok("reveal", sealed_pid, account="f2")
    assert revealed.startswith(f"revealed: member 2 Co voted for on proposal {sealed_pid}")


def test_a_relayed_commitment_is_revealed_by_the_member_itself(cli, consortium, sealed_pid):
    commitment, _ = commit_files(cli, sealed_pid, "f2", "abstain")
    cli.ok("relay", commitment)
    to_reveals(cli, sealed_pid)
    out = cli.ok("reveal", sealed_pid, account="f2")
    assert out.startswith(f"revealed: member 2 Co voted abstain on proposal {sealed_pid} with weight 3 in transaction")


def http(base, path, body=None, content_type="application/json") -> tuple[int, dict]:
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(f"{base}{path}", data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@BOTH_BACKENDS
def test_the_relay_api_takes_commitments_and_reveals(cli, consortium, sealed_pid, open_pid):
    relayer = relayer_for(cli)
    f1 = key(cli, "f1")
    domain = relayer.domain
    salt = sealed.salt(domain, int(sealed_pid), f1)
    commitment = ballots.commitment(domain["chainId"], domain["verifyingContract"], int(sealed_pid), 1, 1, salt)
    start = reveal_start(cli, sealed_pid)
    with serving.running(relay_api.app(relayer), relay_api.MAX_BODY) as base:
        # What to sign: the salt request (nothing asked of the chain) and the commitment (after the relayer's checks).
        query = urllib.parse.urlencode({"proposal_id": sealed_pid, "voter": f1.address})
        assert http(base, f"/typed-data/salt?{query}") == (200, {"typed_data": ballots.for_wallet(
            ballots.sealed_salt_request(domain, int(sealed_pid), f1.address))})
        status, to_sign = http(base, f"/typed-data/commitment?{query}&commitment=0x{commitment.hex()}")
        typed = ballots.sealed_ballot(domain, int(sealed_pid), f1.address, commitment)
        assert status == 200 and to_sign["member_id"] == 1 and to_sign["digest"] == "0x" + ballots.digest(typed).hex()
        assert to_sign["typed_data"]["message"] == {"proposalId": sealed_pid, "voter": f1.address,
                                                    "commitment": "0x" + commitment.hex()}
        open_query = urllib.parse.urlencode({"proposal_id": open_pid, "voter": f1.address})
        assert http(base, f"/typed-data/commitment?{open_query}&commitment=0x{commitment.hex()}") == (422, {
            "error": f"GovernorProposalNotSealed: proposal {open_pid} is not sealed: members vote on it openly, with "
                     "nothing to commit or reveal"})
        assert http(base, f"/typed-data/commitment?{query}&commitment=0x12") == (422, {
            "error": "query.commitment: expected 32 bytes as 0x-prefixed hex (64 hex digits)"})
        assert http(base, f"/commitments?{query}") == (200, {"proposal_id": sealed_pid, "voter": f1.address,
                                                             "member_id": 1, "commitment": None, "recorded": False})
        # An open ballot's typed data is never served for a sealed proposal: its vote would reach the relayer
        # before the reveal start (the red team's finding).
        ballot_query = urllib.parse.urlencode({"proposal_id": sealed_pid, "voter": f1.address, "support": 1})
        assert http(base, f"/typed-data?{ballot_query}") == (422, {
            "error": f"GovernorProposalSealed: proposal {sealed_pid} is sealed: members commit to their votes, then "
                     "reveal them; nobody votes on it openly"})
        pending = proposal_id(cli.ok("propose", "budget", HOLDER, "3 wei", "--description", "later", "--sealed",
                                     account="f2"))
        pending_query = urllib.parse.urlencode({"proposal_id": pending, "voter": f1.address})
        assert http(base, f"/commitments?{pending_query}") == (422, {
            "error": f"proposal {pending} is Pending, not Active"})
        signature = ballots.sign(typed, f1.key)
        body = CommitmentFile.signed(domain, int(sealed_pid), f1.address, commitment, signature)
        status, accepted = http(base, "/commitments", body)
        assert (status, accepted) == (202, {"id": 1, "proposal_id": sealed_pid, "voter": f1.address, "member_id": 1,
                                            "commitment": "0x" + commitment.hex(), "status": "accepted", "detail": "",
                                            "tx_hash": None})
        assert http(base, "/commitments", body) == (422, {
            "error": f"the relayer already holds a commitment of member 1 on this proposal (from {f1.address})"})
        assert http(base, "/commitments", {**body, "format": "consortium-reveal/1"}) == (422, {
            "error": "not a commitment: expected format 'consortium-commitment/1'"})
        assert http(base, "/commitments", [1, 2]) == (422, {
            "error": "not a commitment: expected format 'consortium-commitment/1'"})
        assert http(base, "/commitments", {k: v for k, v in body.items() if k != "voter"}) == (422, {
            "error": "malformed commitment: voter is missing"})
        assert http(base, "/commitments", b"hello", "text/plain") == (415, {
            "error": "send the body as JSON, with Content-Type: application/json"})
        assert http(base, "/commitments", b"{nope") == (400, {"error": "the body is not JSON"})
        assert http(base, f"/commitments?{query}")[1]["commitment"] == "0x" + commitment.hex()  # held, not recorded
        relayer.submit()
        status, recorded = http(base, "/commitments/1")
        assert status == 200 and recorded["status"] == "included" and recorded["tx_hash"].startswith("0x")
        assert http(base, f"/commitments?{query}")[1]["recorded"] is True
        assert http(base, "/commitments/2") == (404, {"error": "no commitment 2"})
        reveal = RevealFile.of(domain, int(sealed_pid), f1.address, 1, salt)
        assert http(base, "/reveals", reveal) == (422, {
            "error": f"GovernorRevealsNotOpen: votes on proposal {sealed_pid} are revealed from {utc(start)}, not "
                     "before; hand the reveal over from then, or escrow it with the relayer"})
        assert http(base, "/reveals", {**reveal, "support": 3}) == (422, {
            "error": "malformed reveal: support: expected 0 (against), 1 (for) or 2 (abstain), as a JSON integer"})
        to_reveals(cli, sealed_pid)
        status, posted = http(base, "/reveals", reveal)
        assert (status, posted) == (202, {"id": 1, "proposal_id": sealed_pid, "voter": f1.address, "member_id": 1,
                                          "escrow": False, "status": "accepted", "detail": "", "tx_hash": None})
        relayer.submit()
        status, counted = http(base, "/reveals/1")
        assert status == 200 and counted["status"] == "included" and "support" not in counted
        assert http(base, "/reveals", reveal) == (422, {
            "error": f"the vote of {f1.address} on proposal {sealed_pid} is already revealed and counted"})
        assert http(base, "/reveals/9") == (404, {"error": "no reveal 9"})
        openapi = http(base, "/openapi.json")[1]
        for path in ("/commitments", "/reveals", "/typed-data/commitment", "/typed-data/salt",
                     "/commitments/{commitment_id}", "/reveals/{reveal_id}"):
            assert path in openapi["paths"], path
        schema = openapi["paths"]["/reveals"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert schema["properties"]["format"]["const"] == "consortium-reveal/1"
    assert governor(cli).functions.proposalVotes(int(sealed_pid)).call() == [0, 3, 0]
