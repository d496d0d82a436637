"""The roll and the members' own commands through the CLI on a real devnet: `member list` and `member show`
(identity read from the chain and checked against its hash, tier, status, seat, weight, dues), MEMBER given
by id, seat or legal name, `vote --sign-only` refusing ballots that could never count, the lapsed member's
refusal, a case's subject trying to recuse, and resigning after a promotion."""

import hashlib
import json
import re
import time

import pytest
from web3 import HTTPProvider

from orchestrator import identity
from orchestrator.commands.common import when
from orchestrator.operations.deploy import contract
from tests.integration.test_cli_institutions import enact

ETH = 10**18
HOLDER = "0x" + "11" * 20  # a budget holder: an ordinary proposal about no member
FOREIGN_SEAT = "0x" + "a1" * 20
FORGED_SEAT = "0x" + "a2" * 20


def proposal_id(output: str) -> str:
    return re.search(r"proposal (\d+)", output).group(1)


def deploy(cli, members: list[tuple], dues: dict | None = None, treasury: dict | None = None, **governor) -> None:
    """Deploy `members` as (seat, tier, legal name, jurisdiction[, metadata URI]) with dues per tier."""
    settings = {"voting_delay": 1, "voting_period": 300, "late_quorum_extension": 0, "timelock_delay": 1,
                "quorum_percent": 10, "constitutional_quorum_percent": 30, **governor}
    lines = ['name = "Integration"', "[governor]", *[f"{k} = {v}" for k, v in settings.items()]]
    if treasury:
        lines += ["[treasury]", *[f"{k} = {v}" for k, v in treasury.items()]]
    for name, weight, votes in (("founding", 3, "true"), ("regular", 1, "true"), ("observer", 0, "false")):
        lines += ["[[tiers]]", f'name = "{name}"', f"weight = {weight}", f"can_propose = {votes}",
                  f"can_vote = {votes}", f'dues = "{(dues or {}).get(name, "0")}"']
    for seat, tier, name, jurisdiction, *uri in members:
        lines += ["[[members]]", f'seat = "{seat}"', f'tier = "{tier}"', f"legal_name = {json.dumps(name)}",
                  f'jurisdiction = "{jurisdiction}"'] + ([f'metadata_uri = "{uri[0]}"'] if uri else [])
    config = cli.dir / "config.toml"
    config.write_text("\n".join(lines) + "\n")
    cli.ok("deploy", "--config", config, "--force")


def registry(cli, w3):
    return contract(w3, "MemberRegistry", cli.manifest()["contracts"]["MemberRegistry"])


@pytest.fixture
def named(cli):
    """Five members with names on the chain: three with wallets, one whose metadata is elsewhere (ipfs), one
    whose data: URI names another company than its hash (forged); dues for founding and regular."""
    seats = {name: cli.wallet(name) for name in ("f1", "r1", "o1")}
    deploy(cli, [(seats["f1"], "founding", "Acme Ltd", "CH"), (seats["r1"], "regular", "Zürich Rück AG", "CH"),
                 (seats["o1"], "observer", "Watcher Inc", "US"),
                 (FOREIGN_SEAT, "regular", "Far Away Co", "SG", "ipfs://bafyfar"),
                 (FORGED_SEAT, "regular", "Shell Co", "KY", identity.metadata_uri("Trusted Bank plc", "UK"))],
           dues={"founding": "1 ether", "regular": "0.5 ether"})
    return seats


def table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


HEADER = ["id", "legal name", "jurisdiction", "tier", "status", "seat", "weight", "dues paid until", "lapsed"]


