"""A member whose seat is a real Safe 1.4.1 (npm @safe-global/safe-contracts, 2-of-3) votes through the CLI:
`vote --voter SAFE --sign-only` writes the owners' request, one owner signs with `ballot sign` (a consortium
keystore), another with the node's own eth_signTypedData_v4, `ballot combine` writes the ballot file, `relay`
submits it (and the relay API's POST /ballots takes the same file) and the governor counts it through the Safe's
ERC-1271 answer; and a direct vote with the printed
calldata, executed by the owners (execTransaction). Every error path's exact message."""

import json
import urllib.request

import pytest
from eth_account import Account
from web3.logs import DISCARD

from orchestrator.commands.common import when
from orchestrator.operations.deploy import contract
from orchestrator.relay import ballots, safe
from orchestrator.web import relay as relay_api
from orchestrator.web import serving
from tests import safe as safes
from tests.integration.test_cli_members import HOLDER, deploy, proposal_id
from tests.integration.test_relayer import relayer_for

NAME = "Multisig Holdings SA"


class SafeMember:
    def __init__(self, cli, w3):
        self.cli, self.w3 = cli, w3
        cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'relay.db'}"  # the relayer's store, this test's own
        self.owner0 = cli.wallet("owner0")  # a consortium keystore: signs with `ballot sign`
        self.owner1, self.owner2 = w3.eth.accounts[7], w3.eth.accounts[8]  # the node's: eth_signTypedData_v4
        self.owners = sorted([self.owner0, self.owner1, self.owner2], key=lambda a: int(a, 16))
        contracts = safes.deploy_contracts(w3)
        self.address = safes.create_safe(w3, contracts, [self.owner0, self.owner1, self.owner2], 2)
        self.factory = contracts.factory  # a contract that is not a Safe
        self.bare = safes.create_safe(w3, contracts, [self.owner1, self.owner2], 1, with_handler=False)
        self.seats = {name: cli.wallet(name) for name in ("f1", "f2", "outsider")}
        deploy(cli, [(self.seats["f1"], "founding", "Acme Ltd", "CH"), (self.seats["f2"], "founding", "Beta AG", "DE"),
                     (self.address, "regular", NAME, "LU"), (self.factory, "regular", "Factory Co", "LU"),
                     (self.bare, "regular", "Bare Safe SA", "LU")], voting_delay=60)
        self.governor = contract(w3, "ConsortiumGovernor", cli.manifest()["contracts"]["ConsortiumGovernor"])
        self.who = f"Safe {self.address} (member 3 {NAME})"

    def propose(self, description: str = "d") -> str:
        return proposal_id(self.cli.ok("propose", "budget", HOLDER, "1 ether", "--description", description,
                                       account="f1"))

    def request(self, pid: str, support: str = "for", *extra) -> tuple:
        path = self.cli.dir / f"request-{pid[:8]}-{support}.json"
        self.cli.ok("vote", pid, support, "--voter", self.address, "--sign-only", "--out", path, *extra)
        return path, json.loads(path.read_text())

    def tally(self, pid: str) -> tuple:
        """The regular tier's tally: (against, for, abstain)."""
        return tuple(self.governor.functions.proposalTierVotes(int(pid), 1).call())


@pytest.fixture
def member(cli, w3):
    return SafeMember(cli, w3)


