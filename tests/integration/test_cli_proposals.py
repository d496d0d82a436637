"""What an operator reads about proposals, on a real devnet: every action's calls in words, recusals and
why a proposal was defeated (from the chain), when a queued proposal can be executed, the body action a
`standard publish --via-body` made, several actions bundled in one proposal, and results from the index
with recusals, legal names and tier names in every form."""

import csv
import io
import json
import re
from contextlib import ExitStack
from datetime import UTC, datetime

import pytest
from eth_utils import function_signature_to_4byte_selector

from orchestrator import identity
from orchestrator.commands import institution_proposals  # noqa: F401  (its actions join `propose`)
from orchestrator.commands.proposals import _action_calls, propose
from orchestrator.operations.calls import NOT_PROPOSABLE, SENTENCES, describe_calls, governed_functions
from orchestrator.operations.deploy import contract
from orchestrator.operations.session import Options, Session
from tests.integration.test_cli_institutions import enact as enact_with
from tests.integration.test_cli_institutions import proposal_id

NAMES = {"f1": ("Acme Founding AG", "CH"), "f2": ("Bitex Ltd", "GB"), "r1": ("Coinvault SA", "FR"),
         "r2": ("Delta Pay GmbH", "DE")}
HOLDER = "0x" + "11" * 20
RECIPIENT = "0x2222222222222222222222222222222222222222"
NEWCOMER = "0x" + "ab" * 20


def deploy_named(cli, **governor) -> dict[str, str]:
    """f1, f2 (founding, weight 3) and r1, r2 (regular, weight 1) with their legal names on-chain."""
    seats = {name: cli.wallet(name) for name in NAMES}
    settings = {"voting_delay": 1, "voting_period": 300, "late_quorum_extension": 0, "timelock_delay": 1,
                "quorum_percent": 10, "constitutional_quorum_percent": 30, **governor}
    lines = ['name = "Named"', "[governor]", *[f"{k} = {v}" for k, v in settings.items()]]
    for name, (legal, jurisdiction) in NAMES.items():
        lines += ["[[members]]", f'seat = "{seats[name]}"', f'tier = "{"founding" if name[0] == "f" else "regular"}"',
                  f'legal_name = "{legal}"', f'jurisdiction = "{jurisdiction}"',
                  f'metadata_uri = "{identity.metadata_uri(legal, jurisdiction)}"']
    config = cli.dir / "named.toml"
    config.write_text("\n".join(lines) + "\n")
    cli.ok("deploy", "--config", config, "--force")
    return seats


def enact(cli, out: str) -> None:
    enact_with(cli, out, voters=("f1", "f2", "r1"))


def section(show: str, title: str) -> list[str]:
    """The indented lines under `  title:` in `proposal show`."""
    lines = show.splitlines()
    start = lines.index(f"  {title}:") + 1
    found = []
    for line in lines[start:]:
        if not line.startswith("    "):
            break
        found.append(line.strip())
    return found