def test_member_list_reads_names_tiers_weights_and_dues_from_the_chain(cli, w3, named):
    r = registry(cli, w3)
    joined = r.functions.member(1).call()[3]
    day = when(joined)[:10]
    rows = [["1", "Acme Ltd", "CH", "founding", "active", named["f1"], "3", day, "no"],
            ["2", "Zürich Rück AG", "CH", "regular", "active", named["r1"], "1", day, "no"],
            ["3", "Watcher Inc", "US", "observer", "active", named["o1"], "0", "no dues", "no"],
            ["4", "(not on chain)", "-", "regular", "active", w3.to_checksum_address(FOREIGN_SEAT), "1", day, "no"],
            ["5", "Trusted Bank plc (unverified)", "UK", "regular", "active", w3.to_checksum_address(FORGED_SEAT), "1",
             day, "no"]]
    assert cli.ok("member", "list").splitlines() == ["5 member(s)", *table([HEADER, *rows])]
    assert cli.ok("member", "list", "--tier", "regular", "--status", "active").splitlines() == \
        ["3 member(s) of 5", *table([HEADER, rows[1], rows[3], rows[4]])]
    assert cli.ok("member", "list", "--status", "suspended").splitlines() == ["0 member(s) of 5"]
    listed = json.loads(cli.ok("member", "list", "--tier", "0", "--format", "json"))
    assert listed == [{"id": 1, "legal_name": "Acme Ltd", "jurisdiction": "CH", "identity_verified": True,
                       "metadata_uri": identity.metadata_uri("Acme Ltd", "CH"), "tier": "founding", "status": "active",
                       "seat": named["f1"], "weight": 3, "dues_paid_until": day, "dues_lapsed": False}]
    csv_lines = cli.ok("member", "list", "--tier", "observer", "--format", "csv").splitlines()
    assert csv_lines == ["id,legal_name,jurisdiction,identity_verified,metadata_uri,tier,status,seat,weight,"
                         "dues_paid_until,dues_lapsed",
                         f'3,Watcher Inc,US,true,"{identity.metadata_uri("Watcher Inc", "US")}",observer,active,'
                         f"{named['o1']},0,,false"]
    assert cli.fails("member", "list", "--status", "sleeping") == \
        "Error: unknown status 'sleeping'; statuses are active, suspended, resigned, expelled, lapsed"
    assert cli.fails("member", "list", "--tier", "gold") == \
        "Error: unknown tier 'gold'; tiers are ['founding', 'regular', 'observer']"


def _show(member_id, title, identity_lines, tier, seat, weight, dues, now, joined):
    return [f"member {member_id}{title}", *identity_lines, f"  tier          {tier}", "  status        active",
            f"  joined        {when(joined)}", f"  seat          {seat}", f"  weight now    {weight}",
            f"  dues          {dues}", "  standards attested: none", "  conduct reports about it: none",
            "  censures: none", "  conflicts declared: none"]


def test_member_show_by_name_checks_the_identity_against_its_hash(cli, w3, named):
    r = registry(cli, w3)
    joined = r.functions.member(1).call()[3]
    now = w3.eth.get_block("latest")["timestamp"]
    out = cli.ok("member", "show", "zürich RÜCK ag")  # a legal name, exact but case-insensitive
    assert out.splitlines() == _show(
        2, ": Zürich Rück AG", ["  legal name    Zürich Rück AG", "  jurisdiction  CH",
                                "  identity      matches its on-chain hash"],
        "regular (tier weight 1)", named["r1"], 1, f"0.5 ETH per period; paid until {when(joined, now)}", now, joined)
    digest = r.functions.member(5).call()[5].hex()
    assert cli.ok("member", "show", FORGED_SEAT).splitlines() == _show(
        5, ": Trusted Bank plc (unverified)",
        ["  legal name    Trusted Bank plc", "  jurisdiction  UK",
         f"  identity      does NOT match its on-chain hash 0x{digest}: unverified"],
        "regular (tier weight 1)", w3.to_checksum_address(FORGED_SEAT), 1,
        f"0.5 ETH per period; paid until {when(joined, now)}", now, joined)
    digest = r.functions.member(4).call()[5].hex()
    assert cli.ok("member", "show", "4").splitlines() == _show(
        4, " (its name is not on the chain)",
        [f"  identity      not readable from the chain: its metadata is at ipfs://bafyfar (hash 0x{digest})"],
        "regular (tier weight 1)", w3.to_checksum_address(FOREIGN_SEAT), 1,
        f"0.5 ETH per period; paid until {when(joined, now)}", now, joined)
    assert cli.ok("member", "show", "Watcher Inc").splitlines()[9] == "  dues          none (its tier owes no dues)"
    # a name that is not exactly a member's: candidates, never a guess
    assert cli.fails("member", "show", "Acme") == ("Error: member 'Acme' is not a member id, a seat address or a "
                                                    "member's legal name; did you mean 1 ('Acme Ltd')?")
    assert cli.fails("member", "show", "Nobody") == \
        "Error: member 'Nobody' is not a member id, a seat address or a member's legal name"
    assert cli.fails("member", "show", "Shell Co") == ("Error: member 'Shell Co' is not a member id, a seat address "
                                                        "or a member's legal name")  # its forged URI names another
    assert cli.fails("member", "show", "9") == "Error: there is no member 9"
    # MEMBER anywhere: `treasury dues` takes a name too
    assert cli.ok("treasury", "dues", "acme ltd").startswith("member 1 (founding")


