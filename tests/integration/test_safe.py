"""A member whose seat is a real Safe 1.4.1 (npm @safe-global/safe-contracts, 2-of-3) votes through the CLI:
`vote --voter SAFE --sign-only` writes the owners' request, one owner signs with `ballot sign` (a consortium
keystore), another with the node's own eth_signTypedData_v4, `ballot combine` writes the ballot file, `relay`
submits it (and the relay API's POST /ballots takes the same file) and the governor counts it through the Safe's
ERC-1271 answer; and a direct vote with the printed
calldata, executed by the owners (execTransaction). Every error path's exact message."""

import json
import urllib.request

import pytest
from eth_abi import encode
from eth_account import Account
from eth_keys.constants import SECPK1_N
from eth_utils import keccak
from web3.logs import DISCARD

from orchestrator.commands import ballots as ballot_commands
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
        self.contracts = contracts = safes.deploy_contracts(w3)
        self.address = safes.create_safe(w3, contracts, [self.owner0, self.owner1, self.owner2], 2)
        self.factory = contracts.factory  # a contract that is not a Safe
        self.bare = safes.create_safe(w3, contracts, [self.owner1, self.owner2], 1, with_handler=False)
        self.solo = safes.create_safe(w3, contracts, [self.owner1], 1)  # threshold 1: one 65-byte signature
        self.seats = {name: cli.wallet(name) for name in ("f1", "f2", "outsider")}
        deploy(cli, [(self.seats["f1"], "founding", "Acme Ltd", "CH"), (self.seats["f2"], "founding", "Beta AG", "DE"),
                     (self.address, "regular", NAME, "LU"), (self.factory, "regular", "Factory Co", "LU"),
                     (self.bare, "regular", "Bare Safe SA", "LU"), (self.solo, "regular", "Solo Safe SA", "LU")],
                    voting_delay=60)
        self.governor = contract(w3, "ConsortiumGovernor", cli.manifest()["contracts"]["ConsortiumGovernor"])
        self.who = f"Safe {self.address} (member 3 {NAME})"

    def propose(self, description: str = "d") -> str:
        return proposal_id(self.cli.ok("propose", "budget", HOLDER, "1 ether", "--description", description,
                                       account="f1"))

    def request(self, pid: str, support: str = "for", *extra) -> tuple:
        path = self.cli.dir / f"request-{pid[:8]}-{support}.json"
        self.cli.ok("vote", pid, support, "--voter", self.address, "--sign-only", "--out", path, *extra)
        return path, json.loads(path.read_text())

    def summary(self, owner: str, support: str, pid, title: str, reason: str) -> list[str]:
        """What `ballot sign` shows the owner before it signs (title and reason as printed, quoted)."""
        return [f"owner {owner} signs this ballot of Safe {self.address} (member 3 {NAME}):",
                f"  vote      {support}",
                f"  proposal  {pid}: {title}",
                f"  reason    {reason}",
                f"  governor  {self.governor.address} on chain 31337 (this deployment's)"]

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
    assert lines[:7] == [*member.summary(member.owner0, "for", pid, '"d"', '"as our board decided"'),
                         f"owner {member.owner0} signed Safe message 0x{message_hash.hex()} of Safe {member.address}",
                         f"signature written to {signed}"]
    lines = lines[5:]
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
    broken.write_text("[" * 5000 + "]" * 5000)
    assert cli.fails("ballot", "combine", broken, owner1) == (
        f"Error: cannot read a ballot request from {broken}: nested deeper than 64 levels: line 1 column 1 (char 0)")
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


