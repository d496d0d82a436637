"""The relayer on a real devnet: validation, persistence before submission, batching, outcomes, and
what happens after crashes, dropped transactions and RPC errors."""

import json
import logging
import re
import threading
import time
import urllib.request

import pytest
from eth_abi import decode
from eth_account import Account
from eth_account.messages import encode_typed_data
from requests.exceptions import ConnectionError as RequestsConnectionError

from orchestrator.chain.node import Sender
from orchestrator.commands.relay import _submit_loop
from orchestrator.errors import ChainError, InputError, ManifestError
from orchestrator.operations.deploy import contract
from orchestrator.relay import ballots
from orchestrator.relay import relayer as relayer_module
from orchestrator.relay.ballot_file import FORMAT
from orchestrator.relay.relayer import RAN_OUT, RETRY_ALONE, BallotRefused, Relayer, with_retries
from orchestrator.relay.store import RelayStore
from orchestrator.web import relay as relay_api
from orchestrator.web import serving
from tests.integration.conftest import PASSPHRASE
from tests.integration.test_cli_governance import proposal_id
from tests.postgres import postgres_database, postgres_server  # noqa: F401  (fixtures postgres_url, postgres)

HOLDER = "0x" + "11" * 20  # a budget holder: an ordinary proposal about no member
CAST_VOTE_BATCH_TYPES = ["uint256", "(uint256,bytes32,bytes32)[]", "(address,uint8,string,bytes)[]"]


@pytest.fixture
def active(cli, consortium):
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "relay me", account="f1"))
    cli.advance(2)
    return pid


def sign_only(cli, pid, name, support="for", reason=""):
    path = cli.dir / f"{name}.json"
    cli.ok("vote", pid, support, "--reason", reason, "--sign-only", "--out", path, account=name)
    return path


def relayer_for(cli, account=None):
    """A Relayer object on the test's database, as `consortium relay` builds it."""
    from contextlib import ExitStack

    from orchestrator.operations.session import Options, Session
    options = Options(rpc=cli.devnet.url, deployment=cli.dir / "manifest.json", db=cli.env["CONSORTIUM_DB"])
    session = Session(options, ExitStack(), lambda name: "")
    store = RelayStore(options.db, session.w3.eth.chain_id, session.deployment.governor)
    return Relayer(session, store, batch_size=100)


def record_unsent_batch(relayer, cli, active, name):
    """What the relayer does up to the broadcast: accept a ballot, sign its batch, record it."""
    ballot = relayer.receive(json.loads(sign_only(cli, active, name).read_text()))
    call = relayer.session.governor.functions.castVoteBatch(
        int(active), [ballots.compact(ballot.voter, ballot.support, ballot.signature)], [])
    raw, tx_hash, _ = relayer.session.sender.sign(relayer.session.w3, call, "relay")
    return ballot, relayer.store.record_batch(int(active), [ballot.id], tx_hash, raw), tx_hash, raw


@pytest.fixture(autouse=True)
def database(cli, request):
    """SQLite, or a fresh database on the real PostgreSQL server for tests parametrized with BOTH_BACKENDS."""
    if getattr(request, "param", "sqlite") == "postgresql":
        cli.env["CONSORTIUM_DB"] = request.getfixturevalue("postgres_url")
    else:
        cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'relay.db'}"


BOTH_BACKENDS = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)


@BOTH_BACKENDS
def test_ballot_files_are_validated_batched_and_reported(cli, consortium, active):
    files = [sign_only(cli, active, "f1"), sign_only(cli, active, "r1", "against", "too harsh"),
             sign_only(cli, active, "r2", "abstain")]
    out = cli.ok("relay", *files)
    assert out.count("accepted") == 3
    tx_hashes = {line.split()[-1] for line in out.splitlines() if "included in transaction" in line}
    assert len(tx_hashes) == 1  # one batch, mixing the compact and the full layout
    show = cli.ok("proposal", "show", active)
    assert "founding" in show and "3" in show
    assert "regular             0        1        1" in show


