"""Money through the CLI on a real devnet, in ETH and in a dues token's own units: amounts always with their
unit; dues paid for many members at once (bounded payDuesMany batches, members paid ahead skipped with a
note, lapsed members restored and said so, no web3 warning); lapsed members named whether marked or not;
bodies spending from their budget and acting by function name. Every message is asserted."""

import re

import pytest

from orchestrator.commands import treasury as treasury_commands
from orchestrator.operations.deploy import contract
from tests.integration.test_cli_institutions import enact

DATE = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"
ETH = 10**18
ZERO = "0x" + "00" * 20
NO_UNIT = "write {0} ether (or {0} ETH), {0} gwei or {0} wei"


@pytest.fixture
def dues_roll(cli):
    """Seven members, ids 1-7: f1, f2 founding (2 ether of dues per period), r1-r4 regular (1 ether), o1 an
    observer (no dues); a period of 1,000 s and a grace of 100 s."""
    seats = {name: cli.wallet(name) for name in ("f1", "f2", "r1", "r2", "r3", "r4", "o1")}
    tiers = {"f": "founding", "r": "regular", "o": "observer"}
    cli.deploy({seat: tiers[name[0]] for name, seat in seats.items()},
               dues={"founding": "2 ether", "regular": "1 ether"},
               treasury={"dues_period": 1000, "grace_period": 100})
    return seats


def lines(output: str) -> list[str]:
    return output.strip().splitlines()


def test_amounts_need_their_unit_everywhere(cli, dues_roll):
    holder = "0x" + "11" * 20
    assert cli.fails("treasury", "contribute", "sponsorship", "25", "--memo", "m", account="f1") == (
        f"Error: amount '25' has no unit: {NO_UNIT.format(25)}")
    assert cli.fails("propose", "spend", "25", holder, "--memo", "m", "--description", "d", account="f1") == (
        f"Error: amount '25' has no unit: {NO_UNIT.format(25)}")
    assert cli.fails("propose", "budget", holder, "1", "--description", "d", account="f1") == (
        f"Error: amount '1' has no unit: {NO_UNIT.format(1)}")
    assert cli.fails("propose", "dues", "regular", "3", "--description", "d", account="f1") == (
        f"Error: amount '3' has no unit: {NO_UNIT.format(3)}")
    assert cli.fails("propose", "spend", "0.5 wei", holder, "--memo", "m", "--description", "d",
                     account="f1") == "Error: amount '0.5 wei' is not a whole number of wei"
    assert cli.fails("treasury", "contribute", "grant", "3 dollars", "--memo", "m", account="f1") == (
        "Error: amount '3 dollars': unknown unit 'dollars'; write it in ether (or ETH), gwei or wei")

    assert lines(cli.ok("treasury", "contribute", "sponsorship", "5ether", "--memo", "Gold", account="f1"))[0] \
        .startswith("sponsorship of 5 ETH received (transaction 0x")
    assert "grant of 0.8 ETH received" in cli.ok("treasury", "contribute", "grant", "0.8 ETH", "--memo", "m",
                                                  account="f2")
    assert "grant of 0.00000002 ETH received" in cli.ok("treasury", "contribute", "grant", "20 gwei", "--memo",
                                                         "m", account="f2")
    assert "grant of 0.000000000000000005 ETH received" in cli.ok("treasury", "contribute", "grant", "5 wei",
                                                                   "--memo", "m", account="f2")
    assert "balance: 5.800000020000000005 ETH" in cli.ok("treasury", "status")
    assert "kind: constitutional" in cli.ok("propose", "dues", "regular", "1.5 ether", "--description", "d",
                                            account="f1")
    assert "kind: ordinary" in cli.ok("propose", "budget", holder, "0 ether", "--description", "d", account="f1")


