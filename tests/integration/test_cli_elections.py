"""Elections through the CLI on a real devnet: governance names the registry a body's elector and opens an
election by votes; members nominate and withdraw, make the ballot, vote by approval from their seat and as a
signed file a relayer submits; the ballot executes and seats the winners; after the term anyone vacates. A
failed ballot gets a new round; governance cancels an election. Every refusal by its exact message."""

import json

from orchestrator.chain.reverts import utc
from orchestrator.commands.common import when
from orchestrator.operations.deploy import contract
from tests.integration.test_cli_advisories import enact_together
from tests.integration.test_cli_institutions import enact, proposal_id

COUNCIL = ("propose", "create-body", "council", "Council", "--threshold", "1", "--member", "1", "--description",
           "Council")
ELECTION = ("propose", "election", "Council", "--seats", "2", "--reserve", "regular=1", "--title", "Council 2025",
            "--description", "Elect the council")


def registry(cli):
    return contract(cli.w3, "ElectionRegistry", cli.manifest()["contracts"]["ElectionRegistry"])


def now(cli) -> int:
    return cli.w3.eth.get_block("latest")["timestamp"]


def schedule(cli, election_id: int) -> tuple[int, int]:
    """(nominations end, term end) as the registry holds them."""
    e = registry(cli).functions.election(election_id).call()
    return e[3], e[4]


def council_with_elector(cli):
    enact(cli, cli.ok(*COUNCIL, account="f1"))
    enact(cli, cli.ok("propose", "elector", "Council", "--description", "The registry seats Council", account="f1"))