def test_bad_ballots_are_refused_with_the_reason(cli, consortium, active):
    good = sign_only(cli, active, "r1")
    data = json.loads(good.read_text())
    tampered = cli.dir / "tampered.json"
    tampered.write_text(json.dumps({**data, "support": 0}))
    wrong_chain = cli.dir / "chain.json"
    wrong_chain.write_text(json.dumps({**data, "chain_id": 1}))
    garbage = cli.dir / "garbage.json"
    garbage.write_text("{not json")
    not_a_ballot = cli.dir / "other.json"
    not_a_ballot.write_text(json.dumps({"hello": 1}))
    deep = cli.dir / "deep.json"  # past Python's recursion limit: a RecursionError if parsed
    deep.write_text("[" * 5000 + "]" * 5000)
    latin = cli.dir / "latin.json"  # not UTF-8: the files after it were never read
    latin.write_bytes(b'{"reason": "caf\xe9"}')
    result = cli("relay", tampered, wrong_chain, garbage, not_a_ballot, deep, latin, good)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    not_theirs = f"the signature is not {data['voter']}'s for this ballot, chain and governor"
    assert lines[0] == f"{tampered}: rejected: {not_theirs}"
    assert lines[1].startswith(f"{wrong_chain}: rejected: the ballot is for governor {data['governor']} on chain 1")
    assert lines[2].startswith(f"{garbage}: rejected: cannot read a ballot from it")
    assert lines[3] == f"{not_a_ballot}: rejected: not a ballot: expected format 'consortium-ballot/1'"
    assert lines[4] == (f"{deep}: rejected: cannot read a ballot from it: nested deeper than 64 levels: line 1 "
                        "column 1 (char 0)")
    assert lines[5] == (f"{latin}: rejected: cannot read a ballot from it: 'utf-8' codec can't decode byte 0xe9 in "
                        "position 15: invalid continuation byte")
    assert lines[6] == f"{good}: accepted"
    assert lines[-1] == "Error: 6 of 7 ballots were not counted"


def test_already_voted_recused_duplicate_and_outsider(cli, consortium, active):
    direct = sign_only(cli, active, "f2")  # signed while it could count (the CLI signs nothing else) …
    cli.ok("vote", active, "for", account="f2")  # … then the member votes directly
    recused = sign_only(cli, active, "r2")
    cli.ok("member", "recuse", active, "--reason", "conflict", account="r2")
    held = sign_only(cli, active, "r1")
    relayer_for(cli).receive(json.loads(held.read_text()))  # accepted, not yet submitted
    stranger = Account.create()
    typed = ballots.member_ballot(relayer_for(cli).domain, int(active), 1, stranger.address)
    outsider = cli.dir / "outsider.json"
    outsider.write_text(json.dumps({**json.loads(held.read_text()), "voter": stranger.address,
                                    "signature": "0x" + ballots.sign(typed, stranger.key).hex()}))
    lines = cli("relay", direct, recused, held, outsider).output.splitlines()
    assert lines[0] == f"{direct}: rejected: {consortium['f2']} has already voted on this proposal"
    assert lines[1] == (f"{recused}: rejected: {consortium['r2']} is recused from this proposal (a declared "
                        "conflict, or the proposal is about its member)")
    assert lines[2] == (f"{held}: rejected: the relayer already holds a ballot of member 3 on this proposal "
                        f"(from {consortium['r1']})")
    assert lines[3] == f"{outsider}: rejected: {stranger.address} is not the seat of a current member"
    assert relayer_for(cli).store.find(int(active), consortium["r1"]).status == "included"  # the held one went


def test_high_s_and_inactive_proposal(cli, consortium, active):
    path = sign_only(cli, active, "r1")
    data = json.loads(path.read_text())
    sig = bytes.fromhex(data["signature"][2:])
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    high = sig[:32] + (n - int.from_bytes(sig[32:64], "big")).to_bytes(32, "big") + bytes([55 - sig[64]])
    path.write_text(json.dumps({**data, "signature": "0x" + high.hex()}))
    assert "malleable (high s)" in cli("relay", path).output
    cli.advance(400)
    path.write_text(json.dumps(data))
    assert f"rejected: proposal {active} is Defeated, not Active" in cli("relay", path).output


def test_a_ballot_for_a_proposal_that_does_not_exist(cli, consortium, active):
    path = sign_only(cli, active, "r1")
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "proposal_id": "12345"}))
    output = cli("relay", path).output
    assert f"{path}: rejected: " in output  # the signature no longer matches, checked first
    relayer = relayer_for(cli)
    with pytest.raises(BallotRefused, match="GovernorNonexistentProposal: there is no proposal 12345"):
        relayer.views.state(12345)


def test_a_ballot_built_by_an_independent_eip712_implementation_is_accepted(cli, consortium, active, w3):
    keyfile = json.loads((cli.dir / "keys" / "r2.json").read_text())
    key = Account.from_key(Account.decrypt(keyfile, PASSPHRASE))
    manifest = json.loads((cli.dir / "manifest.json").read_text())
    governor = manifest["contracts"]["ConsortiumGovernor"]
    typed = {  # written out by hand, as a wallet's eth_signTypedData_v4 request
        "types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                   {"name": "chainId", "type": "uint256"},
                                   {"name": "verifyingContract", "type": "address"}],
                  "MemberBallot": [{"name": "proposalId", "type": "uint256"}, {"name": "support", "type": "uint8"},
                                   {"name": "voter", "type": "address"}, {"name": "reason", "type": "string"}]},
        "primaryType": "MemberBallot",
        "domain": {"name": "Integration", "version": "1", "chainId": 31337, "verifyingContract": governor},
        "message": {"proposalId": int(active), "support": 1, "voter": key.address, "reason": "wallet says yes"}}
    signature = key.sign_message(encode_typed_data(full_message=typed)).signature
    path = cli.dir / "wallet.json"
    path.write_text(json.dumps({"format": FORMAT, "chain_id": 31337, "governor": governor, "proposal_id": active,
                                "voter": key.address, "support": 1, "reason": "wallet says yes",
                                "signature": "0x" + signature.hex()}))
    assert "included in transaction" in cli.ok("relay", path)