def test_dues_for_many_members_in_bounded_batches(cli, dues_roll, monkeypatch, recwarn):
    monkeypatch.setattr(treasury_commands, "PAY_DUES_BATCH", 2)
    status = cli.ok("treasury", "status")
    assert "  dues in ETH, per period of 1,000 s, grace 100 s" in status
    assert "  founding     2 ETH per period" in status and "  regular      1 ETH per period" in status
    assert "  observer     no dues" in status

    out = cli.ok("treasury", "pay-dues", "1", "3", "--periods", "2", account="r1")
    assert re.fullmatch(rf"member 1 Co: paid 4 ETH for 2 periods; paid until {DATE}\n"
                        rf"member 3 Co: paid 2 ETH for 2 periods; paid until {DATE}\n"
                        r"total: 6 ETH for 2 member\(s\) in 1 transaction\(s\)\n", out)
    assert "Warning" not in out and "MismatchedABI" not in out
    assert [str(w.message) for w in recwarn] == []  # no web3 warning about the registry's logs in the receipt

    paid_until = re.search(rf"member 1 Co: paid 4 ETH for 2 periods; paid until ({DATE})", out).group(1)
    assert cli.ok("treasury", "pay-dues", "1", account="r1") == (
        f"member 1 Co: skipped, already paid until {paid_until} (the treasury takes at most one period ahead)\n"
        "nothing to pay: every member is paid ahead\n")

    cli.advance(150)  # members 2, 4, 5 and 6 never paid: their dues lapsed 100 s after joining
    status = cli.ok("treasury", "status")
    assert "  lapsed, not yet marked: 2, 4, 5, 6 (anyone may mark them: `consortium treasury poke`)" in status
    assert "  marked lapsed: none" in status
    assert cli.ok("treasury", "poke") == "marked lapsed: 2, 4, 5, 6\n"
    restore = "2, 4, 5, 6 (paying restores them: `consortium treasury pay-dues 2 4 5 6`)"
    assert cli.ok("treasury", "poke") == (
        "nothing to mark: every member whose dues lapsed is already marked\n"
        f"already marked lapsed: {restore}\n")
    status = cli.ok("treasury", "status")
    assert "  lapsed, not yet marked: none\n" in status and f"  marked lapsed: {restore}\n" in status
    assert re.fullmatch(rf"member 2 \(founding, 2 ETH per period\): paid until {DATE} \(\d+ min ago\); LAPSED "
                        r"\(unpaid past the grace period\), marked: no vote until paid \(`consortium treasury "
                        r"pay-dues 2`\)\n", cli.ok("treasury", "dues", "2"))

    out = cli.ok("treasury", "pay-dues", "--all", account="r2")
    restored = "; it was lapsed: its vote is restored"
    assert re.fullmatch(rf"member 1 Co: skipped, already paid until {DATE} \(the treasury takes at most one period "
                        r"ahead\)\n"
                        rf"member 3 Co: skipped, already paid until {DATE} \(the treasury takes at most one period "
                        r"ahead\)\n"
                        rf"member 2 Co: paid 2 ETH for 1 period; paid until {DATE}{restored}\n"
                        rf"member 4 Co: paid 1 ETH for 1 period; paid until {DATE}{restored}\n"
                        rf"member 5 Co: paid 1 ETH for 1 period; paid until {DATE}{restored}\n"
                        rf"member 6 Co: paid 1 ETH for 1 period; paid until {DATE}{restored}\n"
                        r"total: 5 ETH for 4 member\(s\) in 2 transaction\(s\)\n", out)
    assert cli.ok("treasury", "poke") == "no member's dues have lapsed\n"
    assert "  marked lapsed: none" in cli.ok("treasury", "status")

    cli.advance(2500)  # everyone is now more than a period behind
    cli.ok("treasury", "poke")
    out = cli.ok("treasury", "pay-dues", "5", account="r3")
    assert re.fullmatch(rf"member 5 Co: paid 1 ETH for 1 period; paid until {DATE}; still lapsed: its dues are not "
                        r"yet current \(pay more periods\)\n"
                        r"total: 1 ETH for 1 member\(s\) in 1 transaction\(s\)\n", out)
    assert re.search(rf"member 5 Co: paid 1 ETH for 1 period; paid until {DATE}{restored}\n",
                     cli.ok("treasury", "pay-dues", "5", account="r3"))

    assert cli.fails("treasury", "pay-dues", account="r1") == (
        "Error: give the members to pay for (ids or seats), or --all")
    assert cli.fails("treasury", "pay-dues", "1", "--all", account="r1") == (
        "Error: give the members to pay for (ids or seats), or --all, not both")
    assert cli.fails("treasury", "pay-dues", "9", account="r1") == "Error: there is no member 9"
    assert cli.ok("treasury", "dues", "7") == "member 7 (observer): its tier owes no dues\n"
    balance = re.search(r"balance: .*", cli.ok("treasury", "status")).group(0)
    assert cli.fails("treasury", "pay-dues", "4", "6", "2", "7", account="r1") == (
        "Error: pay dues: TreasuryNoDues: member 7's tier owes no dues")
    assert re.search(r"balance: .*", cli.ok("treasury", "status")).group(0) == balance  # not even 4 and 6 paid