def utc(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# ───── every action in words ─────


def examples(cli, seats: dict, body: str, token: str) -> dict[str, tuple[str, str]]:
    """Per `propose` action: the action as written after `consortium propose`, and its calls in words; a few
    actions again with an ERC-20 (`TUSD`, 18 decimals) under their name with a `+`."""
    treasury = cli.manifest()["contracts"]["Treasury"]
    admit_uri = identity.metadata_uri("New Co", "SG")
    return {
        "admit": (f"admit {NEWCOMER} --tier regular --legal-name 'New Co' --jurisdiction SG --metadata-uri "
                  f"'{admit_uri}'",
                  f"admit New Co (SG) at seat {cli.w3.to_checksum_address(NEWCOMER)} in tier regular"),
        "change-tier": ("change-tier 4 founding", "move member 4 Delta Pay GmbH to tier founding"),
        "suspend": ("suspend 4 --reason 'missed meetings'", "suspend member 4 Delta Pay GmbH: missed meetings"),
        "reinstate": ("reinstate 4", "reinstate member 4 Delta Pay GmbH"),
        "expel": ("expel 2 --reason fraud", "expel member 2 Bitex Ltd: fraud"),
        "rotate-seat": (f"rotate-seat 4 {RECIPIENT}", f"move member 4 Delta Pay GmbH to seat {RECIPIENT}"),
        "set-tier": ("set-tier 3 --name associate --weight 1 --cannot-propose --can-vote",
                     "set tier 3 to 'associate': weight 1, may not propose, may vote"),
        "setting": ("setting voting-period 7200", "set the voting period to 7,200 s"),
        "call-rule": ("call-rule treasury 'spend(address,address,uint256,string)' --constitutional",
                      "treat calls of Treasury.spend(address,address,uint256,string) as constitutional"),
        "call": (f"call {cli.manifest()['contracts']['MemberRegistry']} 'reinstate(uint256)' 4",
                 "reinstate member 4 Delta Pay GmbH"),
        "spend": (f"spend '0.8 ether' {RECIPIENT} --memo 'plenary venue'",
                  f"spend 0.8 ETH from the treasury to {RECIPIENT} (memo: plenary venue)"),
        "budget": ("budget TC '1.5 ether'", f"set the budget of body 'TC' ({body}) to 1.5 ETH"),
        "accept-token": (f"accept-token {HOLDER} --off",
                         f"stop accepting contributions in token {cli.w3.to_checksum_address(HOLDER)}"),
        "dues": ("dues regular '1 ether'", "set the dues of tier regular to 1 ETH per period"),
        "dues-terms": ("dues-terms 1000 100", "set the dues period to 1,000 s and the grace period to 100 s"),
        "create-body": ("create-body secretariat Sec --threshold 2 --member 1 --member 3 "
                        f"--mandate {treasury}:'spendBudget(address,address,uint256,string)'",
                        "create the secretariat 'Sec' of member 1 Acme Founding AG, member 3 Coinvault SA, acting on "
                        "2 approval(s), mandate: Treasury.spendBudget(address,address,uint256,string)"),
        "body": ("body TC --appoint 2 --threshold 1",
                 "appoint member 2 Bitex Ltd to body 'TC'; make body 'TC' act on 1 approval(s)"),
        "publisher": ("publisher TC --off", f"no longer allow body 'TC' ({body}) to publish standard drafts"),
        "adopt": ("adopt 1", "adopt standard 1 'Travel rule' v2"),
        "deprecate": ("deprecate 1", "deprecate standard 1 'Travel rule' v2"),
        "censure": ("censure 2 --reason 'late filing' --report 0", "censure member 2 Bitex Ltd: late filing"),
        "spend+": (f"spend '2.5 TUSD' {RECIPIENT} --token {token} --memo grants",
                   f"spend 2.5 TUSD of token {token} from the treasury to {RECIPIENT} (memo: grants)"),
        "budget+": (f"budget {body} '7 TUSD' --token {token}",
                    f"set the budget of body 'TC' ({body}) to 7 TUSD of token {token}"),
        "accept-token+": (f"accept-token {token}", f"accept contributions in TUSD ({token})"),
        # advisory 1 is pending, 2 published (see advisories())
        "confirmer": ("confirmer TC", f"allow body 'TC' ({body}) to publish, dismiss, update and retract industry "
                                      "advisories"),
        "filing-limit": ("filing-limit 5 86400", "let each member file at most 5 advisories per 86,400 s"),
        "advisory-publish": ("advisory-publish 1", f"publish {SHADY}"),
        "advisory-dismiss": ("advisory-dismiss 1 --reason duplicate", f"dismiss {SHADY}: duplicate"),
        "advisory-update": (f"advisory-update 2 --severity critical --note 'funds moved' --evidence-uri ipfs://more "
                            f"--evidence-hash 0x{'dd' * 32}", f"update {TOKEN_ADVISORY} to severity critical, evidence "
                            f"ipfs://more (hash 0x{'dd' * 32}): funds moved"),
        "advisory-retract": ("advisory-retract 2 --reason settled", f"retract {TOKEN_ADVISORY}: settled"),
        "advisory-record-reply": (f"advisory-record-reply 2 --uri ipfs://letter --hash 0x{'cc' * 32}",
                                  f"record its subject's reply to {TOKEN_ADVISORY}: ipfs://letter "
                                  f"(hash 0x{'cc' * 32})"),
        # election 1 is open (see test_a_body_action_prints_its_id_and_every_action_reads_in_words)
        "election": ("election TC --seats 2 --reserve regular=1 --nominations-end 2100-01-01 --term-end 2101-01-01 "
                     "--title 'Council 2100'",
                     "open election 'Council 2100' of 2 seat(s) of body 'TC' (1 reserved for regular): nominations "
                     "until 2100-01-01 00:00:00 UTC, term until 2101-01-01 00:00:00 UTC"),
        "elector": ("elector TC", f"make the election registry ({cli.manifest()['contracts']['ElectionRegistry']}) "
                                  "the elector of body 'TC', which seats its elected members and vacates their seats"),
        "cancel-election": ("cancel-election 1", "cancel election 1"),
    }


SHADY = "advisory 1 (scam, high, about Shady Exchange Ltd)"
TOKEN_ADVISORY = "advisory 2 (scam, high, about eip155:1:0x5ca1ab1e0000000000000000000000000000dead)"


def advisories(cli) -> None:
    """Advisory 1 pending and 2 published by a vote: what the advisory actions' examples act on."""
    for subject in ("Shady Exchange Ltd", TOKEN_ADVISORY.split("about ")[1].rstrip(")")):
        cli.ok("advisory", "file", "--kind", "scam", "--severity", "high", "--subject", subject, "--summary",
               "drains approvals", "--evidence-uri", "ipfs://evidence", "--evidence-hash", "0x" + "ee" * 32,
               account="r1")
    enact(cli, cli.ok("propose", "advisory-publish", "2", "--description", "publish 2", account="f1"))


def test_a_body_action_prints_its_id_and_every_action_reads_in_words(cli, tmp_path):
    seats = deploy_named(cli)
    enact(cli, cli.ok("propose", "create-body", "technical-committee", "TC", "--threshold", "2", "--member", "1",
                      "--member", "3", "--mandate", "standards:publishDraft(string,string,bytes32,string,uint256)",
                      "--description", "TC", account="f1"))
    enact(cli, cli.ok("propose", "publisher", "TC", "--description", "TC publishes", account="f1"))
    text = tmp_path / "travel.md"
    text.write_text("The travel rule, version 2.")
    out = cli.ok("standard", "publish", "Travel rule", "2", "--content", text, "--via-body", "TC", account="f1")
    assert out.strip() == ("body action 0 proposed; 1 of 2 approvals; members approve with "
                           "`consortium body approve TC 0`")
    cli.ok("body", "approve", "TC", "0", account="r1")
    body = cli.ok("body", "list").split()[0]
    advisories(cli)
    enact(cli, cli.ok("propose", "election", "TC", "--seats", "1", "--nominate-for", "30d", "--term", "30d",
                      "--title", "Council", "--description", "an election", account="f1"))

    factory = contract(cli.w3, "TestToken")
    token = cli.w3.eth.wait_for_transaction_receipt(
        factory.constructor().transact({"from": cli.w3.eth.accounts[0]}))["contractAddress"]
    cases = examples(cli, seats, body, token)
    bundleable = {name for name, command in propose.commands.items() if hasattr(command.callback, "calls")}
    bundleable -= {"attribute-contribution"}  # needs a contribution ledger: its words in test_cli_contributions.py
    assert {name.rstrip("+") for name in cases} == bundleable  # a new action must come with its words here
    with ExitStack() as stack:
        session = Session(Options(rpc=cli.devnet.url, deployment=cli.dir / "manifest.json"), stack, lambda _: "")
        for name, (action, words) in cases.items():
            calls = _action_calls(session, 1, action)
            shown = "; ".join(describe_calls(session, [c.target for c in calls], [c.value for c in calls],
                                             [c.data for c in calls]))
            assert shown == words, name
    # and as `proposal show` prints them
    pid = proposal_id(cli.ok("propose", "censure", "2", "--reason", "late filing", "--description", "c", account="f1"))
    assert section(cli.ok("proposal", "show", pid), "calls") == ["censure member 2 Bitex Ltd: late filing"]


def test_every_state_changing_function_has_words_or_a_reason_it_cannot_be_proposed():
    governed = governed_functions()
    assert set(SENTENCES) | set(NOT_PROPOSABLE) == governed
    assert not set(SENTENCES) & set(NOT_PROPOSABLE)


def test_an_unknown_call_stays_its_selector_and_arguments(cli, consortium):
    out = cli.ok("propose", "call", HOLDER, "pause(uint256)", "7", "--description", "raw", account="f1")
    show = cli.ok("proposal", "show", proposal_id(out))
    selector = function_signature_to_4byte_selector("pause(uint256)").hex()
    assert section(show, "calls") == [f"call 0x{selector} on {cli.w3.to_checksum_address(HOLDER)} (0x{7:064x})"]


# ───── recusals and defeats, from the chain; results from the index ─────


def test_show_names_recusals_and_why_each_proposal_was_defeated_and_results_agree(cli):
    deploy_named(cli)
    case = proposal_id(cli.ok("propose", "censure", "4", "--reason", "late filing", "--description", "Censure 4",
                              account="f1"))
    assert "recused from proposal" in cli.ok("member", "recuse", case, "--reason", "advises member 4", account="r1")
    no_quorum = proposal_id(cli.ok("propose", "setting", "quorum", "20", "--description", "Quorum", account="f1"))
    tier_against = proposal_id(cli.ok("propose", "setting", "weight-cap", "5000", "--description", "Cap",
                                      account="f2"))
    tied = proposal_id(cli.ok("propose", "budget", HOLDER, "1 ether", "--description", "Budget", account="f2"))
    cli.advance(2)
    cli.ok("vote", case, "for", account="f1")
    for name, support in (("f1", "for"), ("f2", "for"), ("r1", "against"), ("r2", "against")):
        cli.ok("vote", tier_against, support, account=name)
    cli.ok("vote", tied, "for", account="f1")
    cli.ok("vote", tied, "against", account="f2")
    cli.advance(301)

    show = cli.ok("proposal", "show", case)
    assert "  kind member case about member 4, state Defeated" in show
    assert "  Defeated: for is not more than half of all weight (3 of 8)" in show
    assert section(show, "recused") == [
        "member 4 Delta Pay GmbH recused automatically: the proposal is about this member",
        "member 3 Coinvault SA recused by declaration: advises member 4"]
    assert "  Defeated: quorum not reached (0 of 2 needed)" in cli.ok("proposal", "show", no_quorum)
    show = cli.ok("proposal", "show", tier_against)
    assert ("  Defeated: the regular tier voted against (0 for, 2 against; every tier that votes needs a majority "
            "for: concurrent majority)") in show
    assert "  recused: nobody" in show
    assert "  Defeated: for did not exceed against (3 for, 3 against)" in cli.ok("proposal", "show", tied)

    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'index.db'}"
    cli.ok("index")
    recused = [{"member_id": 4, "member": "member 4 Delta Pay GmbH", "automatic": True,
                "reason": "the proposal is about this member"},
               {"member_id": 3, "member": "member 3 Coinvault SA", "automatic": False, "reason": "advises member 4"}]
    listed = {r["id"]: r for r in json.loads(cli.ok("results", "--format", "json"))}
    assert listed[case]["recusals"] == recused and listed[tied]["recusals"] == []
    assert json.loads(cli.ok("results", case, "--format", "json"))["recusals"] == recused
    rows = {r["proposal_id"]: r for r in csv.DictReader(io.StringIO(cli.ok("results", "--format", "csv")))}
    assert rows[case]["recusals"] == ("member 4 Delta Pay GmbH recused automatically: the proposal is about this "
                                      "member; member 3 Coinvault SA recused by declaration: advises member 4")
    records = list(csv.DictReader(io.StringIO(cli.ok("results", case, "--format", "csv"))))
    assert [(r["record"], r["tier"], r["member"], r["reason"]) for r in records] == [
        ("tier", "founding", "", ""), ("tier", "regular", "", ""),
        ("recusal", "", "member 4 Delta Pay GmbH", "the proposal is about this member"),
        ("recusal", "", "member 3 Coinvault SA", "advises member 4"),
        ("ballot", "founding", "member 1 Acme Founding AG", "")]
    table = cli.ok("results")
    assert "  member 4 Delta Pay GmbH recused automatically: the proposal is about this member" in table
    detail = cli.ok("results", tier_against)
    assert re.search(r"member\s+3 Coinvault SA \(regular\)\s+against\s+weight 1 \(direct\)", detail)
    ballots = json.loads(cli.ok("results", tier_against, "--format", "json"))["ballots"]
    assert [(b["member"], b["tier"]) for b in ballots] == [
        ("member 1 Acme Founding AG", "founding"), ("member 2 Bitex Ltd", "founding"),
        ("member 3 Coinvault SA", "regular"), ("member 4 Delta Pay GmbH", "regular")]
    report = cli.ok("report", "--from", "2000-01-01", "--to", "2100-12-31")
    assert "member 4 Delta Pay GmbH: admitted (now active, tier regular)" in report
    assert "Censure 4 [member case] Defeated" in report
    assert "      member 3 Coinvault SA recused by declaration: advises member 4" in report