def test_accepted_ballots_survive_a_crash_before_submission(cli, consortium, active):
    first = relayer_for(cli)
    for name in ("f1", "r1"):
        first.receive(json.loads(sign_only(cli, active, name).read_text()))
    del first  # the process dies here: nothing was sent
    restarted = relayer_for(cli)
    assert len(restarted.submit()) == 1
    assert {restarted.store.get(i).status for i in (1, 2)} == {"included"}


@BOTH_BACKENDS
def test_a_batch_signed_but_never_broadcast_is_sent_once_after_restart(cli, consortium, active, w3):
    first = relayer_for(cli)
    ballot, _, tx_hash, _ = record_unsent_batch(first, cli, active, "r1")  # ...and the process dies here
    restarted = relayer_for(cli)
    assert restarted.submit() == [tx_hash]
    assert restarted.store.get(ballot.id).status == "included"
    assert restarted.submit() == []  # nothing left: no second submission
    governor = contract(w3, "ConsortiumGovernor", first.session.deployment.governor)
    votes = governor.events.VoteCast().get_logs(from_block=0)
    assert [v["args"]["voter"] for v in votes].count(ballot.voter) == 1


@BOTH_BACKENDS
def test_a_dropped_transaction_returns_its_ballots_to_the_queue(cli, consortium, active, w3):
    """As a user runs it: the relayer recorded a batch and died; meanwhile another transaction took the
    nonce. The next pass sees the batch can never be mined and sends its ballots again, at once: before, it
    waited out receipt time-outs for ten minutes first."""
    relayer = relayer_for(cli)
    ballot, _, tx_hash, _ = record_unsent_batch(relayer, cli, active, "r2")
    sender = relayer.session.sender.address
    w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": sender, "to": sender, "value": 0}))
    started = time.monotonic()
    sent = relayer.submit()
    assert time.monotonic() - started < 120  # at once: not after ten minutes of receipt time-outs, on any host
    assert relayer.store.get(ballot.id).status == "included"
    assert tx_hash not in sent and relayer.store.unmined_batches() == []


def test_transient_rpc_errors_are_retried_with_backoff():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise RequestsConnectionError("connection reset")
        return "ok"

    assert with_retries(flaky, "test", attempts=5, backoff=0.01) == "ok"
    assert len(calls) == 3
    with pytest.raises(ChainError, match="the node did not answer after 2 attempts"):
        with_retries(lambda: (_ for _ in ()).throw(RequestsConnectionError("down")), "test", attempts=2, backoff=0.01)


def test_a_contract_wallet_member_votes_through_the_relayer(cli, consortium, w3):
    owner = Account.create()
    deployer = Sender(w3.eth.accounts[0])
    wallet = deployer.transact(w3, contract(w3, "TestWallet").constructor(owner.address), "wallet")["contractAddress"]
    cli.deploy({consortium["f1"]: "founding", wallet: "regular"})
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "w", account="f1"))
    cli.advance(2)
    domain = relayer_for(cli).domain
    signature = ballots.sign(ballots.member_ballot(domain, int(pid), 1, wallet, ""), owner.key)
    path = cli.dir / "wallet-ballot.json"
    path.write_text(json.dumps({"format": FORMAT, "chain_id": domain["chainId"],
                                "governor": domain["verifyingContract"],
                                "proposal_id": pid, "voter": wallet, "support": 1, "reason": "",
                                "signature": "0x" + signature.hex()}))
    assert "included in transaction" in cli.ok("relay", path)


def test_serve_accepts_over_http_and_submits_in_the_background_and_logs_each_batch(cli, consortium, active, caplog):
    caplog.set_level(logging.INFO, logger="orchestrator.relay.relayer")  # as `relay serve` sets it
    relayer = relayer_for(cli)
    stop = threading.Event()
    threading.Thread(target=_submit_loop, args=(relayer, 0.2, stop), daemon=True).start()
    try:
        with serving.running(relay_api.app(relayer), relay_api.MAX_BODY) as base:
            body = sign_only(cli, active, "r1").read_bytes()
            request = urllib.request.Request(f"{base}/ballots", data=body,
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request) as response:
                assert response.status == 202
                ballot_id = json.loads(response.read())["id"]
            bad = urllib.request.Request(f"{base}/ballots", data=b'{"format": "x"}',
                                         headers={"Content-Type": "application/json"})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(bad)
            assert refused.value.code == 422
            assert json.loads(refused.value.read())["error"] == "not a ballot: expected format 'consortium-ballot/1'"
            # The submitter commits the batch's outcome before it logs it: both are waited for, a minute at most.
            deadline = time.monotonic() + 60
            status, logged = None, []
            while time.monotonic() < deadline and not (status == "included" and logged):
                with urllib.request.urlopen(f"{base}/ballots/{ballot_id}") as response:
                    status = json.loads(response.read())["status"]
                logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("batch ")]
                time.sleep(0.2)
            assert status == "included"
            tx_hash = relayer.store.get(ballot_id).tx_hash
            assert len(logged) == 1 and re.fullmatch(
                rf"batch \d+: 1 ballots counted, 0 rejected by the governor, in {tx_hash} "
                r"\(block \d+, [\d,]+ gas\)", logged[0]), logged
    finally:
        stop.set()