def test_dues_and_amounts_in_the_dues_tokens_own_units(cli, w3):
    deployer = w3.eth.accounts[0]
    factory = contract(w3, "TestToken")
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor().transact({"from": deployer}))
    token = contract(w3, "TestToken", receipt["contractAddress"])
    seats = {name: cli.wallet(name) for name in ("f1", "f2", "r1", "r2")}
    w3.eth.wait_for_transaction_receipt(token.functions.mint(seats["r1"], 100 * ETH).transact({"from": deployer}))
    cli.deploy({seats["f1"]: "founding", seats["f2"]: "founding", seats["r1"]: "regular", seats["r2"]: "regular"},
               dues={"founding": "2 ether", "regular": "1 ether"},
               treasury={"dues_token": f'"{token.address}"', "dues_period": 1000, "grace_period": 100})

    status = cli.ok("treasury", "status")
    assert f"  balance: 0 ETH, 0 TUSD (token {token.address})" in status
    assert "  dues in TUSD, per period of 1,000 s" in status and "  founding     2 TUSD per period" in status
    out = cli.ok("treasury", "pay-dues", "1", "3", account="r1")
    assert re.fullmatch(rf"member 1 Co: paid 2 TUSD for 1 period; paid until {DATE}\n"
                        rf"member 3 Co: paid 1 TUSD for 1 period; paid until {DATE}\n"
                        r"total: 3 TUSD for 2 member\(s\) in 1 transaction\(s\)\n", out)
    assert "Warning" not in out
    assert "grant of 5.5 TUSD received" in cli.ok("treasury", "contribute", "grant", "5.5 TUSD", "--token",
                                                  token.address, "--memo", "m", account="r1")
    assert f"  balance: 0 ETH, 8.5 TUSD (token {token.address})" in cli.ok("treasury", "status")
    assert re.match(r"member 3 \(regular, 1 TUSD per period\): paid until", cli.ok("treasury", "dues", "3"))

    assert cli.fails("propose", "dues", "regular", "1.5 ether", "--description", "d", account="f1") == (
        "Error: amount '1.5 ether': unknown unit 'ether'; write it in TUSD or base units")
    assert cli.fails("propose", "dues", "regular", "2", "--description", "d", account="f1") == (
        "Error: amount '2' has no unit: write 2 TUSD or 2 base units")
    assert "kind: constitutional" in cli.ok("propose", "dues", "regular", "1.5 TUSD", "--description", "d",
                                            account="f1")
    assert "kind: ordinary" in cli.ok("propose", "spend", "10 base units", seats["r2"], "--token", token.address,
                                      "--memo", "m", "--description", "d", account="f2")
    assert cli.fails("treasury", "contribute", "grant", "5 ether", "--token", token.address, "--memo", "m",
                     account="r1") == "Error: amount '5 ether': unknown unit 'ether'; write it in TUSD or base units"