# ───── the timelock's delay ─────


def test_queue_prints_when_and_an_early_execute_says_when(cli, consortium, w3):
    cli.deploy({consortium["f1"]: "founding", consortium["f2"]: "founding"}, timelock_delay=40)
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 ether", "--description", "d", account="f1"))
    cli.advance(2)
    cli.ok("vote", pid, "for", account="f1")
    cli.advance(301)
    out = cli.ok("proposal", "queue", pid)
    governor = contract(w3, "ConsortiumGovernor", cli.manifest()["contracts"]["ConsortiumGovernor"])
    eta = governor.functions.proposalEta(int(pid)).call()
    assert out.splitlines()[1] == (f"executable from {utc(eta)} (in 40 s): then run `consortium proposal execute "
                                   f"{pid}`")
    assert cli.fails("proposal", "execute", pid) == (
        f"Error: proposal {pid} is queued until the timelock delay ends: it can be executed from {utc(eta)} (in 40 s)")
    cli.advance(40)
    assert "execute: proposal" in cli.ok("proposal", "execute", pid)


# ───── bundles ─────


def test_a_bundle_of_ordinary_actions_is_one_proposal_executed_together(cli, consortium, w3):
    actions = cli.dir / "actions.txt"
    actions.write_text(f"# the secretariat's year\nbudget {HOLDER} '2 ether'\n\naccept-token {RECIPIENT}\n")
    out = cli.ok("propose", "bundle", "--action", f"budget {RECIPIENT} '1 ether'", "--actions-file", actions,
                 "--description", "Budgets", account="f1")
    lines = out.splitlines()
    assert lines[1:] == ["kind: ordinary", "3 action(s), 3 call(s):",
                         f"  0. set the budget of {RECIPIENT} to 1 ETH",
                         f"  1. set the budget of {w3.to_checksum_address(HOLDER)} to 2 ETH",
                         f"  2. accept contributions in token {RECIPIENT}"]
    pid = proposal_id(out)
    cli.advance(2)
    cli.ok("vote", pid, "for", account="f1")
    cli.advance(301)
    cli.ok("proposal", "queue", pid)
    cli.advance(2)
    cli.ok("proposal", "execute", pid)
    treasury = contract(w3, "Treasury", cli.manifest()["contracts"]["Treasury"])
    zero = "0x" + "00" * 20
    assert treasury.functions.budgetOf(RECIPIENT, zero).call() == 10**18
    assert treasury.functions.budgetOf(w3.to_checksum_address(HOLDER), zero).call() == 2 * 10**18
    assert treasury.functions.isAccepted(RECIPIENT).call()