def test_the_eip712_negative_cases_are_refused_by_the_relayer(cli, consortium, active, w3):
    """The relayer's side of tests/security/test_signature_negatives.py: each case refused with its reason
    before anything is stored or sent."""
    relayer = relayer_for(cli)
    data = json.loads(sign_only(cli, active, "r1").read_text())
    key = Account.create()
    not_theirs = f"the signature is not {data['voter']}'s for this ballot, chain and governor"

    def signed(domain=None, **fields):
        ballot = {**data, **fields}
        typed = ballots.member_ballot(domain or relayer.domain, int(ballot["proposal_id"]), ballot["support"],
                                      ballot["voter"], ballot.get("reason", ""))
        return {**ballot, "signature": "0x" + ballots.sign(typed, key.key).hex()}

    sig = bytes.fromhex(data["signature"][2:])
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    other = proposal_id(cli.ok("propose", "budget", HOLDER, "2 wei", "--description", "another", account="f2"))
    cases = {
        "wrong chain id": ({**data, "chain_id": 1}, "the ballot is for governor .* on chain 1; this relayer serves"),
        "wrong verifying contract": ({**data, "governor": consortium["f1"]}, f"the ballot is for governor "
                                     f"{consortium['f1']} on chain 31337"),
        "signed for another chain, claims this one": (
            {**data, "signature": "0x" + ballots.sign(ballots.member_ballot(
                {**relayer.domain, "chainId": 1}, int(active), 1, data["voter"]), key.key).hex()}, not_theirs),
        "replay on another proposal": ({**data, "proposal_id": other}, not_theirs),
        "high-s malleable signature": ({**data, "signature": "0x" + (sig[:32] + (n - int.from_bytes(
            sig[32:64], "big")).to_bytes(32, "big") + bytes([55 - sig[64]])).hex()}, "malleable"),
        "signer is not the voter": (signed(), not_theirs),
        # (64 bytes would be EIP-2098: the same signature when v is 27, so one byte more is cut)
        "truncated signature": ({**data, "signature": data["signature"][:-4]}, not_theirs),
        "garbage signature": ({**data, "signature": "0x" + bytes(range(65)).hex()}, not_theirs),
        "signature not hex": ({**data, "signature": "0xzz"}, "malformed ballot"),
    }
    for name, (ballot, reason) in cases.items():
        with pytest.raises(BallotRefused, match=reason):
            relayer.receive(ballot)
        assert relayer.store.find(int(active), data["voter"]) is None, name

    chain_id = w3.eth.chain_id  # a fork changes the chain id
    manifest = cli.dir / "manifest.json"
    original = manifest.read_text()
    cli.rpc("anvil_setChainId", chain_id + 1)
    try:
        with pytest.raises(ManifestError, match=f"is for chain {chain_id}, but the node is chain {chain_id + 1}"):
            relayer_for(cli)  # the old deployment's manifest does not serve the fork
        manifest.write_text(json.dumps({**json.loads(original), "chain_id": chain_id + 1}))
        forked = relayer_for(cli)  # an operator who follows the fork: old ballots are still refused
        with pytest.raises(BallotRefused, match=f"on chain {chain_id}; this relayer serves .* on chain {chain_id + 1}"):
            forked.receive(data)
        with pytest.raises(BallotRefused, match=not_theirs):  # the file relabelled: the signature still says old
            forked.receive({**data, "chain_id": chain_id + 1})
    finally:
        cli.rpc("anvil_setChainId", chain_id)
        manifest.write_text(original)
    assert relayer.receive(data).status == "accepted"  # the genuine ballot, untouched by all of the above


def test_an_erc1271_wallet_that_does_not_vouch_is_refused(cli, consortium, w3):
    owner = Account.create()
    wallet = Sender(w3.eth.accounts[0]).transact(w3, contract(w3, "TestWallet").constructor(owner.address),
                                                 "wallet")["contractAddress"]
    cli.deploy({consortium["f1"]: "founding", wallet: "regular"})
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "w", account="f1"))
    cli.advance(2)
    relayer = relayer_for(cli)
    forged = ballots.sign(ballots.member_ballot(relayer.domain, int(pid), 1, wallet, ""), Account.create().key)
    ballot = {"format": FORMAT, "chain_id": relayer.domain["chainId"], "governor": relayer.domain["verifyingContract"],
              "proposal_id": pid, "voter": wallet, "support": 1, "reason": "", "signature": "0x" + forged.hex()}
    with pytest.raises(BallotRefused, match=f"{wallet} is a contract wallet and does not vouch for this ballot"):
        relayer.receive(ballot)