def test_bodies_act_by_function_name_and_spend_with_units(cli, consortium):
    cli.ok("treasury", "contribute", "sponsorship", "3 ether", "--memo", "Gold", account="f1")
    treasury = cli.manifest()["contracts"]["Treasury"]
    assert cli.fails("propose", "create-body", "secretariat", "S", "--threshold", "1", "--member", "3",
                     "--mandate", "treasury:publishDraft", "--description", "d", account="f1") == (
        "Error: treasury has no function 'publishDraft' a body could call; its functions are: contribute, "
        "payDues, payDuesMany, setAcceptedToken, setBudget, setDues, setDuesTerms, spend, spendBudget")
    assert cli.fails("propose", "create-body", "secretariat", "S", "--threshold", "1", "--member", "3",
                     "--mandate", "0x" + "11" * 20 + ":transfer", "--description", "d", account="f1") == (
        "Error: 0x" + "11" * 20 + " is not one of the consortium's contracts, so its functions are unknown here: "
        "give the full signature, e.g. transfer(address,uint256)")
    assert cli.fails("propose", "create-body", "secretariat", "S", "--threshold", "1", "--member", "3",
                     "--mandate", "treasury:", "--description", "d", account="f1") == (
        "Error: mandate entry 'treasury:': give TARGET:FUNCTION, e.g. treasury:spendBudget")

    enact(cli, cli.ok("propose", "create-body", "secretariat", "Secretariat", "--threshold", "2", "--member", "3",
                      "--member", "4", "--mandate", "treasury:spendBudget", "--description", "Secretariat",
                      account="f1"))
    enact(cli, cli.ok("propose", "budget", "Secretariat", "1 ether", "--description", "Budget", account="f1"))
    show = cli.ok("body", "show", "Secretariat")
    assert "  budget left: 1 ETH\n" in show
    assert f"    spendBudget(address,address,uint256,string) on treasury ({treasury})\n" in show
    assert "budget of Secretariat: 1 ETH left" in cli.ok("treasury", "status")

    before = cli.w3.eth.get_balance(consortium["r2"])
    out = cli.ok("body", "spend", "Secretariat", "0.8 ether", consortium["r2"], "--memo", "invoice 17", account="r1")
    assert re.fullmatch(r"action #0 in Secretariat: 1 of 2 approval\(s\), not executed yet: another member of the "
                        r"body approves it with `consortium body approve Secretariat 0` \(transaction 0x[0-9a-f]+\)\n",
                        out)
    assert re.fullmatch(r"action #0 in Secretariat: 2 of 2 approval\(s\), executed \(transaction 0x[0-9a-f]+\)\n",
                        cli.ok("body", "approve", "Secretariat", "0", account="r2"))
    assert cli.w3.eth.get_balance(consortium["r2"]) - before > 79 * ETH // 100  # 0.8 ETH less r2's gas
    out = cli.ok("body", "propose", "Secretariat", "treasury", "spendBudget", ZERO, consortium["r2"], "0.1 ether",
                 "venue", "--description", "Pay the venue", account="r1")
    assert out.startswith("action #1 in Secretariat: 1 of 2 approval(s), not executed yet")
    out = cli.ok("body", "propose", "Secretariat", "treasury", "spendBudget", ZERO, consortium["r2"], "0.5 ether",
                 "too much", "--description", "Overspend", account="r1")
    assert out.startswith("action #2 in Secretariat: 1 of 2 approval(s)")
    show = cli.ok("body", "show", "Secretariat")
    assert "  budget left: 0.2 ETH\n" in show
    assert f"    #0 by member 3 Co: Pay 0.8 ETH to {consortium['r2']}: invoice 17 — executed\n" in show
    assert "    #1 by member 3 Co: Pay the venue — 1 of 2 approval(s)\n" in show
    assert cli.fails("body", "approve", "Secretariat", "2", account="r2") == (
        f"Error: approve: TreasuryBudgetExceeded: {_body(cli)}'s budget of 0.2 ETH does not cover 0.5 ETH")
    assert cli.fails("body", "spend", "Secretariat", "1", consortium["r2"], "--memo", "m", account="r1") == (
        f"Error: amount '1' has no unit: {NO_UNIT.format(1)}")
    assert cli.fails("body", "spend", "Secretariat", "0 ether", consortium["r2"], "--memo", "m", account="r1") == (
        "Error: a payment must be more than zero")
    assert cli.fails("body", "propose", "Secretariat", "treasury", "spendBudget", ZERO, consortium["r2"], "0.5 wei",
                     "m", "--description", "d", account="r1") == "Error: amount '0.5 wei' is not a whole number of wei"
    assert cli.fails("body", "propose", "Secretariat", "treasury", "spend", ZERO, consortium["r2"], "1 ether", "m",
                     "--description", "d", account="r1") == (
        "Error: body action: BodyOutsideMandate: calling spend(address,address,uint256,string) (0x45e67724) on "
        f"{treasury} is outside the body's mandate")

    out = cli.ok("propose", "body", "Secretariat", "--allow", "registry:lapse", "--disallow", "treasury:spendBudget",
                 "--description", "Lapse, no spending", account="f1")
    enact(cli, out)
    show = cli.ok("body", "show", "Secretariat")
    assert "lapse(uint256) on registry" in show and "spendBudget" not in show.split("  actions:")[0]


def _body(cli) -> str:
    return re.search(r"(0x[0-9a-fA-F]{40})  secretariat", cli.ok("body", "list")).group(1)