def test_a_bundle_is_classified_by_the_governor(cli, consortium):
    out = cli.ok("propose", "bundle", "--action", f"budget {HOLDER} '1 ether'", "--action",
                 "setting voting-delay 5", "--description", "mixed", account="f1")
    assert "kind: constitutional" in out
    out = cli.ok("propose", "bundle", "--action", "suspend 4 --reason absent", "--action", "censure 4 --reason absent",
                 "--description", "case", account="f1")
    assert "kind: member case about member 4" in out


def test_a_bundle_the_governor_would_refuse_sends_nothing(cli, consortium, w3):
    nonce = w3.eth.get_transaction_count(consortium["f1"])
    line = cli.fails("propose", "bundle", "--action", "suspend 4 --reason absent", "--action",
                     f"spend '1 ether' {RECIPIENT} --memo x", "--description", "d", account="f1")
    assert line == ("Error: propose: GovernorMemberCaseBundled: a proposal about member 4 may hold only calls about "
                    f"that member, and call 1 is not one: propose it separately (call 1 is action 2 `spend '1 ether' "
                    f"{RECIPIENT} --memo x`)")
    assert w3.eth.get_transaction_count(consortium["f1"]) == nonce
    assert cli.ok("proposal", "list").strip() == "no proposals yet"


@pytest.mark.parametrize("arguments, message", [
    ([], "Error: give the actions with --action (repeat it) or --actions-file"),
    (["--action", "fly 4"], "Error: action 1 `fly 4`: 'fly' is not an action to bundle; actions: "),
    (["--action", "reinstate 4", "--action", "bundle --action 'reinstate 4'"],
     "Error: action 2 `bundle --action 'reinstate 4'`: 'bundle' is not an action to bundle; actions: "),
    (["--action", "suspend 4"], "Error: action 1 `suspend 4`: Missing option '--reason'."),
    (["--action", "reinstate 4 --description x"],
     "Error: action 1 `reinstate 4 --description x`: give the description once, to the bundle, not to an action"),
    (["--action", "reinstate 99"], "Error: action 1 `reinstate 99`: there is no member 99"),
    (["--action", "reinstate '4"], "Error: action 1 `reinstate '4`: No closing quotation"),
    (["--action", "reinstate --help"],
     "Error: action 1 `reinstate --help`: --help is not an action; see `consortium propose reinstate --help`"),
    (["--actions-file", "missing.txt"], "Error: cannot read missing.txt: No such file or directory"),
])
def test_bundle_errors(cli, consortium, arguments, message):
    line = cli.fails("propose", "bundle", *arguments, "--description", "d", account="f1")
    assert line.startswith(message) if message.endswith(": ") else line == message