def wallet_ballot(relayer, pid, wallet, owner) -> dict:
    domain = relayer.domain
    signature = ballots.sign(ballots.member_ballot(domain, int(pid), 1, wallet, ""), owner.key)
    return {"format": FORMAT, "chain_id": domain["chainId"], "governor": domain["verifyingContract"],
            "proposal_id": pid, "voter": wallet, "support": 1, "reason": "", "signature": "0x" + signature.hex()}


def test_a_wallet_that_burns_gas_only_when_mined_costs_its_own_ballot_and_no_other(cli, consortium, w3):
    """The wallet answers honestly and cheaply to the relayer's check and to the gas estimate (gas price
    zero) and burns the whole allowance the governor gives it in the mined batch. The relayer funds every
    wallet's full allowance, so the batch runs: the honest ballots count, the wallet's alone is rejected.
    Before, the batch ran short of gas and reverted (GovernorBatchUnderfunded), losing every ballot."""
    owner = Account.create()
    burn_when_gas_is_paid = 2  # TestHostileWallet.Mode
    wallet = Sender(w3.eth.accounts[0]).transact(
        w3, contract(w3, "TestHostileWallet").constructor(owner.address, 0, burn_when_gas_is_paid),
        "wallet")["contractAddress"]
    cli.deploy({consortium["f1"]: "founding", consortium["r1"]: "regular", consortium["r2"]: "regular",
                wallet: "regular"})
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "w", account="f1"))
    cli.advance(2)
    relayer = relayer_for(cli)
    for name in ("f1", "r1", "r2"):
        relayer.receive(json.loads(sign_only(cli, pid, name).read_text()))
    relayer.receive(wallet_ballot(relayer, pid, wallet, owner))
    relayer.submit()
    outcomes = {relayer.store.find(int(pid), voter).status for voter in (consortium["f1"], consortium["r1"],
                                                                         consortium["r2"])}
    assert outcomes == {"included"}
    assert (relayer.store.find(int(pid), wallet).status, relayer.store.find(int(pid), wallet).detail) == (
        "rejected", "invalid signature")
    # Resending would let it burn the relayer's gas again at every pass: a ballot the chain has seen is final.
    with pytest.raises(InputError, match=f"the relayer already sent a ballot of {wallet} on this proposal; "
                                            "the chain rejected it: invalid signature"):
        relayer.receive(wallet_ballot(relayer, pid, wallet, owner))


def test_a_member_has_one_ballot_in_the_relayer_whichever_seat_signs(cli, consortium, active):
    relayer = relayer_for(cli)
    relayer.receive(json.loads(sign_only(cli, active, "r1").read_text()))
    new_seat = cli.wallet("r1-new")
    cli.ok("member", "rotate-seat", new_seat, account="r1")
    with pytest.raises(BallotRefused, match=f"already holds a ballot of member 3 on this proposal .from "
                                            f"{consortium['r1']}"):
        relayer.receive(json.loads(sign_only(cli, active, "r1-new").read_text()))


def test_an_oversized_signature_is_refused(cli, consortium, active):
    relayer = relayer_for(cli)
    data = json.loads(sign_only(cli, active, "r1").read_text())
    data["signature"] = "0x" + "ab" * 2049
    with pytest.raises(BallotRefused, match="the signature is 2049 bytes; at most 2048"):
        relayer.receive(data)


# ───── one ballot cannot stop the relayer: each failure costs its own ballot only ─────


def resigned(path, signature: bytes) -> dict:
    return {**json.loads(path.read_text()), "signature": "0x" + signature.hex()}


@BOTH_BACKENDS
def test_signatures_with_a_bare_recovery_id_or_in_64_bytes_are_counted(cli, consortium, active):
    """v of 0/1 (the recovery id some signers return) crashed the compact encoding at submission and with
    it every later batch; a 64-byte EIP-2098 signature was refused. Both are the same signature."""
    relayer = relayer_for(cli)
    bare = sign_only(cli, active, "r1")
    signature = bytes.fromhex(json.loads(bare.read_text())["signature"][2:])
    relayer.receive(resigned(bare, signature[:64] + bytes([signature[64] - 27])))
    short = sign_only(cli, active, "r2", reason="in 64 bytes")
    signature = bytes.fromhex(json.loads(short.read_text())["signature"][2:])
    vs = ((signature[64] - 27) << 255) | int.from_bytes(signature[32:64], "big")
    relayer.receive(resigned(short, signature[:32] + vs.to_bytes(32, "big")))
    relayer.receive(json.loads(sign_only(cli, active, "f1").read_text()))
    relayer.submit()
    for name in ("r1", "r2", "f1"):
        stored = relayer.store.find(int(active), consortium[name])
        assert (stored.status, len(stored.signature), stored.signature[64] in (27, 28)) == ("included", 65, True)