def test_an_election_from_opening_to_vacating(cli, consortium, tmp_path):
    enact(cli, cli.ok(*COUNCIL, account="f1"))
    body = cli.manifest()  # the Council's address, from the factory
    council = contract(cli.w3, "BodyFactory", body["contracts"]["BodyFactory"]).functions.bodies().call()[0]
    elector = cli.ok("propose", "elector", "Council", "--description", "The registry seats Council", account="f1")
    opened = cli.ok(*ELECTION, "--nominate-for", "20min", "--term", "1h", account="f1")
    assert opened.splitlines()[1:] == ["kind: ordinary"]
    assert cli.ok("election", "list") == "no elections yet: governance opens one with `consortium propose election`\n"
    enact_together(cli, elector, opened)
    closes, ends = schedule(cli, 1)
    assert cli.ok("election", "list") == (
        f"   1  nominating  Council: 2 seat(s), 0 candidate(s); nominations close {when(closes, now(cli))}  "
        "Council 2025\n")
    assert cli.ok("election", "show", "1") == (
        "election 1: Council 2025 — nominating\n"
        f"  body: Council ({council}), 2 seat(s); reserved: 1 for regular\n"
        f"  nominations close {when(closes, now(cli))}; term ends {when(ends, now(cli))}\n"
        "  ballot: after nominations close\n"
        "  candidates: none\n")

    # Nominations: active members stand, withdraw and may stand again.
    for number, name, member in ((0, "r1", 3), (1, "f2", 2), (2, "r2", 4)):
        assert cli.ok("election", "nominate", "1", account=name) == (
            f"member {member} Co is candidate {number} in election 1 (Council 2025); nominations close at "
            f"{utc(closes)}\n")
    assert cli.ok("election", "withdraw", "1", account="r2") == (
        f"member 4 Co withdrew from election 1; it may nominate itself again until {utc(closes)}\n")
    assert cli.fails("election", "nominate", "1", account="r1") == (
        "Error: nominate in election 1: ElectionAlreadyCandidate: member 3 is already a candidate in election 1")
    assert cli.fails("election", "withdraw", "1", account="f1") == (
        "Error: withdraw from election 1: ElectionNotCandidate: member 1 is not a candidate in election 1")
    assert cli.fails("election", "withdraw", "1", account="r2") == (
        "Error: withdraw from election 1: ElectionNotCandidate: member 4 is not a candidate in election 1")
    outsider = cli.wallet("outsider")
    assert cli.fails("election", "nominate", "1", account="outsider") == (
        f"Error: nominate in election 1: ElectionNotActiveMember: {outsider} is not the seat of an active member: "
        "only active members stand for election")
    assert cli.fails("election", "withdraw", "1", account="outsider") == (
        "Error: withdraw from election 1: ElectionNotCandidate: the sender (not a member) is not a candidate in "
        "election 1")
    for command in ("nominate", "withdraw", "ballot", "next-round", "vacate", "show"):
        assert cli.fails("election", command, "9", account="f1") == "Error: no election 9"
    assert cli.fails("election", "vote", "9", "--approve", "3", account="f1") == "Error: no election 9"
    assert cli.fails("election", "ballot", "1", account="f1") == (
        f"Error: ballot of election 1: ElectionNominationsOpen: nominations to election 1 are open until "
        f"{utc(closes)}: its ballot comes after")
    assert cli.fails("election", "vote", "1", "--approve", "3", account="f1") == (
        f"Error: vote in election 1: ElectionNominationsOpen: nominations to election 1 are open until "
        f"{utc(closes)}: its ballot comes after")
    assert cli.ok("election", "show", "1").endswith(
        "  ballot: after nominations close\n"
        "  candidates:\n"
        "     0. member 3 Co (regular)\n"
        "     1. member 2 Co (founding)\n"
        "     2. member 4 Co (regular, withdrawn)\n")

    # Nominations close; the ballot is made once, exactly as the registry fixes it.
    cli.advance(closes - now(cli))
    assert cli.fails("election", "nominate", "1", account="f1") == (
        f"Error: nominate in election 1: ElectionNominationsClosed: nominations to election 1 closed at "
        f"{utc(closes)}")
    assert cli.fails("election", "withdraw", "1", account="r1") == (
        f"Error: withdraw from election 1: ElectionNominationsClosed: nominations to election 1 closed at "
        f"{utc(closes)}")
    pid = str(registry(cli).functions.ballot(1).call()[0])
    assert cli.fails("election", "vote", "1", "--approve", "3", account="f1") == (
        "Error: election 1's ballot for round 1 is not proposed yet: `consortium election ballot 1` makes it")
    assert "  ballot: round 1, proposal " + pid + ", not proposed yet: `consortium election ballot 1` makes it" in (
        cli.ok("election", "show", "1"))
    assert cli.fails("election", "ballot", "1", account="outsider") == (
        f"Error: propose: GovernorProposerWithoutRight: {outsider} may not propose: only active members of a tier "
        "with the propose right can")
    assert cli.ok("election", "ballot", "1", account="r1") == (
        f"proposal {pid}\nkind: ordinary\nballot of election 1, round 1: members vote with `consortium election "
        "vote 1 --approve MEMBER[,MEMBER…]`\n")
    assert cli.fails("election", "ballot", "1", account="f1") == (
        f"Error: election 1's ballot for round 1 is already proposal {pid} (Pending): vote on it with `consortium "
        "election vote 1 --approve MEMBER,…`")
    cli.advance(2)

    # Votes by approval: the member's own, and a signed file a relayer submits.
    out = cli.ok("election", "vote", "1", "--approve", "3,2", account="f1")
    assert out.startswith(f"counted: member 1 Co approves member 3 Co, member 2 Co in election 1 with weight 3 "
                          f"(proposal {pid}, transaction ")
    assert cli.ok("election", "vote", "1", "--approve-none", account="r1").startswith(
        f"counted: member 3 Co approves nobody (an abstention) in election 1 with weight 1 (proposal {pid}, ")
    signed = tmp_path / "f2.json"
    assert cli.ok("election", "vote", "1", "--approve", consortium["f2"], "--sign-only", signed, account="f2") == (
        f"signed approval ballot written to {signed}: member 2 Co approves member 2 Co in election 1 (proposal "
        f"{pid}); hand it to a relayer (`consortium relay {signed}`, or POST it to /approvals)\n")
    ballot = json.loads(signed.read_text())
    assert {k: ballot[k] for k in ("format", "proposal_id", "voter", "approvals")} == {
        "format": "consortium-approval/1", "proposal_id": pid, "voter": consortium["f2"], "approvals": "2"}
    assert ballot["typed_data"]["primaryType"] == "ApprovalBallot"
    relayed = cli.ok("relay", signed, env={"CONSORTIUM_DB": f"sqlite:///{tmp_path / 'relay.db'}"})
    assert relayed.splitlines()[0] == f"{signed}: accepted"
    assert relayed.splitlines()[1].startswith(f"{signed}: included in transaction 0x")

    # Refusals of a vote, before anything is signed or sent.
    assert cli.fails("election", "vote", "1", "--approve", "4", account="r2") == (
        "Error: member 4 is not a candidate in election 1 (candidates: 3, 2)")
    assert cli.fails("election", "vote", "1", "--approve", "1", account="r2") == (
        "Error: member 1 is not a candidate in election 1 (candidates: 3, 2)")
    assert cli.fails("election", "vote", "1", "--approve", "99", account="r2") == "Error: there is no member 99"
    assert cli.fails("election", "vote", "1", "--approve", "3,,2", account="r2") == (
        "Error: --approve '3,,2' names no member between two commas")
    for flags in ((), ("--approve", "3", "--approve-none")):
        assert cli.fails("election", "vote", "1", *flags, account="r2") == (
            "Error: give --approve MEMBER[,MEMBER…] or --approve-none, one of the two")
    assert cli.fails("election", "vote", "1", "--approve", "3", account="outsider") == (
        f"Error: not sent, the ballot could never count: {outsider} is not the seat of a current member")
    assert cli.fails("election", "vote", "1", "--approve", "3", "--sign-only", tmp_path / "x.json",
                     account="outsider") == (
        f"Error: not signed, the ballot could never count: {outsider} is not the seat of a current member")
    assert cli.fails("election", "vote", "1", "--approve", "3", account="f1") == (
        f"Error: not sent, the ballot could never count: {consortium['f1']} has already voted on this proposal")
    assert cli.fails("election", "vote", "1", "--approve", "3", "--sign-only", tmp_path / "x.json") == (
        "Error: --sign-only needs a wallet: pass --account NAME")
    assert cli.fails("vote", pid, "for", account="r2") == (
        f"Error: vote: GovernorProposalIsElection: proposal {pid} is an election's ballot: members vote on it by "
        "approving candidates, not for, against or abstain")

    # What the chain counted, per candidate and voters' tier; the proposal says it is the election's ballot.
    shown = cli.ok("election", "show", "1")
    assert shown.split("  ballot:")[1] == (
        f" round 1, proposal {pid}, Active\n"
        "  candidates, with the approval weight counted (in all, then from voters of each tier):\n"
        "                                                all   founding   regular  observer\n"
        "     0. member 3 Co (regular)                     3          3         0         0\n"
        "     1. member 2 Co (founding)                    6          6         0         0\n"
        "     2. member 4 Co (regular, withdrawn)          0          0         0         0\n")
    assert ("  the ballot of election 1: members vote by approving candidates (`consortium election vote 1`); its "
            "approvals per candidate: `consortium election show 1`") in cli.ok("proposal", "show", pid)
    assert "Council 2025 (election 1's ballot)" in cli.ok("proposal", "list")

    # Executed: the registry seats the winners (the regular seat first), then the term ends.
    cli.advance(301)
    cli.ok("proposal", "queue", pid)
    cli.advance(2)
    cli.ok("proposal", "execute", pid)
    assert cli.ok("election", "show", "1").split("observer\n")[1].split("\n", 3)[3] == (
        "  elected:\n"
        "    member 3 Co with 3 approval weight, a seat reserved for regular\n"
        "    member 2 Co with 6 approval weight\n")
    assert "   1  seated      Council: 2 seat(s), 2 candidate(s); term ends" in cli.ok("election", "list")
    assert cli.fails("election", "vacate", "1") == (
        f"Error: vacate election 1: ElectionTermNotOver: election 1's term ends at {utc(ends)}, not before")
    assert cli.fails("election", "next-round", "1") == (
        "Error: next round of election 1: ElectionWrongStatus: election 1 is seated, which does not allow this")
    assert cli.fails("election", "vote", "1", "--approve", "3", account="r2") == (
        "Error: vote in election 1: ElectionWrongStatus: election 1 is seated, which does not allow this")
    assert cli.fails("propose", "cancel-election", "1", "--description", "d", account="f1") == (
        "Error: cancel election 1: ElectionWrongStatus: election 1 is seated, which does not allow this")
    audit = cli.ok("audit")
    timelock, elections = cli.manifest()["contracts"]["TimelockController"], registry(cli).address
    assert f"ElectionRegistry     governance             {timelock}  system contract: TimelockController" in audit
    assert f"Body Council         elector                {elections}  system contract: ElectionRegistry" in audit

    cli.advance(ends - now(cli))
    assert cli.ok("election", "vacate", "1", account="r2") == "election 1 vacated: member 3 Co, member 2 Co\n"
    shown = cli.ok("election", "show", "1")
    assert shown.startswith("election 1: Council 2025 — vacated\n")
    assert shown.endswith("    member 2 Co with 6 approval weight\n  vacated: member 3 Co, member 2 Co\n")
    d = json.loads(cli.ok("election", "show", "1", "--format", "json"))
    assert d["status"] == "vacated" and d["elected"] == [
        {"member_id": 3, "member": "member 3 Co", "approvals": 3, "reserved_seat": True},
        {"member_id": 2, "member": "member 2 Co", "approvals": 6, "reserved_seat": False}]
    assert d["candidates"][1]["approvals_by_voter_tier"] == {"founding": 6, "regular": 0, "observer": 0}
    assert (d["ballot"], d["vacated"]) == ({"proposal_id": pid, "round": 1, "state": "Executed"}, [3, 2])
    assert cli.fails("election", "vacate", "1") == (
        "Error: vacate election 1: ElectionWrongStatus: election 1 is vacated, which does not allow this")


