"""Every CLI error path gives one line, exit code 1 and no traceback (unless --debug)."""

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from orchestrator.cli import main
from tests.integration.test_cli_governance import proposal_id
from tests.integration.test_relayer import HOLDER


def test_unreachable_rpc_is_one_line_without_the_transports_retry_warnings(cli):
    """Run as a user runs it (a process of its own, logging as the CLI configures it): stderr is one line."""
    env = {**os.environ, **cli.env, "CONSORTIUM_RPC": "http://127.0.0.1:1"}
    done = subprocess.run([sys.executable, "-m", "orchestrator.cli", "proposal", "list"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == "Error: cannot reach an Ethereum node at http://127.0.0.1:1: ConnectionError\n"


def test_a_forgotten_rpc_is_refused_instead_of_answering_from_an_empty_devnet(cli, consortium):
    """Every devnet is chain 31337: without --rpc, the embedded one matches the manifest's chain id and has
    nothing deployed. Reads would answer "no proposals yet" and writes end in undecodable outputs."""
    path = cli.dir / "manifest.json"
    expected = (f"Error: {path} names contracts that have no code on the embedded devnet this command started, "
                "because no --rpc was given (pass --rpc URL or set CONSORTIUM_RPC to reach the chain it was "
                "deployed on): MemberRegistry, ")
    for command in (["proposal", "list"], ["treasury", "status"], ["audit"], ["treasury", "pay-dues", "1"]):
        line = cli.fails(*command, env={"CONSORTIUM_RPC": None})
        assert line.startswith(expected) and line.endswith("ApprovalBallots, ElectionRegistry"), line


def test_a_wallet_without_eth_is_told_to_fund_it_and_fund_sends_eth(cli, consortium):
    poor = cli.ok("wallet", "new", "poor").split()[1]
    line = cli.fails("treasury", "contribute", "sponsorship", "1 ether", "--memo", "m", account="poor")
    assert line == (f"Error: sponsorship: {poor} cannot pay for the gas: fund it with ETH (`consortium wallet fund` "
                    "sends some from a funded account) (Insufficient funds for gas * price + value)")
    assert cli.ok("wallet", "fund", "poor", "--amount", "2 ether") == \
        f"sent 2 ETH to poor ({poor}): balance 2 ETH\n"
    assert cli.fails("wallet", "fund", "nobody") == f"Error: no wallet named 'nobody' in {cli.dir / 'keys'}"
    assert cli.fails("wallet", "fund", "0x12") == "Error: 0x12 '0x12' is not an address"
    assert cli.w3.eth.get_balance(poor) == 2 * 10**18


def test_wallets_are_made_in_bulk_with_one_passphrase_or_not_at_all(cli):
    out = cli.ok("wallet", "new", "a1", "a2", "a3").splitlines()
    assert [line.split()[0] for line in out] == ["a1", "a2", "a3"]
    assert cli.fails("wallet", "new", "b1", "a2") == \
        f"Error: wallet 'a2' already exists at {cli.dir / 'keys' / 'a2.json'}: nothing created"
    assert not (cli.dir / "keys" / "b1.json").exists()


def test_a_devnets_clock_moves_forward_and_only_a_devnets(cli):
    before = cli.w3.eth.get_block("latest")["timestamp"]
    assert cli.ok("devnet", "advance", "2h").startswith("the devnet's clock is now ")
    assert cli.w3.eth.get_block("latest")["timestamp"] >= before + 7200
    assert cli.fails("devnet", "advance", "soon") == \
        "Error: duration 'soon' is not a positive whole number of s, min, h or d (e.g. 2h, 30d)"
    assert cli.fails("devnet", "advance", "1d", env={"CONSORTIUM_RPC": None}) == \
        "Error: pass --rpc (or CONSORTIUM_RPC): the devnet to move is the one `consortium devnet` runs"


def test_missing_manifest(cli):
    line = cli.fails("proposal", "list", env={"CONSORTIUM_DEPLOYMENT": str(cli.dir / "none.json")})
    path = cli.dir / "none.json"
    assert line == f"Error: no deployment manifest at {path}: run `consortium deploy` or pass --deployment"


def test_manifest_of_another_chain(cli, consortium):
    manifest = json.loads((cli.dir / "manifest.json").read_text())
    other = cli.dir / "other.json"
    other.write_text(json.dumps({**manifest, "chain_id": 1}))
    line = cli.fails("proposal", "list", env={"CONSORTIUM_DEPLOYMENT": str(other)})
    assert line == f"Error: {other} is for chain 1, but the node is chain 31337"


def test_signer_who_is_not_a_member(cli, consortium):
    outsider = cli.wallet("outsider")
    pid = cli.ok("propose", "suspend", "4", "--reason", "r", "--description", "d", account="f1").split()[1]
    cli.advance(2)
    assert cli.fails("vote", pid, "for", account="outsider") == f"Error: {outsider} is not the seat of a current member"
    line = cli.fails("propose", "suspend", "4", "--reason", "r", "--description", "x", account="outsider")
    assert line == (f"Error: propose: GovernorProposerWithoutRight: {outsider} may not propose: "
                    "only active members of a tier with the propose right can")


def test_malformed_addresses_ids_and_descriptions(cli, consortium):
    assert cli.fails("propose", "admit", "0x123", "--tier", "regular", "--legal-name", "A", "--jurisdiction", "B",
                     "--description", "d", account="f1") == "Error: seat '0x123' is not an address"
    assert cli.fails("propose", "suspend", "99", "--reason", "r", "--description", "d", account="f1") == \
        "Error: there is no member 99"
    assert cli.fails("propose", "suspend", "abc", "--reason", "r", "--description", "d", account="f1") == \
        "Error: member 'abc' is not a member id, a seat address or a member's legal name"
    assert cli.fails("propose", "change-tier", "1", "platinum", "--description", "d", account="f1") == \
        "Error: unknown tier 'platinum'; tiers are ['founding', 'regular', 'observer']"
    assert cli.fails("propose", "suspend", "4", "--reason", "r", account="f1") == \
        "Error: give the description with exactly one of --description or --description-file"
    assert cli.fails("propose", "call", "0x" + "11" * 20, "f(uint256)", "x", "--description", "d", account="f1") == \
        "Error: 'x' is not a valid uint256"
    assert cli.fails("propose", "call", "0x" + "11" * 20, "f()", "--value", "lots", "--description", "d",
                     account="f1") == \
        "Error: amount 'lots' is not a number with a unit: write e.g. 1.5 ether, 0.8 ETH, 20 gwei or 5 wei"
    assert cli.fails("propose", "call", "0x" + "11" * 20, "f()", "--value", "-1", "--description", "d",
                     account="f1") == "Error: amount '-1' is negative"
    assert cli.fails("proposal", "show", "abc") == "Error: proposal id 'abc' is not a number"
    assert cli.fails("proposal", "show", "123456789") == "Error: no proposal 123456789 in this deployment"


def test_wallet_errors(cli, consortium):
    cli.ok("wallet", "new", "alice")
    assert cli.fails("wallet", "new", "alice").startswith("Error: wallet 'alice' already exists at ")
    assert cli.fails("wallet", "address", "bob") == f"Error: no wallet named 'bob' in {cli.dir / 'keys'}"
    assert cli.fails("wallet", "new", "bad name") == \
        "Error: wallet name 'bad name': use letters, digits, '.', '_' or '-' (at most 64)"
    assert cli.fails("propose", "suspend", "1", "--reason", "r", "--description", "d", account="alice",
                     env={"CONSORTIUM_PASSPHRASE": "wrong"}) == "Error: wrong passphrase for wallet 'alice'"
    (cli.dir / "keys" / "broken.json").write_text("{not json")
    assert cli.fails("wallet", "address", "broken") == \
        f"Error: wallet 'broken' ({cli.dir / 'keys' / 'broken.json'}) is not a valid keystore file"
    (cli.dir / "keys" / "broken.json").write_text("[" * 5000 + "]" * 5000)
    assert cli.fails("wallet", "address", "broken") == \
        f"Error: wallet 'broken' ({cli.dir / 'keys' / 'broken.json'}) is not a valid keystore file"
    deep = cli.dir / "deep.json"
    deep.write_text("{" * 5000 + "}" * 5000)
    assert cli.fails("--deployment", deep, "member", "list") == \
        f"Error: {deep} is not a deployment manifest: nested deeper than 64 levels: line 1 column 1 (char 0)"
    deep.write_bytes(b'{"name": "\xff"}')
    assert cli.fails("--deployment", deep, "member", "list") == (
        f"Error: {deep} is not a deployment manifest: 'utf-8' codec can't decode byte 0xff in position 10: invalid "
        "start byte")
    assert cli.fails("wallet", "new", "carol", env={"CONSORTIUM_PASSPHRASE": None}) == \
        "Error: no passphrase for wallet 'carol': set CONSORTIUM_PASSPHRASE or run in a terminal"
    assert cli.fails("wallet", "import", "dave", env={"CONSORTIUM_IMPORT_KEY": "0x1234"}) == \
        "Error: that is not a private key (64 hex digits)"


def test_debug_shows_the_traceback(cli):
    result = CliRunner().invoke(main, ["--debug", "proposal", "list"],
                                env={**cli.env, "CONSORTIUM_DEPLOYMENT": str(cli.dir / "none.json")})
    assert result.exit_code == 1 and result.exception is not None
    assert type(result.exception).__name__ == "ManifestError"


def test_deploy_refuses_to_replace_a_live_manifest(cli, consortium):
    line = cli.fails("deploy", "--config", cli.dir / "config.toml")
    path = cli.dir / "manifest.json"
    assert line == f"Error: {path} describes a deployment live on this chain: pass --force to replace it"


def test_keystores_are_private_and_scrypt(cli):
    cli.ok("wallet", "new", "erin")
    path = cli.dir / "keys" / "erin.json"
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["crypto"]["kdf"] == "scrypt"
    assert "erin" in cli.ok("wallet", "list")


def test_a_call_to_the_timelocks_roles_is_refused_with_a_sentence(cli, consortium):
    timelock = cli.manifest()["contracts"]["TimelockController"]
    line = cli.fails("propose", "call", timelock, "grantRole(bytes32,address)", "0x" + "00" * 32, consortium["f1"],
                     "--description", "Give me the admin role", account="f1")
    assert line == (f"Error: propose: GovernorForbiddenCall: a proposal may call {timelock} only to change its "
                    "settings, not with selector 0x2f2ff15d: everything else there would run outside the governor")


def test_text_that_is_not_utf8_is_refused_by_name_before_anything_is_sent(cli, consortium):
    """A shell passes bytes that are not UTF-8 (`--reason $'\\xff'`) as Python's lone surrogates: the command says
    which bytes, instead of a traceback or "the node refused it" (the node never saw them)."""
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "ok", account="f1"))
    cli.advance(2)
    before = cli.w3.eth.get_transaction_count(consortium["f1"])
    for command, byte in ((["propose", "budget", HOLDER, "1 wei", "--description", "caf\udcc3"], "c3"),
                          (["vote", pid, "for", "--reason", "\udcff"], "ff"),
                          (["vote", pid, "for", "--sign-only", "--reason", "\udcff"], "ff")):
        assert cli.fails(*command, account="f1") == \
            f"Error: the text given is not UTF-8 (it holds the bytes {byte}): give it in UTF-8", command
    assert cli.w3.eth.get_transaction_count(consortium["f1"]) == before
    assert "voted for" in cli.ok("vote", pid, "for", account="f1")  # nothing of the refused vote was kept