@BOTH_BACKENDS
def test_a_stored_ballot_that_cannot_be_encoded_costs_only_itself(cli, consortium, active):
    """A ballot stored before v was normalised (or corrupted in the database) used to raise out of the
    submission pass at every try, stopping every ballot queued after it."""
    relayer = relayer_for(cli)
    good = [relayer.receive(json.loads(sign_only(cli, active, name).read_text())) for name in ("f1", "r1")]
    signature = bytes.fromhex(json.loads(sign_only(cli, active, "r2").read_text())["signature"][2:])
    broken = relayer.store.accept(int(active), consortium["r2"], 4, 1, "", signature[:64] + b"\x05", "ecdsa").id
    relayer.submit()
    assert [relayer.store.get(b.id).status for b in good] == ["included", "included"]
    assert (relayer.store.get(broken).status, relayer.store.get(broken).detail) == (
        "rejected", "not submitted: a ballot cannot be encoded: only a 65-byte signature with v of 27 or 28 has "
        "a compact form")


def refuse_voter(monkeypatch, voter: str, where: str, message: str = "poisoned by the test"):
    """The node refuses (estimate or broadcast) every transaction whose calldata carries `voter`."""
    from orchestrator.chain.node import Sender as RealSender
    needle = bytes.fromhex(voter[2:].lower())
    refused = []
    if where == "estimate":
        real_sign = RealSender.sign

        def sign(self, w3, call, what, value=0, extra_gas=0, preset=None, ceiling=None):
            raw, tx_hash, tx = real_sign(self, w3, call, what, value, extra_gas, preset, ceiling)
            if needle in raw:
                _, compact, full = decode(CAST_VOTE_BATCH_TYPES, call.data[4:])
                refused.append(len(compact) + len(full))
                raise relayer_module.CallRefused(f"{what}: {message}")
            return raw, tx_hash, tx
        monkeypatch.setattr(RealSender, "sign", sign)
    else:
        real_broadcast = relayer_module.broadcast

        def broadcast(w3, raw):
            if needle in raw:
                refused.append(raw)
                raise relayer_module.CallRefused(f"broadcast: the node refused it: {message}")
            return real_broadcast(w3, raw)
        monkeypatch.setattr(relayer_module, "broadcast", broadcast)
    return refused


@BOTH_BACKENDS
@pytest.mark.parametrize("where", ["estimate", "broadcast"])
def test_a_ballot_the_node_refuses_is_found_by_splitting_and_the_others_are_counted(
        cli, consortium, active, monkeypatch, where):
    """Before, a batch whose estimate failed was rejected whole ("not submitted"), and a refused broadcast
    raised out of every pass. Now the batch is split until the refused ballot is alone."""
    relayer = relayer_for(cli)
    names = ["f1", "f2", "r1", "r2"]
    for name in names:
        relayer.receive(json.loads(sign_only(cli, active, name).read_text()))
    refused = refuse_voter(monkeypatch, consortium["r1"], where)
    relayer.submit()
    outcome = {name: relayer.store.find(int(active), consortium[name]) for name in names}
    assert {name: b.status for name, b in outcome.items()} == {
        "f1": "included", "f2": "included", "r1": "rejected", "r2": "included"}
    assert outcome["r1"].detail.endswith("poisoned by the test")
    assert len(refused) == 3  # 4 → 2 → 1: a bisection, not one try per ballot
    # Its voter can send it again (here the node has stopped refusing): the rejection does not block it.
    monkeypatch.undo()
    again = relayer.receive(json.loads(sign_only(cli, active, "r1").read_text()))
    assert again.id == outcome["r1"].id and again.status == "accepted"
    relayer.submit()
    assert relayer.store.get(again.id).status == "included"


@BOTH_BACKENDS
def test_a_recorded_batch_the_node_refuses_no_longer_blocks_every_later_batch(cli, consortium, active,
                                                                                 monkeypatch):
    relayer = relayer_for(cli)
    poison, _, _, _ = record_unsent_batch(relayer, cli, active, "r1")  # signed and recorded, then the crash
    later = relayer.receive(json.loads(sign_only(cli, active, "r2").read_text()))
    refuse_voter(monkeypatch, poison.voter, "broadcast")
    relayer.submit()
    assert relayer.store.get(later.id).status == "included"
    assert relayer.store.get(poison.id).status == "rejected"
    assert relayer.store.unmined_batches() == []


