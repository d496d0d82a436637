"""Contribution-weighted votes from the command line, on a real devnet: `consortium contribution list|show` (the
ledger's own parts, never recomputed), sponsorships feeding the part, `consortium propose attribute-contribution`
(a constitutional member's case, its words, the member recused even when it proposes for itself), a flash
sponsorship after a snapshot, and every refusal by its exact message."""

import json
import re

from orchestrator import identity
from tests.integration.test_cli_institutions import enact, proposal_id

NAMES = {"f1": ("Acme Founding AG", "CH"), "f2": ("Bitex Ltd", "GB"), "r1": ("Coinvault SA", "FR"),
         "r2": ("Delta Pay GmbH", "DE")}
TIERS = (("founding", 1000, "true"), ("regular", 300, "true"), ("observer", 0, "false"))
NOT_WEIGHED = "Error: this deployment does not weigh contributions ([contributions] enabled = false)"


def deploy_weighed(cli, **contributions) -> dict[str, str]:
    """f1, f2 (founding, weight 1000) and r1, r2 (regular, 300), named on-chain, with contribution weight on:
    0.0001 ETH is one weight unit, so 1 ETH is a part of 100 and 4 ETH of 200."""
    seats = {name: cli.wallet(name) for name in NAMES}
    settings = {"voting_delay": 1, "voting_period": 300, "late_quorum_extension": 0, "timelock_delay": 1,
                "quorum_percent": 10, "constitutional_quorum_percent": 30}
    lines = ['name = "Weighed"', "[governor]", *[f"{k} = {v}" for k, v in settings.items()]]
    section = {"enabled": "true", "unit": '"0.0001 ether"', "period": 30 * 86400, **contributions}
    lines += ["[contributions]", *[f"{k} = {v}" for k, v in section.items()]]
    for name, weight, votes in TIERS:
        lines += ["[[tiers]]", f'name = "{name}"', f"weight = {weight}", f"can_propose = {votes}",
                  f"can_vote = {votes}"]
    for name, (legal, jurisdiction) in NAMES.items():
        lines += ["[[members]]", f'seat = "{seats[name]}"', f'tier = "{"founding" if name[0] == "f" else "regular"}"',
                  f'legal_name = "{legal}"', f'jurisdiction = "{jurisdiction}"',
                  f'metadata_uri = "{identity.metadata_uri(legal, jurisdiction)}"']
    config = cli.dir / "weighed.toml"
    config.write_text("\n".join(lines) + "\n")
    cli.ok("deploy", "--config", config, "--force")
    return seats


def table(out: str) -> list[list[str]]:
    """`contribution list`'s rows, cells split at two spaces or more."""
    return [re.split(r"\s{2,}", line) for line in out.splitlines()[1:-2]]


def test_a_deployment_without_the_ledger_says_so_in_one_line(cli, consortium):
    assert cli.fails("contribution", "list") == NOT_WEIGHED
    assert cli.fails("contribution", "show", "1") == NOT_WEIGHED
    assert cli.fails("propose", "attribute-contribution", "2", "1 ether", "--memo", "work", "--description", "d",
                     account="f1") == NOT_WEIGHED


def test_sponsorships_and_an_attribution_by_vote_make_the_part(cli):
    deploy_weighed(cli)
    out = cli.ok("treasury", "contribute", "sponsorship", "1 ether", "--memo", "Gold sponsor", account="r1")
    assert out.startswith("sponsorship of 1 ETH received")
    cli.ok("treasury", "contribute", "grant", "5 ether", "--memo", "not a sponsorship", account="r2")  # no part

    out = cli.ok("propose", "attribute-contribution", "Delta Pay GmbH", "4 ether", "--memo", "authored PoR 1.0",
                 "--description", "Attribute PoR", account="f1")
    assert "kind: member case about member 4" in out
    pid = proposal_id(out)
    show = cli.ok("proposal", "show", pid)
    assert ("\n    attribute a contribution worth 4 ETH to member 4 Delta Pay GmbH, adding to its contribution part of "
            "the weight (memo: authored PoR 1.0)\n") in show
    cli.advance(2)
    assert "GovernorVoterRecused" in cli.fails("vote", pid, "for", account="r2")  # its own case
    enact(cli, out)

    listing = cli.ok("contribution", "list")
    assert listing.splitlines()[0] == ("contribution weight: part = sqrt(value / 0.0001 ETH), each contribution "
                                       "halved every 2,592,000 s; no cap of its own; counted: sponsorships, "
                                       "attributions")
    assert table(listing) == [
        ["member", "tier", "status", "contribution now", "part", "counted", "weight"],
        ["member 1 Acme Founding AG", "founding", "active", "0 ETH", "0", "-", "1000"],
        ["member 2 Bitex Ltd", "founding", "active", "0 ETH", "0", "-", "1000"],
        ["member 3 Coinvault SA", "regular", "active", "1 ETH", "100", "yes", "400"],
        ["member 4 Delta Pay GmbH", "regular", "active", "4 ETH", "200", "yes", "500"]]
    assert listing.splitlines()[-2] == "total weight 2900, of which contribution parts 300 (10.3%)"
    data = json.loads(cli.ok("contribution", "list", "--format", "json"))
    assert (data["total_weight"], data["total_part"]) == (2900, 300)
    assert [(m["id"], m["contribution"], m["part"], m["counted"]) for m in data["members"]] == [
        (1, 0, 0, None), (2, 0, 0, None), (3, 10**18, 100, True), (4, 4 * 10**18, 200, True)]

    show = cli.ok("contribution", "show", "4")
    lines = show.splitlines()
    assert lines[:6] == ["member 4 Delta Pay GmbH (regular, active)",
                         "  contribution now  4 ETH (decayed)",
                         "  part now          200 (counted)",
                         "  weight now        500 (tier weight 300 + part 200)",
                         "  contributions: 1",
                         lines[5]]
    assert lines[5].endswith("  attribution of 4 ETH: authored PoR 1.0")
    assert cli.ok("contribution", "show", "3").endswith(" UTC  sponsorship of 1 ETH\n")  # its memo is the treasury's