def test_a_safe_member_votes_with_its_owners_signatures_and_by_executing_the_vote(cli, w3, member):
    pid = member.propose()
    snapshot = member.governor.functions.proposalSnapshot(int(pid)).call()
    # Pending: the request is written, with when voting opens
    early = cli.dir / "early.json"
    out = cli.ok("vote", pid, "abstain", "--voter", NAME.lower(), "--sign-only", "--out", early)
    assert out.splitlines()[-1] == (f"note: proposal {pid} is Pending: voting opens at {when(snapshot + 1)}, and a "
                                    "relayer accepts the ballot from then")
    early_request = json.loads(early.read_text())
    early_signatures = ["0x" + safes.sign_typed_data(w3, owner, early_request["safe_message"]).hex()
                        for owner in (member.owner1, member.owner2)]
    out = cli.ok("ballot", "combine", early, *early_signatures, "--out", cli.dir / "early-ballot.json")
    assert out.splitlines()[-1] == (f"note: proposal {pid} is Pending: voting opens at {when(snapshot + 1)}, and a "
                                    "relayer accepts the ballot from then")
    cli.advance(61)
    path = cli.dir / "request.json"
    out = cli.ok("vote", pid, "for", "--voter", "3", "--sign-only", "--reason", "as our board decided", "--out", path)
    request = json.loads(path.read_text())
    typed, message = request["member_ballot"], request["safe_message"]
    digest, message_hash = ballots.digest(typed), ballots.digest(message)
    assert out.splitlines() == [
        f"ballot request written to {path}: {member.who} votes for on proposal {pid}",
        f"Safe message hash 0x{message_hash.hex()} (the ballot's EIP-712 digest 0x{digest.hex()}); owners: "
        f"{', '.join(safe.read(w3, member.address).owners)}",
        f"1. 2 of its 3 owners sign it: `consortium --account NAME ballot sign {path} --out NAME.json`, or "
        "eth_signTypedData_v4 of its \"safe_message\" in any wallet",
        f"2. `consortium ballot combine {path} SIGNATURE...` (files or 0x-hex) writes the ballot file",
        "3. `consortium relay BALLOT`, or POST it to a relayer's /ballots"]
    # the request: the MemberBallot as the governor hashes it, the SafeMessage as the Safe itself hashes it
    assert (request["format"], request["voter"], request["support"], request["reason"]) == (
        "consortium-safe-ballot-request/1", member.address, 1, "as our board decided")
    assert typed["domain"]["verifyingContract"] == member.governor.address
    assert message["domain"] == {"chainId": 31337, "verifyingContract": member.address}
    assert message["message"] == {"message": "0x" + digest.hex()}
    safe_abi = w3.eth.contract(address=member.address, abi=safes.artifact("CompatibilityFallbackHandler")["abi"])
    assert safe_abi.functions.getMessageHash(digest).call() == message_hash
    assert request["safe_message_hash"] == "0x" + message_hash.hex()
    assert request["safe"] == {"version": "1.4.1", "owners": safe.read(w3, member.address).owners, "threshold": 2}
    # owner 0 signs with its keystore; owner 1 with the node's eth_signTypedData_v4
    signed = cli.dir / "owner0.json"
    out = cli.ok("ballot", "sign", path, "--out", signed, account="owner0")
    lines = out.splitlines()
    assert lines[:2] == [f"owner {member.owner0} signed Safe message 0x{message_hash.hex()} of Safe {member.address}",
                         f"signature written to {signed}"]
    assert json.loads(signed.read_text())["signature"] == lines[2]
    assert Account._recover_hash(message_hash, signature=bytes.fromhex(lines[2][2:])) == member.owner0
    by_node = "0x" + safes.sign_typed_data(w3, member.owner1, message).hex()
    ballot = cli.dir / "ballot.json"
    out = cli.ok("ballot", "combine", path, by_node, signed, "--out", ballot)
    both = sorted([member.owner0, member.owner1], key=lambda a: int(a, 16))
    assert out.splitlines() == [
        f"ballot written to {ballot}: Safe {member.address} vouches for it (ERC-1271), signed by 2 of its owners "
        f"({', '.join(both)}; threshold 2)",
        f"next: `consortium relay {ballot}`, or POST it to a relayer's /ballots"]
    content = json.loads(ballot.read_text())
    assert (content["format"], content["voter"], content["proposal_id"], content["reason"]) == (
        "consortium-ballot/1", member.address, pid, "as our board decided")
    sigs = {member.owner0: lines[2][2:], member.owner1: by_node[2:]}
    assert content["signature"] == "0x" + "".join(sigs[o] for o in both)  # ascending owners, 65 bytes each
    # relayed and counted, with the Safe as the voter
    out = cli.ok("relay", ballot)
    assert out.splitlines()[0] == f"{ballot}: accepted"
    assert out.splitlines()[1].startswith(f"{ballot}: included in transaction 0x")
    tx = out.splitlines()[1].rsplit(" ", 1)[1]
    (event,) = member.governor.events.VoteCast().process_receipt(w3.eth.get_transaction_receipt(tx), errors=DISCARD)
    assert (event["args"]["voter"], event["args"]["proposalId"], event["args"]["support"], event["args"]["weight"],
            event["args"]["reason"]) == (member.address, int(pid), 1, 1, "as our board decided")
    assert member.governor.functions.hasVoted(int(pid), member.address).call()
    assert member.tally(pid) == (0, 1, 0)
    # once it voted, no request for it is written, and no ballot combined
    assert cli.fails("ballot", "combine", path, by_node, signed, "--out", cli.dir / "again.json") == (
        f"Error: not combined, the ballot could never count: {member.address} has already voted on this proposal")
    assert not (cli.dir / "again.json").exists()
    assert cli.fails("vote", pid, "against", "--voter", member.address, "--sign-only") == (
        f"Error: no request written, the ballot could never count: {member.address} has already voted on this "
        "proposal")

    # the direct vote: the calldata the owners execute through the Safe
    second = member.propose("second")
    cli.advance(61)
    out = cli.ok("vote", second, "against", "--voter", member.address, "--calldata", "--reason", "no")
    data = member.governor.functions.castVoteWithReason(int(second), 0, "no")._encode_transaction_data()
    assert out.splitlines() == [
        f"the transaction {member.who} executes to vote against on proposal {second} (2 of its 3 owners sign it):",
        f"  to     {member.governor.address} (the governor)", "  value  0", f"  data   {data}",
        "propose it in Safe{Wallet}: New transaction → Transaction Builder → the governor's address, \"Custom data\" "
        "on, value 0, this data"]
    receipt = safes.exec_transaction(w3, member.address, [member.owner1, member.owner2], member.governor.address,
                                     bytes.fromhex(out.splitlines()[3].split()[1][2:]))
    assert safes.safe_contract(w3, member.address).events.ExecutionSuccess().process_receipt(receipt, errors=DISCARD)
    (event,) = member.governor.events.VoteCast().process_receipt(receipt, errors=DISCARD)
    assert (event["args"]["voter"], event["args"]["support"], event["args"]["reason"]) == (member.address, 0, "no")
    assert member.tally(second) == (1, 0, 0)