def test_a_batch_that_needs_more_gas_than_a_block_holds_is_split(cli, consortium, active, monkeypatch):
    relayer = relayer_for(cli)
    names = ["f1", "f2", "r1", "r2"]
    for name in names:
        relayer.receive(json.loads(sign_only(cli, active, name, reason="in full").read_text()))
    w3 = relayer.session.w3
    one = relayer.store.find(int(active), consortium["f1"])
    alone = relayer.session.governor.functions.castVoteBatch(int(active), [], [
        (one.voter, one.support, one.reason, one.signature)]).estimate_gas({"from": relayer.session.sender.address})
    real_get_block = w3.eth.get_block

    def small_blocks(*args, **kwargs):  # the node's blocks, as if their gas limit were a ballot and a bit
        return {**real_get_block(*args, **kwargs), "gasLimit": alone + 10_000}
    monkeypatch.setattr(w3.eth, "get_block", small_blocks)
    sent = relayer.submit()
    assert {relayer.store.find(int(active), consortium[n]).status for n in names} == {"included"}
    assert len(sent) >= 3
    for tx_hash in sent:  # every transaction's gas limit fits the (pretended) block
        assert w3.eth.get_transaction(tx_hash)["gas"] <= alone + 10_000


@BOTH_BACKENDS
def test_a_batch_that_reverts_when_mined_is_sent_again_ballot_by_ballot(cli, consortium, w3, monkeypatch):
    """The wallet burns all its gas only when mined; with its allowance unfunded (as before the relayer
    funded it, and with a gas bound too tight to hold it) the batch reverts. Its ballots are not lost or
    rejected as "not mentioned": each goes again alone, the honest ones count, and the wallet's alone is
    rejected as reverted."""
    monkeypatch.setattr(relayer_module, "BATCH_GAS", 0)
    monkeypatch.setattr(relayer_module, "BALLOT_GAS", 50_000)
    owner = Account.create()
    wallet = Sender(w3.eth.accounts[0]).transact(
        w3, contract(w3, "TestHostileWallet").constructor(owner.address, 0, 2), "wallet")["contractAddress"]
    cli.deploy({consortium["f1"]: "founding", consortium["r1"]: "regular", wallet: "regular"})
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "w", account="f1"))
    cli.advance(2)
    relayer = relayer_for(cli)
    for name in ("f1", "r1"):
        relayer.receive(json.loads(sign_only(cli, pid, name).read_text()))
    relayer.receive(wallet_ballot(relayer, pid, wallet, owner))
    relayer.wallet_gas = 0  # the funding a wallet's allowance needs, withheld
    first = relayer.submit()
    assert w3.eth.get_transaction_receipt(first[0])["status"] == 0
    assert {relayer.store.find(int(pid), consortium[n]).detail for n in ("f1", "r1")} == {RETRY_ALONE}
    relayer.submit()
    assert {relayer.store.find(int(pid), consortium[n]).status for n in ("f1", "r1")} == {"included"}
    assert (relayer.store.find(int(pid), wallet).status, relayer.store.find(int(pid), wallet).detail) == (
        "rejected", "its transaction reverted when mined")


@BOTH_BACKENDS
def test_a_batch_that_runs_out_of_its_gas_bound_is_sent_again_estimated(cli, consortium, active, monkeypatch):
    """Open ballots go unestimated, with ballot_batch_gas as their limit. Were a batch to need more (here the
    bound is made too small), it runs out of gas and counts nothing: its ballots are queued again together,
    and the next pass asks the node's estimate, with which they count."""
    relayer = relayer_for(cli)
    names = ["f1", "f2", "r1"]
    for name in names:
        relayer.receive(json.loads(sign_only(cli, active, name).read_text()))
    monkeypatch.setattr(relayer_module, "BATCH_GAS", 0)
    monkeypatch.setattr(relayer_module, "BALLOT_GAS", 1_000)
    (first,) = relayer.submit()
    w3 = relayer.session.w3
    receipt, sent = w3.eth.get_transaction_receipt(first), w3.eth.get_transaction(first)
    assert (receipt["status"], receipt["gasUsed"]) == (0, sent["gas"])
    assert {relayer.store.find(int(active), consortium[n]).detail for n in names} == {RAN_OUT}
    (second,) = relayer.submit()
    assert {relayer.store.find(int(active), consortium[n]).status for n in names} == {"included"}
    assert w3.eth.get_transaction(second)["gas"] > sent["gas"]


def test_a_batch_too_large_to_relay_is_split(cli, consortium, active, monkeypatch):
    """Nodes relay transactions of at most 128 KiB: 100 wallet ballots with 2 KB signatures would be
    accepted by the local node and never mined. Pretended here with a limit that two ballots exceed."""
    from orchestrator.chain import node
    relayer = relayer_for(cli)
    names = ["f1", "f2", "r1", "r2"]
    for name in names:
        relayer.receive(json.loads(sign_only(cli, active, name, reason="x" * 300).read_text()))
    monkeypatch.setattr(node, "MAX_TRANSACTION_BYTES", 1_300)
    sent = relayer.submit()
    assert {relayer.store.find(int(active), consortium[n]).status for n in names} == {"included"}
    assert len(sent) == 4
    w3 = relayer.session.w3
    assert all(len(w3.eth.get_raw_transaction(h)) <= 1_300 for h in sent)


