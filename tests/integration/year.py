"""A year of a real consortium through the CLI, written as its operator and members type it.

Twelve founding, forty regular and twenty observer members, each with its own wallet, on a devnet that
persists for the year (its clock moved with `consortium devnet advance`): dues every month, a council, a
technical committee and a secretariat, an invoice paid from the secretariat's budget, a standard drafted by
the committee and adopted by 52 votes (40 as signed ballots sent over HTTP to the relayer), an admission, a
promotion, a resignation, a lapse and restoration, a conduct report, a censure, a suspension, an expulsion,
a defeated and an inquorate proposal, a declared conflict of interest; then the index, results, the
transparency report, the dashboard and the audit.

`live_a_year` is the scenario; tests/integration/test_year.py asserts it and bench/cli.py times it. Every
command goes through `Year.run`, which fails on a non-zero exit, a traceback or any warning."""

from __future__ import annotations

import json
import os
import re
import shlex
import urllib.request
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime

from orchestrator.web import dashboard, serving

FOUNDING, REGULAR, OBSERVERS = 12, 40, 20
DUES = {"founding": "2 ether", "regular": "0.5 ether", "observer": "0.1 ether"}


def legal_name(wallet: str) -> str:
    kind = {"f": "Founding", "r": "Regular", "o": "Observer"}[wallet[0]]
    return f"{kind} {wallet[1:]} Ltd"


@dataclass
class Year:
    cli: object  # tests/integration/conftest.py's Cli: CliRunner wired to a devnet, a keystore directory
    commands: int = 0
    log: list[str] = field(default_factory=list)

    def run(self, line: str, who: str | None = None) -> str:
        """One command as typed (`consortium` and the global options left out), by wallet `who`."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = self.cli(*shlex.split(line), account=who)
        self.commands += 1
        output = result.output
        assert result.exit_code == 0, f"`{line}` by {who}: {output}"
        assert "Traceback" not in output and "Warning" not in output, f"`{line}`: {output}"
        # A Popen of an earlier test collected now warns from subprocess.py: not this command's warning.
        caught = [w for w in caught if not (issubclass(w.category, ResourceWarning)
                                            and w.filename.endswith("subprocess.py"))]
        assert not caught, f"`{line}` warned: {[str(w.message) for w in caught]}"
        self.log.append(f"$ consortium {line}\n{output}")
        if os.environ.get("YEAR_LOG"):  # what each command printed, for a person to read as it happens
            with open(os.environ["YEAR_LOG"], "a") as log:
                log.write(self.log[-1] + "\n")
        return output

    def refused(self, line: str, who: str | None = None) -> str:
        """A command the CLI must refuse: exit 1, one line, no traceback; returns that line."""
        result = self.cli(*shlex.split(line), account=who)
        self.commands += 1
        assert result.exit_code == 1, f"`{line}` should fail: {result.output}"
        assert "Traceback" not in result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
        return lines[0]

    # ── what members do again and again ──

    def proposal(self, line: str, who: str) -> str:
        out = self.run(line, who)
        return re.search(r"proposal (\d+)", out).group(1)

    def votes(self, pid: str, support: str, voters: list[str]) -> None:
        for who in voters:
            self.run(f"vote {pid} {support}", who)

    def enact(self, pid: str) -> str:
        """After the vote: the period ends, queue, wait the timelock's delay, execute."""
        self.run("devnet advance 7d")
        self.run(f"proposal queue {pid}")
        self.run("devnet advance 2d")
        return self.run(f"proposal execute {pid}")

    def state(self, pid: str) -> str:
        return re.search(r"state:? (\w+)", self.run(f"proposal show {pid}")).group(1)


def config(seats: dict[str, str]) -> str:
    """The operator's deployment config: realistic periods, dues per tier, the founding roll."""
    lines = ['name = "Crypto Industry SRO"',
             "[governor]", "voting_delay = 86400", "voting_period = 604800", "late_quorum_extension = 86400",
             "quorum_percent = 10", "constitutional_quorum_percent = 30", "weight_cap_bps = 10000",
             "timelock_delay = 172800",
             "[treasury]", "dues_period = 2592000", "grace_period = 1209600"]
    for name, weight, votes in (("founding", 3, "true"), ("regular", 1, "true"), ("observer", 0, "false")):
        lines += ["[[tiers]]", f'name = "{name}"', f"weight = {weight}", f"can_propose = {votes}",
                  f"can_vote = {votes}", f'dues = "{DUES[name]}"']
    tiers = {"f": "founding", "r": "regular", "o": "observer"}
    for wallet, seat in seats.items():
        lines += ["[[members]]", f'seat = "{seat}"', f'tier = "{tiers[wallet[0]]}"',
                  f'legal_name = "{legal_name(wallet)}"', 'jurisdiction = "CH"']
    return "\n".join(lines) + "\n"