def test_an_owner_is_shown_what_it_signs_in_words_and_confirms_at_a_terminal(cli, w3, member, monkeypatch):
    pid = member.propose("Audit budget for 2025\nThe second line is not shown")
    cli.advance(61)
    path, request = member.request(pid, "for", "--reason", "per resolution 12")
    title = '"Audit budget for 2025"'
    # A request altered consistently (against, its hashes recomputed: anyone who carries the file can) passes
    # the hash check; the owner sees the ballot in words, a reason that tries to fake a line escaped.
    altered = cli.dir / "altered.json"
    altered.write_text(json.dumps(safe.request(request["member_ballot"]["domain"], int(pid), 0,
                                               "line one\n  vote      for\u202e", safe.read(w3, member.address))))
    out = cli.ok("ballot", "sign", altered, account="owner0")
    assert out.splitlines()[:5] == member.summary(member.owner0, "against", pid, title,
                                                  '"line one\\n  vote      for\\u202e"')
    # at a terminal, the owner confirms; refused, nothing is signed
    monkeypatch.setattr(ballot_commands, "_interactive", lambda: True)
    shown = member.summary(member.owner0, "for", pid, title, '"per resolution 12"')
    result = cli("ballot", "sign", path, account="owner0", input="n\n")
    assert (result.exit_code, result.output.splitlines()) == (1, [*shown, "Sign this ballot? [y/N]: n",
                                                                  "Error: not signed"])
    result = cli("ballot", "sign", path, account="owner0", input="y\n")
    message_hash = request["safe_message_hash"]
    assert (result.exit_code, result.output.splitlines()[:7]) == (0, [
        *shown, "Sign this ballot? [y/N]: y",
        f"owner {member.owner0} signed Safe message {message_hash} of Safe {member.address}"])
    out = cli.ok("ballot", "sign", path, "--yes", account="owner0")  # --yes: no question
    assert out.splitlines()[:6] == [
        *shown, f"owner {member.owner0} signed Safe message {message_hash} of Safe {member.address}"]
    signature = bytes.fromhex(out.splitlines()[6][2:])
    assert Account._recover_hash(bytes.fromhex(message_hash[2:]), signature=signature) == member.owner0


def test_ballot_sign_signs_only_for_this_deployments_governor_a_proposal_and_a_members_safe(cli, w3, member):
    pid = member.propose()
    cli.advance(61)
    info = safe.read(w3, member.address)
    g = member.governor.functions
    name, version = g.name().call(), g.version().call()
    # an impostor that answers name() and version() (any call: the governor's name), so a domain reads from it
    impostor = Account.create().address
    answer = encode(["string"], [name])
    runtime = bytes([0x60, len(answer), 0x60, 12, 0x60, 0, 0x39, 0x60, len(answer), 0x60, 0, 0xF3]) + answer
    assert "error" not in cli.rpc("hardhat_setCode", impostor, "0x" + runtime.hex())
    assert contract(w3, "ConsortiumGovernor", impostor).functions.version().call() == name
    path = cli.dir / "request.json"

    def refused(domain: dict, proposal: int, voter: safe.SafeInfo = info) -> str:
        path.write_text(json.dumps(safe.request(domain, proposal, 1, "", voter)))  # every hash consistent
        return cli.fails("ballot", "sign", path, account="owner0")

    assert refused(ballots.domain(name, 31337, impostor, name), int(pid)) == (
        f"Error: the request is for governor {impostor} on chain 31337; this deployment's is "
        f"{member.governor.address} on chain 31337")
    assert refused(ballots.domain(name, 1, member.governor.address, version), int(pid)) == (
        f"Error: the request is for governor {member.governor.address} on chain 1; this deployment's is "
        f"{member.governor.address} on chain 31337")
    ours = ballots.domain(name, 31337, member.governor.address, version)
    assert refused(ours, int(pid) + 1) == f"Error: no proposal {int(pid) + 1} in this deployment"
    assert refused(ours, int(pid[:6])) == f"Error: no proposal {pid[:6]} in this deployment"  # a prefix is no id
    lone = safes.create_safe(w3, member.contracts, [member.owner0], 1, salt=1)
    assert refused(ours, int(pid), safe.read(w3, lone)) == f"Error: {lone} is not the seat of a current member"