def test_proposing_an_election_and_every_refusal(cli, consortium):
    enact(cli, cli.ok(*COUNCIL, account="f1"))
    base = ("propose", "election", "Council", "--title", "T", "--description", "d")
    assert cli.fails("propose", "election", "Nope", "--seats", "1", "--nominate-for", "1h", "--term", "1d",
                     "--title", "T", "--description", "d", account="f1") == (
        "Error: no body named 'Nope': see `consortium body list`")
    stranger = "0x" + "12" * 20
    assert cli.fails("propose", "election", stranger, "--seats", "1", "--nominate-for", "1h", "--term", "1d",
                     "--title", "T", "--description", "d", account="f1") == (
        "Error: 0x1212121212121212121212121212121212121212 is not one of this consortium's bodies")
    assert cli.fails(*base, "--seats", "1", "--term", "1d", account="f1") == (
        "Error: give --nominations-end WHEN or --nominate-for DURATION, one of the two")
    assert cli.fails(*base, "--seats", "1", "--nominate-for", "1h", "--nominations-end", "2099-01-01", "--term", "1d",
                     account="f1") == "Error: give --nominations-end WHEN or --nominate-for DURATION, one of the two"
    assert cli.fails(*base, "--seats", "1", "--nominate-for", "1h", account="f1") == (
        "Error: give --term-end WHEN or --term DURATION, one of the two")
    assert cli.fails(*base, "--seats", "1", "--nominate-for", "1h", "--term", "soon", account="f1") == (
        "Error: duration 'soon' is not a positive whole number of s, min, h or d (e.g. 2h, 30d)")
    assert cli.fails(*base, "--seats", "1", "--nominations-end", "tomorrow", "--term", "1d", account="f1") == (
        "Error: time 'tomorrow' is neither YYYY-MM-DD[THH:MM[:SS]] (UTC) nor seconds since 1970")
    for reserve in ("regular", "regular=", "=1", "regular=0", "regular=256"):
        assert cli.fails(*base, "--seats", "1", "--reserve", reserve, "--nominate-for", "1h", "--term", "1d",
                         account="f1") == (
            f"Error: --reserve {reserve!r} is not TIER=SEATS, e.g. regular=1 (1 to 255 seats)")
    assert cli.fails(*base, "--seats", "1", "--reserve", "gold=1", "--nominate-for", "1h", "--term", "1d",
                     account="f1") == "Error: unknown tier 'gold'; tiers are ['founding', 'regular', 'observer']"

    # What the registry would refuse when the proposal executes, asked of it now as the timelock.
    assert cli.fails(*base, "--seats", "40", "--nominate-for", "1h", "--term", "1d", account="f1") == (
        "Error: open election: ElectionInvalidSeats: 40 seat(s) with 0 reserved is not an election: 1 to 32 seats, "
        "no more reserved than there are, each reservation for a tier that exists and of at least one seat")
    assert cli.fails(*base, "--seats", "1", "--reserve", "regular=1", "--reserve", "founding=1", "--nominate-for",
                     "1h", "--term", "1d", account="f1").startswith(
        "Error: open election: ElectionInvalidSeats: 1 seat(s) with 2 reserved is not an election")
    start = now(cli)
    assert cli.fails(*base, "--seats", "1", "--nominate-for", "1h", "--term-end", str(start + 60),
                     account="f1") == (
        f"Error: open election: ElectionInvalidSchedule: nominations closing at {utc(start + 3600)} and a term "
        f"ending at {utc(start + 60)} is not a schedule: nominations close in the future and the term ends after "
        "them")
    assert cli.fails("propose", "election", "Council", "--title", "x" * 201, "--description", "d", "--seats", "1",
                     "--nominate-for", "1h", "--term", "1d", account="f1") == (
        "Error: open election: ElectionTitleTooLong: a title of 201 bytes is longer than the 200 bytes allowed")
    # Nominations must still be open when the proposal executes: after the voting delay, period and timelock.
    assert cli.fails(*base, "--seats", "1", "--nominate-for", "302s", "--term", "1d", account="f1") == (
        f"Error: nominations would close at {utc(start + 302)}, before this proposal can execute (at the earliest "
        f"{utc(start + 302)}: the voting delay and period, then the timelock's delay), and the registry refuses an "
        "election whose nominations have closed: give a later time")
    assert cli.ok(*base, "--seats", "1", "--nominate-for", "303s", "--term", "1d", account="f1").startswith(
        "proposal ")
    assert cli.fails("propose", "cancel-election", "9", "--description", "d", account="f1") == (
        "Error: cancel election 9: ElectionUnknown: there is no election 9")
    assert cli.fails("propose", "elector", "Nope", "--description", "d", account="f1") == (
        "Error: no body named 'Nope': see `consortium body list`")