def test_ballots_checked_together_get_each_its_own_answer_and_none_stops_the_others(cli, consortium, active):
    """What `relay serve` does with concurrent POSTs (intake.py): one group, checked in two round trips and
    stored in one transaction. Each hostile ballot is refused with the reason it gets alone, and the honest
    ones in the same group are stored."""
    direct = json.loads(sign_only(cli, active, "f2").read_text())
    cli.ok("vote", active, "for", account="f2")
    recused = json.loads(sign_only(cli, active, "r2").read_text())
    cli.ok("member", "recuse", active, "--reason", "conflict", account="r2")
    honest, again = (json.loads(sign_only(cli, active, name).read_text()) for name in ("r1", "r1"))
    stranger = Account.create()
    relayer = relayer_for(cli)
    typed = ballots.member_ballot(relayer.domain, int(active), 1, stranger.address)
    outsider = {**honest, "voter": stranger.address, "signature": "0x" + ballots.sign(typed, stranger.key).hex()}
    founder = json.loads(sign_only(cli, active, "f1").read_text())
    group = [direct, {**honest, "signature": "0xzz"}, recused, honest, outsider, again,
             {**founder, "proposal_id": "12345"}, founder]
    outcomes = relayer.receive_many(group)
    expected = [f"{consortium['f2']} has already voted on this proposal", "malformed ballot",
                f"{consortium['r2']} is recused from this proposal", None,
                f"{stranger.address} is not the seat of a current member",
                f"the relayer already holds a ballot of member 3 on this proposal (from {consortium['r1']})",
                f"the signature is not {consortium['f1']}'s", None]
    for outcome, reason in zip(outcomes, expected, strict=True):
        if reason is None:
            assert outcome.status == "accepted"
        else:
            assert isinstance(outcome, InputError) and reason in str(outcome), (outcome, reason)
    assert {relayer.store.find(int(active), consortium[n]).status for n in ("r1", "f1")} == {"accepted"}


def test_batches_are_sent_without_awaiting_each_ones_receipt(cli, consortium, active, monkeypatch):
    """A pass sends its batches one after another, up to IN_FLIGHT awaiting their receipts at once, so that
    the node mines one while the relayer signs the next; every ballot is settled by the end of the pass."""
    monkeypatch.setattr(relayer_module, "IN_FLIGHT", 2)
    relayer = relayer_for(cli)
    relayer.batch_size = 1
    names = ["f1", "f2", "r1", "r2"]
    for name in names:
        relayer.receive(json.loads(sign_only(cli, active, name).read_text()))
    broadcasts, settled_after = [], []
    real_broadcast, real_settle = relayer_module.broadcast, relayer._settle
    monkeypatch.setattr(relayer_module, "broadcast", lambda w3, raw: (broadcasts.append(raw), real_broadcast(w3, raw)))
    monkeypatch.setattr(relayer, "_settle", lambda *a: (settled_after.append(len(broadcasts)), real_settle(*a))[1])
    sent = relayer.submit()
    assert settled_after == [3, 4, 4, 4]  # the first settled once the third was with the node
    assert {relayer.store.find(int(active), consortium[n]).status for n in names} == {"included"}
    w3 = relayer.session.w3
    nonces = [w3.eth.get_transaction(tx_hash)["nonce"] for tx_hash in sent]
    assert nonces == list(range(nonces[0], nonces[0] + 4))


def test_a_nonce_taken_while_batches_are_in_flight_costs_one_pass_and_no_ballot(cli, consortium, active, w3,
                                                                                monkeypatch):
    """Two other transactions of the relayer's account take the nonces the pass counted for its first two
    batches: the first batch is dropped and its ballot queued again, and the series asks the node for the
    nonce anew, so that the next batches count (awaited one by one here, IN_FLIGHT 0); the next pass sends
    the dropped one. Counting on from its own nonce instead, the series lost a second batch."""
    monkeypatch.setattr(relayer_module, "IN_FLIGHT", 0)
    relayer = relayer_for(cli)
    relayer.batch_size = 1
    names = ["f1", "f2", "r1"]
    for name in names:
        relayer.receive(json.loads(sign_only(cli, active, name).read_text()))
    sender = relayer.session.sender.address
    real_broadcast = relayer_module.broadcast
    taken = []

    def broadcast(w3_, raw):
        while len(taken) < 2:  # the other transactions arrive first
            taken.append(w3.eth.wait_for_transaction_receipt(
                w3.eth.send_transaction({"from": sender, "to": sender, "value": 0})))
        return real_broadcast(w3_, raw)
    monkeypatch.setattr(relayer_module, "broadcast", broadcast)
    relayer.submit()
    statuses = [relayer.store.find(int(active), consortium[n]).status for n in names]
    assert sorted(statuses) == ["accepted", "included", "included"]
    relayer.submit()
    assert {relayer.store.find(int(active), consortium[n]).status for n in names} == {"included"}