def test_a_member_proposing_an_attribution_to_itself_is_recused_from_it(cli):
    deploy_weighed(cli)
    out = cli.ok("propose", "attribute-contribution", "1", "100 ether", "--memo", "my own work", "--description",
                 "Me", account="f1")
    assert "kind: member case about member 1" in out
    pid = proposal_id(out)
    cli.advance(2)
    assert "GovernorVoterRecused" in cli.fails("vote", pid, "for", account="f1")
    cli.ok("vote", pid, "for", account="r1")
    cli.ok("vote", pid, "for", account="r2")  # 600 of 2600: not more than half of all weight
    cli.advance(301)
    assert "Defeated" in cli.ok("proposal", "show", pid)
    assert cli.ok("contribution", "show", "1").splitlines()[2] == "  part now          0"


def test_a_flash_sponsorship_after_the_snapshot_counts_from_the_next_one_only(cli):
    deploy_weighed(cli)
    pid = proposal_id(cli.ok("propose", "budget", "0x" + "11" * 20, "1 ether", "--description", "Budget",
                             account="f1"))
    cli.advance(2)  # the snapshot is past
    cli.ok("treasury", "contribute", "sponsorship", "9 ether", "--memo", "just before voting", account="r1")
    cli.ok("vote", pid, "for", account="r1")
    show = cli.ok("contribution", "show", "3", "--proposal", pid)
    assert "  part now          300 (counted)" in show
    assert f"  at proposal {pid}'s snapshot (" in show and show.count("part 0, weight 300") == 1
    assert cli.fails("contribution", "show", "3", "--at", "2999-01-01").startswith(
        "Error: 2999-01-01 00:00:00 UTC is not in the past yet (the clock is at ")
    assert cli.fails("contribution", "show", "3", "--at", "yesterday") == (
        "Error: time 'yesterday' is neither YYYY-MM-DD[THH:MM[:SS]] (UTC) nor seconds since 1970")
    assert cli.fails("contribution", "show", "3", "--at", "1", "--proposal", pid) == (
        "Error: give --at or --proposal, not both")
    assert "part 0, weight 0" in cli.ok("contribution", "show", "3", "--at", "1")  # before the deployment


def test_attributions_refused_before_a_vote_is_spent_each_in_words(cli):
    deploy_weighed(cli)

    def refused(member, amount):
        return cli.fails("propose", "attribute-contribution", member, amount, "--memo", "m", "--description", "d",
                         account="f1")

    assert refused("4", "0 ether") == ("Error: attribute a contribution to member 4: LedgerZeroAmount: the amount "
                                       "must be more than zero")
    assert refused("4", "1e21 ether") == (
        f"Error: attribute a contribution to member 4: LedgerAmountTooLarge: {10**39:,} base units is more than the "
        "ledger records at once (at most 2^128 - 1)")
    assert refused("4", "1e60 ether") == "Error: amount '1e60 ether' is too large"
    assert refused("99", "1 ether") == "Error: there is no member 99"
    assert refused("0", "1 ether") == "Error: there is no member 0"
    assert refused("Nobody Ltd", "1 ether") == ("Error: member 'Nobody Ltd' is not a member id, a seat address or a "
                                                "member's legal name")
    assert cli.fails("contribution", "show", "99") == "Error: there is no member 99"


def test_a_deployment_that_counts_no_attributions_refuses_them_by_name(cli):
    deploy_weighed(cli, attributions="false")
    assert cli.fails("propose", "attribute-contribution", "4", "1 ether", "--memo", "m", "--description", "d",
                     account="f1") == ("Error: attribute a contribution to member 4: LedgerNotCounted: this deployment "
                                       "does not count attributions ([contributions] attributions = false)")
    assert cli.ok("contribution", "list").splitlines()[0].endswith("counted: sponsorships")