def test_an_ambiguous_name_lists_the_candidates(cli, consortium):
    # the consortium fixture names all four members "Co"
    assert cli.fails("member", "show", "co") == ("Error: 4 members are named 'co': 1 (Co, active), 2 (Co, active), "
                                                  "3 (Co, active), 4 (Co, active); give the member id")


def test_member_list_of_hundreds_of_members_takes_a_few_round_trips(cli, w3, monkeypatch):
    """Four calls per member in batches of raw eth_calls: 400 members in a handful of round trips to the node,
    not 1,600 (counted, not timed: a loaded host's seconds say nothing; the time is printed)."""
    roll_ = [(f"0x{i:040x}", ("founding", "regular", "observer")[i % 3], f"Member {i} Ltd", "CH")
             for i in range(1, 401)]
    deploy(cli, roll_, dues={"regular": "0.5 ether"})
    round_trips = []
    for method in ("make_request", "make_batch_request"):
        sent = getattr(HTTPProvider, method)
        monkeypatch.setattr(HTTPProvider, method, lambda self, *args, sent=sent, method=method:
                            round_trips.append(method) or sent(self, *args))
    start = time.perf_counter()
    out = cli.ok("member", "list")
    print(f"\nmember list of 400 members: {time.perf_counter() - start:.2f} s, {len(round_trips)} round trips")
    lines = out.splitlines()
    assert lines[0] == "400 member(s)" and len(lines) == 402
    assert lines[401].split()[:4] == ["400", "Member", "400", "Ltd"]
    assert len(round_trips) <= 40, round_trips


def governor(cli, w3):
    return contract(w3, "ConsortiumGovernor", cli.manifest()["contracts"]["ConsortiumGovernor"])


def pass_all(cli, *outputs, voters=("f1", "f2"), delay=61) -> None:
    """Vote proposals through with the founding members, queue and execute them."""
    ids = [proposal_id(out) for out in outputs]
    cli.advance(delay)
    for pid in ids:
        for name in voters:
            cli.ok("vote", pid, "for", account=name)
    cli.advance(301)
    for pid in ids:
        cli.ok("proposal", "queue", pid)
    cli.advance(2)
    for pid in ids:
        cli.ok("proposal", "execute", pid)


NEVER = "Error: not signed, the ballot could never count: "