def test_owner_signatures_in_the_forms_the_safe_reads(cli, w3, member):
    pid = member.propose()
    cli.advance(61)
    path, request = member.request(pid)
    message_hash = bytes.fromhex(request["safe_message_hash"][2:])
    typed = safes.sign_typed_data(w3, member.owner1, request["safe_message"])
    recovery_id = typed[:64] + bytes([typed[64] - 27])  # v 0/1, as some hardware wallets return it
    eth_signed = bytes.fromhex(w3.provider.make_request("eth_sign", [member.owner2, "0x" + message_hash.hex()])
                               ["result"][2:])
    eth_sign = eth_signed[:64] + bytes([eth_signed[64] + 4])  # eth_sign, v + 4 as checkSignatures reads it
    hex_file = cli.dir / "owner2.txt"
    hex_file.write_text("0x" + eth_sign.hex() + "\n")
    ballot = cli.dir / "ballot.json"
    cli.ok("ballot", "combine", path, "0x" + recovery_id.hex(), hex_file, "--out", ballot)
    signature = bytes.fromhex(json.loads(ballot.read_text())["signature"][2:])
    by_owner = {member.owner1: typed, member.owner2: eth_sign}  # v 0/1 written as 27/28; eth_sign kept as given
    assert signature == b"".join(by_owner[o] for o in sorted(by_owner, key=lambda a: int(a, 16)))
    # the relay API takes the same file
    relayer = relayer_for(cli)
    with serving.running(relay_api.app(relayer), relay_api.MAX_BODY) as base:
        request = urllib.request.Request(f"{base}/ballots", data=ballot.read_bytes(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            status, answer = response.status, json.loads(response.read())
    assert (status, answer["status"]) == (202, "accepted"), answer
    relayer.submit()
    assert relayer.store.get(answer["id"]).status == "included"
    assert member.tally(pid) == (0, 1, 0)


def test_safe_ballot_errors(cli, w3, member):
    pid = member.propose()
    other = member.propose("other")
    cli.advance(61)
    seats, address = member.seats, member.address
    # the voter: a member's seat, a contract, a Safe
    assert cli.fails("vote", pid, "for", "--voter", seats["outsider"], "--sign-only") == \
        f"Error: {seats['outsider']} is not the seat of a current member"
    assert cli.fails("vote", pid, "for", "--voter", "Acme Ltd", "--calldata") == (
        f"Error: {seats['f1']} is not a contract: only a Safe is named with --voter (an account signs its own ballot: "
        "--account NAME vote … --sign-only)")
    assert cli.fails("vote", pid, "for", "--voter", "Factory Co", "--sign-only") == (
        f"Error: {member.factory} is a contract but not a Safe: it does not answer getOwners, getThreshold and VERSION")
    assert cli.fails("vote", pid, "for", "--voter", "Bare Safe SA", "--sign-only") == (
        f"Error: Safe {member.bare} cannot vouch for a ballot: its fallback handler does not hash a SafeMessage as "
        "Safe's CompatibilityFallbackHandler (1.3.0 or later) does, which the governor's ERC-1271 call needs")
    assert "(the governor)" in cli.ok("vote", pid, "for", "--voter", "Bare Safe SA", "--calldata")  # it can execute
    assert cli.fails("vote", pid, "for", "--voter", address, "--calldata", "--out", "x.json") == \
        "Error: --calldata prints the transaction; --out is for --sign-only's request file"
    assert cli.fails("vote", pid, "for", "--voter", address) == (
        "Error: --voter SAFE votes through the Safe's owners: add --sign-only (a ballot request for them to sign) or "
        "--calldata (the transaction the Safe executes), one of the two")
    assert cli.fails("vote", pid, "for", "--calldata") == \
        "Error: --calldata prints the transaction a Safe executes: name the Safe with --voter SAFE"
    path, request = member.request(pid)
    message_hash = bytes.fromhex(request["safe_message_hash"][2:])
    # signing: only an owner, with a wallet
    assert cli.fails("ballot", "sign", path) == \
        "Error: ballot sign needs a wallet: pass --account NAME (an owner of the Safe)"
    assert cli.fails("ballot", "sign", path, account="f1") == (
        f"Error: {seats['f1']} is not an owner of Safe {address} (its owners: "
        f"{', '.join(safe.read(w3, address).owners)})")
    mine = cli.dir / "owner0.json"
    owner0 = cli.ok("ballot", "sign", path, "--out", mine, account="owner0").splitlines()[-1]
    owner1 = "0x" + safes.sign_typed_data(w3, member.owner1, request["safe_message"]).hex()
    # combining: owners only, each once, enough of them, of this request
    stranger = "0x" + safes.sign_typed_data(w3, w3.eth.accounts[9], request["safe_message"]).hex()
    owners = ", ".join(safe.read(w3, address).owners)
    assert cli.fails("ballot", "combine", path, mine, stranger) == (
        f"Error: signature {stranger[:10]}… is by {w3.eth.accounts[9]}, not an owner of Safe {address} (its owners: "
        f"{owners}): another account's, or a signature of another request")
    assert cli.fails("ballot", "combine", path, owner1) == \
        f"Error: 1 owner signature(s); Safe {address} needs 2 (its threshold now)"
    assert cli.fails("ballot", "combine", path, mine, owner0) == (
        f"Error: signatures {mine} and {owner0[:10]}… are both by owner {member.owner0}; the Safe counts each owner "
        "once")
    other_path, other_request = member.request(other)
    elsewhere = cli.dir / "other.json"
    other_hex = cli.ok("ballot", "sign", other_path, "--out", elsewhere, account="owner0").splitlines()[-1]
    assert cli.fails("ballot", "combine", path, owner1, elsewhere) == (
        f"Error: signature {elsewhere} is for another request (Safe message hash {other_request['safe_message_hash']}; "
        f"this request's is {request['safe_message_hash']})")
    recovered = Account._recover_hash(message_hash, signature=bytes.fromhex(other_hex[2:]))
    assert cli.fails("ballot", "combine", path, owner1, other_hex) == (
        f"Error: signature {other_hex[:10]}… is by {recovered}, not an owner of Safe {address} (its owners: {owners}): "
        "another account's, or a signature of another request")
    # malformed signatures
    assert cli.fails("ballot", "combine", path, owner1, "0x1234") == (
        "Error: signature 0x1234…: it is 2 bytes; an owner's signature is 65 (r, s, v) or 64 (EIP-2098)")
    bad_v = owner0[:-2] + "1d"
    assert cli.fails("ballot", "combine", path, owner1, bad_v) == (
        f"Error: signature {bad_v[:10]}…: its v is 29; the Safe reads 27/28 as a signature of the message hash and "
        "31/32 as one made with eth_sign (0/1 are taken as 27/28)")
    assert cli.fails("ballot", "combine", path, owner1, "owner9.json") == \
        "Error: signature 'owner9.json' is neither 0x-hex nor a file"
    garbage = cli.dir / "garbage.json"
    garbage.write_text('{"format": "consortium-safe-signature/1", "safe": "0x12"}')
    assert cli.fails("ballot", "combine", path, owner1, garbage) == \
        f"Error: {garbage}: malformed signature file: safe: '0x12' is not an address"
    # malformed requests
    broken = cli.dir / "broken.json"
    broken.write_text("{")
    assert cli.fails("ballot", "combine", broken, owner1) == (
        f"Error: cannot read a ballot request from {broken}: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)")
    broken.write_text(json.dumps({**request, "format": "consortium-ballot/1"}))
    assert cli.fails("ballot", "sign", broken, account="owner0") == \
        f"Error: {broken}: not a ballot request: expected format 'consortium-safe-ballot-request/1'"
    broken.write_text(json.dumps({k: v for k, v in request.items() if k != "safe_message_hash"}))
    assert cli.fails("ballot", "combine", broken, owner1) == \
        f"Error: {broken}: malformed ballot request: safe_message_hash is missing"
    broken.write_text(json.dumps({**request, "governor": seats["f1"]}))
    assert cli.fails("ballot", "combine", broken, owner1, mine) == (
        f"Error: the request is for governor {seats['f1']} on chain 31337; this deployment's is "
        f"{member.governor.address} on chain 31337")
    altered = {**request, "support": 0}  # a signature over the original would count "for" as "against": refused
    broken.write_text(json.dumps(altered))
    digest = ballots.digest(ballots.member_ballot(request["member_ballot"]["domain"], int(pid), 0, address, ""))
    expected = ballots.digest(safe.safe_message(31337, address, digest))
    assert cli.fails("ballot", "combine", broken, owner1, mine) == (
        f"Error: the request's safe_message_hash {request['safe_message_hash']} is not the hash of its ballot "
        f"(0x{expected.hex()}): the file was altered")
    # a member that left: named by its name, its seat is no current member's
    registry = contract(w3, "MemberRegistry", cli.manifest()["contracts"]["MemberRegistry"])
    resign = registry.functions.resign()._encode_transaction_data()
    safes.exec_transaction(w3, member.bare, [member.owner1], registry.address, bytes.fromhex(resign[2:]))
    assert cli.fails("vote", pid, "for", "--voter", "Bare Safe SA", "--calldata") == \
        f"Error: {member.bare} is not the seat of a current member"
    # nothing was written or counted
    assert member.tally(pid) == (0, 0, 0)
    assert not member.governor.functions.hasVoted(int(pid), address).call()