def member_ids(wallets: list[str]) -> str:
    """The founding roll's ids in deployment order: f01–f12 are 1–12, r01–r40 13–52, o01–o20 53–72."""
    base = {"f": 0, "r": FOUNDING, "o": FOUNDING + REGULAR}
    return " ".join(str(base[w[0]] + int(w[1:])) for w in wallets)


def live_a_year(cli, relay_over_http) -> Year:
    """The scenario. `relay_over_http(year)` is a context manager yielding the relay API's base URL, served
    as `consortium relay serve` serves it."""
    y = Year(cli)
    founders = [f"f{i:02d}" for i in range(1, FOUNDING + 1)]
    regulars = [f"r{i:02d}" for i in range(1, REGULAR + 1)]
    observers = [f"o{i:02d}" for i in range(1, OBSERVERS + 1)]
    everyone = founders + regulars + observers
    path = cli.dir

    def clock() -> int:
        return cli.w3.eth.get_block("latest")["timestamp"]

    def next_month(started: int) -> None:
        """Move the clock to 30 days after `started` (each month's business takes part of it)."""
        y.run(f"devnet advance {max(started + 30 * 86400 - clock(), 1)}s")

    # ── month 0: wallets, the deployment, dues, contributions, the institutions ──
    out = y.run("wallet new " + " ".join(everyone))
    seats = dict(line.split()[:2] for line in out.splitlines())
    assert len(seats) == len(everyone)
    y.run("wallet fund " + " ".join(everyone) + " --amount 30ether")
    (path / "config.toml").write_text(config(seats))
    y.run(f"deploy --config {path / 'config.toml'}")
    roll = y.run("member list")
    assert re.search(r"\b1\s+Founding 01 Ltd\s+CH\s+founding\s+active", roll), roll
    assert "Observer 20 Ltd" in roll
    month = clock()
    paid = y.run("treasury pay-dues --all")
    assert "total: 46 ETH for 72 member(s) in 1 transaction(s)" in paid, paid
    y.run('treasury contribute sponsorship 25ether --memo "Gold sponsorship 2027"', "f01")
    y.run('treasury contribute grant 10ether --memo "Research grant: travel rule"', "o01")
    assert "  balance: 81 ETH\n" in y.run("treasury status")  # 46 of dues, 25 + 10 of contributions

    council = " ".join(f"--member {i}" for i in range(1, 6))
    pid = y.proposal(
        "propose bundle "
        f"--action 'create-body council Council --threshold 3 {council}' "
        "--action 'create-body technical-committee \"Technical Committee\" --threshold 2 --member \"Regular 01 Ltd\" "
        "--member \"Regular 02 Ltd\" --member \"Regular 03 Ltd\" --mandate standards:publishDraft' "
        "--action 'create-body secretariat Secretariat --threshold 2 --member 16 --member 17 --member 18 "
        "--mandate treasury:spendBudget' "
        '--description "Found the council, the technical committee and the secretariat"', "f01")
    y.run("devnet advance 25h")
    y.votes(pid, "for", founders)
    y.enact(pid)
    bodies = y.run("body list")
    assert "Council" in bodies and "Technical Committee" in bodies and "Secretariat" in bodies, bodies
    pid = y.proposal("propose bundle --action 'budget Secretariat 5ether' "
                     "--action 'publisher \"Technical Committee\"' "
                     '--description "The secretariat\'s budget; the committee publishes drafts"', "f02")
    y.run("devnet advance 25h")
    y.votes(pid, "for", founders)
    y.enact(pid)
    next_month(month)

    # ── month 1: dues; a draft standard by the committee; the secretariat pays an invoice ──
    month = clock()
    y.run("treasury pay-dues --all")
    (path / "travel.md").write_text("# Travel rule messaging\nOriginator and beneficiary data travel with transfers.\n")
    out = y.run(f"standard publish \"Travel Rule Messaging\" 1.0 --content {path / 'travel.md'} "
                '--via-body "Technical Committee"', "r01")
    action = re.search(r"action #?(\d+)", out).group(1)
    assert "executed" in y.run(f'body approve "Technical Committee" {action}', "r02")
    assert "Travel Rule Messaging" in y.run("standard list")
    venue = seats["o20"]
    out = y.run(f'body spend Secretariat 0.8ether {venue} --memo "Venue, general assembly"', "r04")
    action = re.search(r"action #?(\d+)", out).group(1)
    assert "executed" in y.run(f"body approve Secretariat {action}", "r05")
    next_month(month)

    # ── month 2: the standard adopted by 52 votes, 40 of them signed ballots relayed over HTTP ──
    month = clock()
    y.run("treasury pay-dues --all")
    pid = y.proposal('propose adopt 1 --description "Adopt the travel rule messaging standard"', "f01")
    y.run("devnet advance 25h")
    y.votes(pid, "for", founders)
    with relay_over_http(y) as post:
        for who in regulars:
            y.run(f"vote {pid} for --sign-only --out {path / (who + '.json')}", who)
            post(path / (who + ".json"))
    y.enact(pid)
    assert "standard 1: Travel Rule Messaging v1.0 — adopted" in y.run("standard show 1")
    for who in ("f01", "f02", "r05"):
        y.run(f"standard attest 1 --evidence https://{who}.example/travel-rule-audit.pdf", who)
    shown = y.run(f"proposal show {pid}")
    assert "kind constitutional, state Executed" in shown, shown
    assert re.search(r"founding +36 +0 +0\n +regular +40 +0 +0\n", shown), shown  # 12 direct, 40 relayed
    assert "adopt standard 1 'Travel Rule Messaging' v1.0" in shown
    adoption = pid
    next_month(month)

    # ── month 3: an admission (constitutional) and a promotion (the member's case, the member recused) ──
    month = clock()
    y.run("treasury pay-dues --all")
    newco = y.run("wallet new newco").split()[1]
    y.run("wallet fund newco --amount 5ether")
    pid = y.proposal(f'propose admit {newco} --tier regular --legal-name "Newco Custody AG" --jurisdiction LI '
                     '--description "Admit Newco Custody AG"', "f03")
    y.run("devnet advance 25h")
    y.votes(pid, "for", founders + regulars[3:13])
    y.enact(pid)
    assert re.search(r"73\s+Newco Custody AG\s+LI\s+regular\s+active", y.run("member list --tier regular"))
    y.run("treasury pay-dues \"Newco Custody AG\"")
    pid = y.proposal('propose change-tier "Regular 01 Ltd" founding --description "Promote Regular 01 Ltd"', "f04")
    y.run("devnet advance 25h")
    assert "recused" in y.refused(f"vote {pid} for", "r01")
    y.votes(pid, "for", founders + regulars[3:13])
    y.enact(pid)
    shown = y.run("member show 13")
    assert "tier          founding (tier weight 3)" in shown, shown
    # ── a resignation right after a change of weight (it once ran out of gas here) ──
    y.run("member resign --yes", "r39")
    assert re.search(r"51\s+Regular 39 Ltd.*resigned", y.run("member list --status resigned"))
    next_month(month)

    # ── months 4–6: dues for everyone but Regular 40 Ltd, whose dues lapse ──
    r40 = FOUNDING + 40
    for _ in range(3):
        month = clock()
        payers = " ".join(str(i) for i in range(1, 74) if i not in (r40, FOUNDING + 39))
        y.run(f"treasury pay-dues {payers}")
        next_month(month)
    assert f"marked lapsed: {r40}" in y.run("treasury poke")
    assert "lapsed" in y.run(f"member show {r40}")

    # ── month 7: a conduct report, a censure; a lapsed member's vote refused; restoration ──
    month = clock()
    y.run(f"treasury pay-dues {payers}")
    (path / "evidence.txt").write_text("Screenshots of wash trading on the member's venue, 2027-06.\n")
    y.run(f'conduct report "Regular 30 Ltd" --evidence-uri ipfs://bafy-evidence-1 --evidence-file '
          f'{path / "evidence.txt"}', "f02")
    assert "Regular 30 Ltd" in y.run("conduct list")
    pid = y.proposal('propose censure "Regular 30 Ltd" --reason "Wash trading on its venue" --report 1 '
                     '--description "Censure Regular 30 Ltd"', "f02")
    y.run("devnet advance 25h")
    assert "lapsed" in y.refused(f"vote {pid} for", "r40")
    assert "subject" in y.refused(f'member recuse {pid} --reason "we object"', "r30")
    y.votes(pid, "for", founders + regulars[3:13])
    y.enact(pid)
    censure = pid
    assert "its vote is restored" in y.run(f"treasury pay-dues {r40} --periods 5")
    assert re.search(rf"\b{r40}\s+Regular 40 Ltd\s+CH\s+regular\s+active", y.run("member list"))
    next_month(month)

    # ── month 8: a suspension and an expulsion, each the member's own case ──
    month = clock()
    y.run("treasury pay-dues --all")
    suspend = y.proposal('propose suspend "Regular 31 Ltd" --reason "Refused the inquiry" '
                         '--description "Suspend Regular 31 Ltd"', "f05")
    expel = y.proposal('propose expel "Regular 32 Ltd" --reason "Fraud established by the inquiry" '
                       '--description "Expel Regular 32 Ltd"', "f06")
    y.run("devnet advance 25h")
    for pid in (suspend, expel):
        y.votes(pid, "for", founders + regulars[3:13])
    y.run("devnet advance 7d")
    for pid in (suspend, expel):
        y.run(f"proposal queue {pid}")
    y.run("devnet advance 2d")
    for pid in (suspend, expel):
        y.run(f"proposal execute {pid}")
    assert "suspended" in y.run('member show "Regular 31 Ltd"')
    assert "expelled" in y.run('member show "Regular 32 Ltd"')
    next_month(month)

    # ── month 9: a defeated spend, an inquorate reinstatement, a declared conflict ──
    month = clock()
    y.run("treasury pay-dues --all")
    lavish = y.proposal(f'propose spend 50ether {venue} --memo "Gala dinner" --description "A gala dinner"', "r10")
    quiet = y.proposal('propose reinstate "Regular 31 Ltd" --description "Reinstate Regular 31 Ltd"', "r11")
    y.run("devnet advance 25h")
    y.run(f'member recuse {lavish} --reason "Our subsidiary caters the gala"', "f07")
    assert "recused" in y.refused(f"vote {lavish} against", "f07")
    y.votes(lavish, "against", [f for f in founders if f != "f07"])
    y.votes(lavish, "for", regulars[9:17])
    y.votes(quiet, "for", ["r11"])
    y.run("devnet advance 7d")
    defeated = y.run(f"proposal show {lavish}")
    assert "  Defeated: for did not exceed against (8 for, 33 against)\n" in defeated, defeated
    assert "member 7 Founding 07 Ltd recused by declaration: Our subsidiary caters the gala" in defeated
    inquorate = y.run(f"proposal show {quiet}")
    assert "  Defeated: quorum not reached (1 of 7 needed)\n" in inquorate, inquorate
    next_month(month)

    # ── months 10–12: dues ──
    for _ in range(3):
        month = clock()
        y.run("treasury pay-dues --all")
        next_month(month)

    # ── the roll and the treasury at the year's end ──
    roll = json.loads(y.run("member list --format json"))
    statuses = {}
    for member in roll:
        statuses[member["status"]] = statuses.get(member["status"], 0) + 1
    assert statuses == {"active": 70, "resigned": 1, "suspended": 1, "expelled": 1}, statuses
    assert {m["legal_name"]: m["tier"] for m in roll}["Regular 01 Ltd"] == "founding"
    status = y.run("treasury status")
    assert "lapsed, not yet marked: none" in status and "marked lapsed: none" in status, status

    # ── the observers: index, results, the report, the audit ──
    assert "indexed" in y.run("index")
    results = y.run("results")
    assert results.count("state Executed") == 8 and results.count("state Defeated") == 2, results
    by_id = {r["id"]: r for r in json.loads(y.run("results --format json"))}
    assert by_id[adoption]["for"] == 76
    ballots = json.loads(y.run(f"results {adoption} --format json"))["ballots"]
    assert len(ballots) == 52 and sum(b["relayed"] for b in ballots) == 40, ballots[:2]
    for case, subject in ((censure, 42), (suspend, 43), (expel, 44)):
        assert [r["member_id"] for r in by_id[case]["recusals"]] == [subject], by_id[case]["recusals"]
    assert [r["member_id"] for r in by_id[lavish]["recusals"]] == [7]
    start = datetime.fromtimestamp(clock() - 400 * 86400, UTC).strftime("%Y-%m-%d")
    end = datetime.fromtimestamp(clock(), UTC).strftime("%Y-%m-%d")
    report = y.run(f"report --from {start} --to {end}")
    for seen in ("member 73 Newco Custody AG: admitted", "Travel Rule Messaging v1.0 (standard 1)",
                 "member 42 Regular 30 Ltd: Wash trading on its venue", "A gala dinner [ordinary] Defeated",
                 "member 52 Regular 40 Ltd: restored", "member 44 Regular 32 Ltd: expelled",
                 "out budget-spent   0.8 ETH", "in  sponsorship    25 ETH"):
        assert seen in report, seen
    with serving.running(dashboard.app(cli.env["CONSORTIUM_DB"]), dashboard.MAX_BODY) as base:  # `serve`
        pages = {page: urllib.request.urlopen(base + page).read().decode() for page in
                 ("/", f"/proposals/{adoption}", f"/proposals/{censure}", "/members", "/treasury", "/bodies",
                  "/standards", "/conduct")}
    assert "Adopt the travel rule messaging standard" in pages["/"]
    assert "Regular 30 Ltd" in pages[f"/proposals/{censure}"] and "Newco Custody AG" in pages["/members"]
    assert "Travel Rule Messaging" in pages["/standards"] and "Secretariat" in pages["/bodies"]
    assert "decentralized: all 19 powers are held by the system's own contracts or by nobody" in y.run("audit")
    return y