def test_sign_only_refuses_ballots_that_could_never_count(cli, w3):
    seats = {name: cli.wallet(name) for name in ("f1", "f2", "r1", "o1", "outsider")}
    deploy(cli, [(seats["f1"], "founding", "Acme Ltd", "CH"), (seats["f2"], "founding", "Beta AG", "DE"),
                 (seats["r1"], "regular", "Gamma SA", "FR"), (seats["o1"], "observer", "Delta BV", "NL")],
           voting_delay=60)
    g = governor(cli, w3)
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 ether", "--description", "d", account="f1"))
    snapshot = g.functions.proposalSnapshot(int(pid)).call()
    # Pending: written, with when the relayer will take it
    path = cli.dir / "early.json"
    out = cli.ok("vote", pid, "for", "--sign-only", "--out", path, account="r1")
    assert out.splitlines() == [f"signed ballot written to {path}; hand it to a relayer (`consortium relay {path}`)",
                                f"note: proposal {pid} is Pending: voting opens at {when(snapshot + 1)}, and a "
                                "relayer accepts the ballot from then"]
    assert json.loads(path.read_text())["voter"] == seats["r1"]
    # Pending, but already final: no weight now (an observer), a declared conflict
    assert cli.fails("vote", pid, "for", "--sign-only", account="o1") == (
        "Error: not signed, the ballot would not count: member 4 has no voting weight now, and the proposal's "
        f"snapshot is at {when(snapshot)}")
    cli.ok("member", "recuse", pid, "--reason", "our subsidiary is the holder", account="f2")
    assert cli.fails("vote", pid, "for", "--sign-only", account="f2") == (
        f"{NEVER}member 2 is recused from this proposal (a declared conflict, or the proposal is about it)")
    assert cli.fails("vote", pid, "for", "--sign-only", account="outsider") == \
        f"Error: {seats['outsider']} is not the seat of a current member"
    # Active: the relayer's own checks
    cli.advance(61)
    cli.ok("vote", pid, "for", account="f1")
    assert cli.fails("vote", pid, "against", "--sign-only", account="f1") == \
        f"{NEVER}{seats['f1']} has already voted on this proposal"
    assert cli.fails("vote", pid, "for", "--sign-only", account="o1") == \
        f"{NEVER}{seats['o1']} had no voting weight at the proposal's snapshot"
    assert cli.fails("vote", pid, "for", "--sign-only", account="f2") == (
        f"{NEVER}{seats['f2']} is recused from this proposal (a declared conflict, or the proposal is about its "
        "member)")
    out = cli.ok("vote", pid, "for", "--sign-only", "--out", cli.dir / "ok.json", account="r1")
    assert out == f"signed ballot written to {cli.dir / 'ok.json'}; hand it to a relayer " \
                  f"(`consortium relay {cli.dir / 'ok.json'}`)\n"
    # closed
    cli.advance(301)
    assert cli.fails("vote", pid, "for", "--sign-only", account="r1") == \
        f"{NEVER}proposal {pid} is Succeeded, not Active"
    # the conflict shows on the member's record
    assert cli.ok("member", "show", "beta ag").splitlines()[-2:] == [
        "  conflicts declared: 1", f"    proposal {pid}: our subsidiary is the holder"]
    # so do a conduct report about a member and the censure that followed it, and the standards it attests
    evidence = cli.dir / "evidence.txt"
    evidence.write_bytes(b"minutes of 3 March")
    cli.ok("conduct", "report", "Beta AG", "--evidence-uri", "ipfs://other", "--evidence-file", evidence,
           account="r1")  # about another member: not on member 3's record
    cli.ok("conduct", "report", "Gamma SA", "--evidence-uri", "ipfs://evidence", "--evidence-file", evidence,
           account="f1")
    pass_all(cli, cli.ok("propose", "censure", "gamma sa", "--reason", "late filing", "--report", "2",
                         "--description", "c", account="f1"),
             cli.ok("propose", "publisher", seats["f1"], "--description", "Acme publishes", account="f1"))
    text = cli.dir / "por.md"
    text.write_text("Proof of reserves, monthly.")
    cli.ok("standard", "publish", "Proof of Reserves", "1.0", "--content", text, account="f1")
    pass_all(cli, cli.ok("propose", "adopt", "1", "--description", "Adopt PoR", account="f1"))
    cli.ok("standard", "attest", "1", "--evidence", "ipfs://audit", account="r1")
    c = contract(w3, "ConductRecord", cli.manifest()["contracts"]["ConductRecord"])
    filed, issued = c.functions.report(2).call()[4], c.functions.censureRecord(1).call()[3]
    s = contract(w3, "StandardsRegistry", cli.manifest()["contracts"]["StandardsRegistry"])
    attested = s.functions.attestation(1, 3).call()[0]
    digest = hashlib.sha256(b"minutes of 3 March").hexdigest()
    assert cli.ok("member", "show", "3").splitlines()[-7:] == [
        "  standards attested: 1", f"    standard 1 'Proof of Reserves' 1.0 (adopted) since {when(attested)}, evidence "
        "ipfs://audit",
        "  conduct reports about it: 1",
        f"    report 2 by member 1 Acme Ltd, filed {when(filed)}, evidence ipfs://evidence (sha256 0x{digest})",
        "  censures: 1", f"    censure 1 on {when(issued)}: late filing (report 2)", "  conflicts declared: none"]


def test_a_cases_subject_is_told_it_is_recused_already_and_resigns_after_a_promotion(cli, consortium):
    out = cli.ok("propose", "change-tier", consortium["r1"], "founding", "--description", "Promote 3", account="f1")
    pid = proposal_id(out)
    assert cli.fails("member", "recuse", pid, "--reason", "mine", account="r1") == (
        f"Error: member 3 is the subject of proposal {pid} (a member's case) and was recused from it when it was "
        "proposed; there is nothing to declare")
    assert cli.fails("vote", pid, "for", "--sign-only", account="r1") == (
        f"{NEVER}member 3 is recused from this proposal (a declared conflict, or the proposal is about it)")
    enact(cli, out, voters=("f1", "f2", "r2"))
    assert "  tier          founding (tier weight 3)" in cli.ok("member", "show", "3").splitlines()
    result = cli("member", "resign", "--yes", account="r1")  # after a checkpoint-writing transaction
    assert (result.exit_code, result.output) == (0, "member 3 resigned\n")
    assert "  status        resigned" in cli.ok("member", "show", "3").splitlines()
    # readmitted at the same seat, with no metadata URI: a new member whose name the chain carries
    out = cli.ok("propose", "admit", consortium["r1"], "--tier", "regular", "--legal-name", "Gamma Again SA",
                 "--jurisdiction", "FR", "--description", "Readmit", account="f1")
    pid = proposal_id(out)
    enact(cli, out, voters=("f1", "f2", "r2"))
    show = cli.ok("member", "show", "gamma again sa").splitlines()
    assert show[:4] == ["member 5: Gamma Again SA", "  legal name    Gamma Again SA", "  jurisdiction  FR",
                        "  identity      matches its on-chain hash"]
    assert "  weight now    1" in show
    # the resigned member's row does not borrow the weight of the member now seated at its old address
    assert "  weight now    0" in cli.ok("member", "show", "3").splitlines()