def test_all_owners_signatures_combine_into_the_thresholds_lowest_owners(cli, w3, member):
    pid = member.propose()
    cli.advance(61)
    path, request = member.request(pid)
    message = request["safe_message"]
    signed = {member.owner0: bytes.fromhex(cli.ok("ballot", "sign", path, account="owner0").splitlines()[-1][2:]),
              member.owner1: safes.sign_typed_data(w3, member.owner1, message),
              member.owner2: safes.sign_typed_data(w3, member.owner2, message)}
    low, highest = member.owners[:2], member.owners[2]
    # one of the two lowest in EIP-2098's 64 bytes (r, vs), which combine writes as the 65 the Safe reads
    given = dict(signed)
    compact = next(o for o in low if o != member.owner0)
    r, s, v = signed[compact][:32], int.from_bytes(signed[compact][32:64], "big"), signed[compact][64]
    given[compact] = r + ((v - 27) << 255 | s).to_bytes(32, "big")
    ballot = cli.dir / "ballot.json"
    out = cli.ok("ballot", "combine", path, *("0x" + given[o].hex() for o in (member.owner2, member.owner0,
                                                                               member.owner1)), "--out", ballot)
    assert out.splitlines() == [
        f"ballot written to {ballot}: Safe {member.address} vouches for it (ERC-1271), signed by 2 of its owners "
        f"({low[0]}, {low[1]}; threshold 2)",
        f"left out: 1 more owner signature(s) ({highest}); the Safe reads only its threshold's, the lowest owners' "
        "first, and each more would cost the batch gas",
        f"next: `consortium relay {ballot}`, or POST it to a relayer's /ballots"]
    signature = bytes.fromhex(json.loads(ballot.read_text())["signature"][2:])
    assert (len(signature), signature) == (130, signed[low[0]] + signed[low[1]])
    assert cli.ok("relay", ballot).splitlines()[1].startswith(f"{ballot}: included in transaction 0x")
    assert member.tally(pid) == (0, 1, 0)


def test_a_threshold_past_the_ballot_files_size_is_one_line_error(cli, w3, member):
    """32 owners' 65 bytes are 2,080, past the 2,048 a ballot file (and a relayer) takes."""
    pid = member.propose()
    cli.advance(61)
    owners = [Account.from_key(keccak(text=f"owner {i}")) for i in range(32)]
    big = safes.create_safe(w3, member.contracts, [o.address for o in owners], 32, salt=2)
    g = member.governor.functions
    domain = ballots.domain(g.name().call(), 31337, member.governor.address, g.version().call())
    request = safe.request(domain, int(pid), 1, "", safe.read(w3, big))
    path = cli.dir / "request.json"
    path.write_text(json.dumps(request))
    signatures = ["0x" + ballots.sign(request["safe_message"], o.key).hex() for o in owners]
    assert cli.fails("ballot", "combine", path, *signatures) == (
        "Error: not combined, no relayer would take the ballot: malformed ballot: signature: the signature is 2080 "
        f"bytes; at most 2048; the Safe can vote by executing the vote (`consortium vote {pid} for --voter {big} "
        "--calldata`)")


def test_a_one_owner_safe_votes_with_its_single_signature_even_with_a_high_s(cli, w3, member):
    """A threshold-1 Safe's signature is one owner's 65 bytes: the relayer's ECDSA check finds it is not the
    Safe's key and asks the Safe (ERC-1271) whatever its s, since the Safe's ecrecover takes a high s."""
    pid = member.propose()
    cli.advance(61)
    path = cli.dir / "solo-request.json"
    cli.ok("vote", pid, "against", "--voter", "Solo Safe SA", "--sign-only", "--out", path)
    request = json.loads(path.read_text())
    low = safes.sign_typed_data(w3, member.owner1, request["safe_message"])
    s = int.from_bytes(low[32:64], "big")
    high = low[:32] + (SECPK1_N - s).to_bytes(32, "big") + bytes([55 - low[64]])  # its twin, s above n/2
    assert s <= SECPK1_N // 2 < SECPK1_N - s
    assert Account._recover_hash(bytes.fromhex(request["safe_message_hash"][2:]), signature=high) == member.owner1
    ballot = cli.dir / "solo.json"
    out = cli.ok("ballot", "combine", path, "0x" + high.hex(), "--out", ballot)
    assert out.splitlines()[0] == (f"ballot written to {ballot}: Safe {member.solo} vouches for it (ERC-1271), "
                                   f"signed by 1 of its owners ({member.owner1}; threshold 1)")
    assert json.loads(ballot.read_text())["signature"] == "0x" + high.hex()
    out = cli.ok("relay", ballot)
    tx = out.splitlines()[1].rsplit(" ", 1)[1]
    (event,) = member.governor.events.VoteCast().process_receipt(w3.eth.get_transaction_receipt(tx), errors=DISCARD)
    assert (event["args"]["voter"], event["args"]["support"]) == (member.solo, 0)
    assert member.tally(pid) == (1, 0, 0)
