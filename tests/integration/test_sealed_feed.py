"""A sealed proposal as observers read it, on a real devnet through the CLI: ProposalSealed and VoteCommitted
indexed (proposal_events 'sealed', commitments), `results` hiding the tally while members commit and listing the
commitments never revealed once reveals close, in every format; the transparency report; the dashboard's list,
page and JSON; and `index --verify` naming the reveal start, the commitments and the unrevealed ones when the
index says otherwise than the chain."""

import json
import re
import urllib.request

import pytest
from sqlalchemy import delete, select, update

from orchestrator.chain.reverts import utc
from orchestrator.db import engine
from orchestrator.observers.indexer.schema import ballots, commitments, proposal_events
from orchestrator.operations.deploy import contract
from orchestrator.web import dashboard, serving
from tests.integration.conftest import Cli
from tests.integration.tampering import verify_tampered

PAY = ("propose", "spend", "1 ether", "0x" + "11" * 20, "--memo", "m")


@pytest.fixture(scope="module")
def story(devnet, w3, tmp_path_factory):
    """Members 1, 2 and 3 commit to a sealed proposal; the index is read while they commit, while they reveal (1 and
    2 have), and after the deadline (3 never revealed). Yields the CLI, the proposal id, its reveal start and
    deadline, and what was read at each step."""
    cli = Cli(devnet, tmp_path_factory.mktemp("sealed-feed"), w3)
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'index.db'}"
    seats = {name: cli.wallet(name) for name in ("f1", "f2", "r1", "r2")}
    cli.deploy({seats["f1"]: "founding", seats["f2"]: "founding", seats["r1"]: "regular", seats["r2"]: "regular"})
    pid = re.search(r"proposal (\d+)", cli.ok(*PAY, "--description", "Pay the venue", "--sealed",
                                              account="f1")).group(1)
    governor = contract(w3, "ConsortiumGovernor", cli.manifest()["contracts"]["ConsortiumGovernor"])
    start = governor.functions.proposalRevealStart(int(pid)).call()
    deadline = governor.functions.proposalDeadline(int(pid)).call()
    cli.advance(2)
    for name, support in (("f1", "for"), ("f2", "against"), ("r1", "for")):
        cli.ok("vote", pid, support, account=name)
    read = {}

    def observe(step: str) -> None:
        cli.ok("index")
        read[step] = {"table": cli.ok("results", pid), "json": json.loads(cli.ok("results", pid, "--format", "json")),
                      "verify": cli.ok("index", "--verify")}

    observe("committing")
    cli.advance(start - w3.eth.get_block("latest")["timestamp"])
    cli.ok("reveal", pid, account="f1")
    cli.ok("reveal", pid, account="f2")
    observe("revealing")
    cli.advance(deadline - w3.eth.get_block("latest")["timestamp"] + 1)
    observe("closed")
    read["closed"]["csv"] = cli.ok("results", pid, "--format", "csv")
    read["closed"]["report"] = cli.ok("report", "--from", "2000-01-01", "--to", "2100-12-31")
    yield cli, pid, start, deadline, read


def test_the_index_keeps_the_seal_and_who_committed(story):
    cli, pid, start, _, _ = story
    with engine(cli.env["CONSORTIUM_DB"]).connect() as db:
        sealed = db.execute(select(proposal_events.c.event, proposal_events.c.value)
                            .where(proposal_events.c.proposal_id == pid)).all()
        committed = db.execute(select(commitments.c.member_id).order_by(commitments.c.block_number)).scalars().all()
    assert sealed == [("sealed", start)]
    assert committed == [1, 2, 3]


def test_results_hide_the_tally_while_members_commit(story):
    _, pid, start, _, read = story
    table, document = read["committing"]["table"], read["committing"]["json"]
    assert f"  sealed: 3 member(s) committed; the tally is sealed until {utc(start)}\n" in table
    assert "founding" not in table and "total" not in table  # no table of zeros
    assert (document["sealed"], document["reveal_start"], document["committed"]) == (True, start, 3)
    assert [u["member"] for u in document["unrevealed"]] == ["member 1 Co", "member 2 Co", "member 3 Co"]
    assert "no differences" in read["committing"]["verify"]


def test_results_say_who_has_not_revealed_yet_then_who_never_did(story):
    _, pid, _, deadline, read = story
    table = read["revealing"]["table"]
    assert "  founding            3        3        0     2/2 100%\n" in table
    assert ("  sealed: 3 member(s) committed, 2 revealed\n"
            f"  not revealed yet: member 3 Co (reveals until {utc(deadline)})\n") in table
    table, document = read["closed"]["table"], read["closed"]["json"]
    assert "  kind ordinary, state Defeated (as of " in table
    assert ("  sealed: 3 member(s) committed, 2 revealed\n"
            "  unrevealed: member 3 Co (count toward nothing)\n") in table
    assert "  regular             0        0        0       0/2 0%\n" in table  # member 3's vote is nowhere
    assert document["unrevealed"] == [{"member_id": 3, "member": "member 3 Co"}]
    assert f"{pid},unrevealed,,3,member 3 Co," in read["closed"]["csv"]
    assert "      unrevealed: member 3 Co (count toward nothing)\n" in read["closed"]["report"]
    for step in ("revealing", "closed"):
        assert "no differences" in read[step]["verify"]


@pytest.mark.parametrize("field, tamper", [
    ("reveal start", lambda pid: update(proposal_events).where(proposal_events.c.event == "sealed").values(value=1)),
    ("commitments", lambda pid: delete(commitments).where(commitments.c.member_id == 2)),
    ("unrevealed", lambda pid: delete(ballots).where(ballots.c.proposal_id == pid, ballots.c.member_id == 2)),
])
def test_verify_names_each_sealed_field_that_differs_from_the_chain(story, field, tamper, tmp_path):
    cli, pid, *_ = story
    result = verify_tampered(cli, tamper(pid), tmp_path)
    assert result.exit_code == 1
    assert f"proposal {pid[:12]}… {field}: index says" in result.output


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def test_the_dashboard_marks_the_seal_and_lists_the_unrevealed(story):
    cli, pid, start, _, _ = story
    with serving.running(dashboard.app(cli.env["CONSORTIUM_DB"]), dashboard.MAX_BODY) as url:
        listed = get(f"{url}/")
        page = get(f"{url}/proposals/{pid}")
        document = json.loads(get(f"{url}/api/proposals/{pid}"))
    assert '<span class="badge sealed" title="members commit, then reveal their votes from ' in listed
    assert '<dd id="sealed">commitments until ' in page and "; 3 committed</dd>" in page
    assert "<li>unrevealed: member 3 Co (count toward nothing)</li>" in page
    assert "commitments close, reveals open (sealed)" in page  # the timeline's step
    assert '<div id="chart">' in page  # the tally is shown once reveals opened
    assert (document["sealed"], document["reveal_start"], document["committed"], document["unrevealed"]) == (
        True, start, 3, [{"member_id": 3, "member": "member 3 Co"}])


def test_a_proposal_sealed_in_a_period_is_not_a_decision_of_it(story):
    """The seal is recorded at creation (a proposal event): a period that holds the creation but not the deadline
    has no decision on it."""
    from orchestrator.observers import transparency
    from orchestrator.observers.observatory import Observatory

    cli, _, start, deadline, _ = story
    obs = Observatory(cli.env["CONSORTIUM_DB"])
    assert transparency.build(obs, 0, start).decisions == []
    assert [d.title for d in transparency.build(obs, 0, deadline + 10).decisions] == ["Pay the venue #sealed"]