def test_a_lapsed_member_is_told_since_when_and_how_to_restore_its_vote(cli, w3):
    seats = {name: cli.wallet(name) for name in ("f1", "f2", "r1", "r2", "o1")}
    deploy(cli, [(seats["f1"], "founding", "Acme Ltd", "CH"), (seats["f2"], "founding", "Beta AG", "DE"),
                 (seats["r1"], "regular", "Gamma SA", "FR"), (seats["r2"], "regular", "Late Payer GmbH", "AT"),
                 (seats["o1"], "observer", "Quiet Observer BV", "NL")],
           dues={"founding": "2 ether", "regular": "1 ether", "observer": "0.1 ether"},
           treasury={"dues_period": 1000, "grace_period": 100})
    for member_id in ("1", "2", "3"):
        cli.ok("treasury", "pay-dues", member_id, account="f1")
    before = proposal_id(cli.ok("propose", "budget", HOLDER, "3 ether", "--description", "early", account="f1"))
    cli.advance(150)  # member 4 never paid: its dues lapsed 100 s after it joined
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 ether", "--description", "d", account="f1"))
    cli.advance(2)
    joined = registry(cli, w3).functions.member(4).call()[3]
    message = (f"Error: member 4 Late Payer GmbH has no vote on this proposal: its dues lapsed on "
               f"{when(joined + 100)} (paid until {when(joined)}, then a grace period of 100 s); "
               "`consortium treasury pay-dues 4` restores its vote on proposals whose voting opens after the payment")
    assert cli.fails("vote", pid, "for", account="r2") == message
    assert cli.fails("vote", pid, "for", "--sign-only", account="r2") == message
    # on a proposal snapshotted before it was marked lapsed the member still had weight, and its vote counts
    assert "voted for" in cli.ok("vote", before, "for", account="r2")
    listed = json.loads(cli.ok("member", "list", "--status", "lapsed", "--format", "json"))
    assert [(m["id"], m["dues_lapsed"], m["weight"]) for m in listed] == [(4, True, 0), (5, True, 0)]
    # an observer's dues lapse too, but paying them gives it no vote: it is told what the relayer would say
    assert cli.fails("vote", pid, "for", "--sign-only", account="o1") == \
        f"{NEVER}{seats['o1']} had no voting weight at the proposal's snapshot"
    show = cli.ok("member", "show", "4").splitlines()
    now = w3.eth.get_block("latest")["timestamp"]
    assert show[9] == (f"  dues          1 ETH per period; paid until {when(joined, now)}"
                       f"; LAPSED since {when(joined + 100)} (`consortium treasury pay-dues 4` restores its vote)")
    cli.ok("treasury", "pay-dues", "4", account="r2")
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "2 ether", "--description", "again", account="f1"))
    cli.advance(2)
    assert "voted for" in cli.ok("vote", pid, "for", account="r2")


@pytest.mark.parametrize("uri", [identity.DATA_PREFIX + "[" * 2000 + "]" * 2000,
                                 identity.DATA_PREFIX + '{"legal_name": "\\ud800", "jurisdiction": "CH"}'],
                         ids=["2,000 nested arrays", "half a surrogate pair"])
def test_a_member_whose_metadata_is_hostile_is_listed_by_number_and_stops_nothing(cli, w3, named, uri):
    """The attack: a member rewrites its own metadata URI as 2,000 nested arrays (4 KB), on which Python's json
    parser raises RecursionError, or as a name that is half a surrogate pair, which no encoder takes (the hash
    check raised UnicodeEncodeError). Neither is a ValueError the reader caught: every listing of the roll, the
    index's names and the report failed for everyone. Read as what it is, a URI with no readable name."""
    cli.rpc("anvil_impersonateAccount", named["r1"])
    registry(cli, w3).functions.updateMetadata(uri, b"\0" * 32).transact({"from": named["r1"]})
    assert cli.ok("member", "list").splitlines()[3].split()[:3] == ["2", "(not", "on"]
    assert cli.ok("member", "show", "2").splitlines()[0] == "member 2 (its name is not on the chain)"
    index = {"CONSORTIUM_DB": f"sqlite:///{cli.dir / 'index.db'}"}
    cli.ok("index", env=index)
    report = cli.ok("report", "--from", "2000-01-01", "--to", "2100-12-31", env=index)
    assert "member 1 Acme Ltd" in report and "Zürich" not in report