def test_a_failed_ballot_gets_a_new_round_and_governance_cancels(cli, consortium):
    enact(cli, cli.ok(*COUNCIL, account="f1"))
    opened = cli.ok("propose", "bundle", "--description", "Two elections",
                    "--action", "election Council --seats 1 --nominate-for 20min --term 1h --title 'Round two'",
                    "--action", "election Council --seats 1 --nominate-for 20min --term 1h --title Empty",
                    account="f1")
    assert "2 action(s), 2 call(s):" in opened
    enact(cli, opened)
    council = contract(cli.w3, "BodyFactory", cli.manifest()["contracts"]["BodyFactory"]).functions.bodies().call()[0]
    assert (f"  note: the registry is not Council's elector: seating fails until governance names it (`consortium "
            f"propose elector {council}`)") in cli.ok("election", "show", "1")
    assert "elector" not in cli.ok("audit")  # no elector named: nobody but governance appoints
    enact(cli, cli.ok("propose", "elector", council, "--description", "The registry seats Council", account="f1"))
    assert "note:" not in cli.ok("election", "show", "1")
    assert cli.fails("propose", "elector", "Council", "--description", "d", account="f1") == (
        "Error: the election registry is already body 'Council''s elector")
    cli.ok("election", "nominate", "1", account="r1")
    closes, _ = schedule(cli, 1)
    cli.advance(closes - now(cli))

    # Nobody stood in election 2: there is no ballot to make or vote on.
    assert cli.fails("election", "ballot", "2", account="f1") == (
        "Error: ballot of election 2: ElectionNoCandidates: election 2 has no candidates: nobody nominated itself, "
        "so there is nothing to vote on")
    assert "  ballot: none (no candidates)\n  candidates: none\n" in cli.ok("election", "show", "2")
    assert cli.fails("election", "vote", "2", "--approve", "3", account="f1") == (
        "Error: member 3 is not a candidate in election 2 (candidates: none)")
    assert cli.fails("election", "vote", "2", "--approve-none", account="f1") == (
        "Error: vote in election 2: ElectionNoCandidates: election 2 has no candidates: nobody nominated itself, "
        "so there is nothing to vote on")

    # Election 1's ballot gets no votes: defeated, then a new round with a new ballot.
    first = proposal_id(cli.ok("election", "ballot", "1", account="f1"))
    assert cli.fails("election", "next-round", "1") == (
        f"Error: next round of election 1: ElectionBallotStillLive: election 1's ballot, proposal {first}, can "
        "still pass: a new round is only for a ballot defeated or expired")
    cli.advance(2 + 301)
    assert f"  ballot: round 1, proposal {first}, Defeated\n" in cli.ok("election", "show", "1")
    out = cli.ok("election", "next-round", "1", account="r2")
    second = str(registry(cli).functions.ballot(1).call()[0])
    assert out == (f"election 1: round 2 started; its ballot will be proposal {second}: `consortium election ballot "
                   "1` makes it\n")
    assert second != first
    assert (f"  ballot: round 2, proposal {second}, not proposed yet: `consortium election ballot 1` makes it\n"
            in cli.ok("election", "show", "1"))
    assert proposal_id(cli.ok("election", "ballot", "1", account="r1")) == second
    assert "  the ballot of election 1: members vote by approving" in cli.ok("proposal", "show", second)

    # Governance cancels both before anything is seated.
    enact(cli, cli.ok("propose", "bundle", "--description", "Cancel both", "--action", "cancel-election 1",
                      "--action", "cancel-election 2", account="f1"))
    listed = cli.ok("election", "list")
    assert "   1  cancelled   Council: 1 seat(s), 1 candidate(s); term ends" in listed
    assert "   2  cancelled   Council: 1 seat(s), 0 candidate(s); term ends" in listed
    assert f"  ballot: proposal {second}, " in cli.ok("election", "show", "1")
    assert cli.fails("propose", "cancel-election", "1", "--description", "d", account="f1") == (
        "Error: cancel election 1: ElectionWrongStatus: election 1 is cancelled, which does not allow this")
    assert cli.fails("election", "nominate", "1", account="f2") == (
        "Error: nominate in election 1: ElectionWrongStatus: election 1 is cancelled, which does not allow this")
