"""Contribution weight as observers read it, on a real devnet: the ledger's events indexed into `contributions`,
the ledger's own parts into `contribution_parts` at the end of each indexed range (and unwound with a reorg),
`index --verify` over them, the transparency report's "Contribution weight" section, the /contributions page,
/api/contributions and a member's page; a vote counts the part at its snapshot, not a flash sponsorship after it.
A deployment without a ledger: no section, no parts, `{"weighed": false}`."""

import json
import re
import urllib.request

import pytest
from sqlalchemy import select, update

from orchestrator.db import engine
from orchestrator.observers import contributions as observed
from orchestrator.observers import transparency
from orchestrator.observers.indexer.schema import contribution_parts, contributions
from orchestrator.observers.indexer.store import IndexStore
from orchestrator.observers.observatory import Observatory
from orchestrator.web import dashboard, serving
from tests.integration.tampering import verify_tampered
from tests.integration.test_cli_contributions import deploy_weighed
from tests.integration.test_cli_institutions import enact, proposal_id

E18 = 10**18


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


@pytest.fixture
def story(cli):
    """r1 (member 3) sponsors 1 ETH, governance attributes 4 ETH to r2 (member 4): indexed (first reading of
    the parts). Then a budget proposal whose snapshot passes before r1 sponsors 8 ETH more and votes; r2 resigns
    (its contributions stop counting): indexed again."""
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'index.db'}"
    deploy_weighed(cli)
    cli.ok("treasury", "contribute", "sponsorship", "1 ether", "--memo", "Gold", account="r1")
    enact(cli, cli.ok("propose", "attribute-contribution", "4", "4 ether", "--memo", "authored PoR",
                      "--description", "Attribute", account="f1"))
    cli.ok("index")
    first = Observatory(cli.env["CONSORTIUM_DB"]).now
    pid = proposal_id(cli.ok("propose", "budget", "0x" + "11" * 20, "1 ether", "--description", "Budget",
                             account="f1"))
    cli.advance(2)
    cli.ok("treasury", "contribute", "sponsorship", "8 ether", "--memo", "flash", account="r1")
    cli.ok("vote", pid, "for", account="r1")
    cli.ok("member", "resign", "--yes", account="r2")
    cli.ok("index")
    cli.advance(1)
    cli.ok("index")  # a range in which no part changed: nothing recorded
    return cli, pid, first


def test_the_ledger_is_indexed_with_its_own_parts_and_votes_count_the_snapshots(story, tmp_path):
    cli, pid, first = story
    db = engine(cli.env["CONSORTIUM_DB"])
    with db.connect() as c:
        rows = [(r.member_id, r.change, r.amount, r.memo) for r in c.execute(
            select(contributions).order_by(contributions.c.block_number, contributions.c.log_index))]
        parts = {}
        for r in c.execute(select(contribution_parts).order_by(contribution_parts.c.block_number)):
            parts.setdefault(r.member_id, []).append((int(r.part), r.total_weight))
    assert rows == [(3, "sponsorship", str(E18), ""), (4, "attribution", str(4 * E18), "authored PoR"),
                    (3, "sponsorship", str(8 * E18), ""), (4, "not counted", "0", "")]
    # Two readings, the second only where something changed: r1 100 -> 300, r2 200 -> 0, the whole.
    assert parts == {3: [(100, None), (300, None)], 4: [(200, None), (0, None)],
                     0: [(300, "2900"), (300, "2600")]}

    assert "verified against the chain" in cli.ok("index", "--verify")
    stmt = update(contribution_parts).where(contribution_parts.c.member_id == 3).values(part="301")
    result = verify_tampered(cli, stmt, tmp_path)
    assert "  difference: member 3 contribution part: index says 301, chain says 300" in result.output

    # The vote counted the part at the snapshot (100), not the flash sponsorship after it (300 now).
    assert re.search(r"member\s+3 Coinvault SA \(regular\) for\s+weight 400 \(direct\)", cli.ok("results", pid))

    obs = Observatory(cli.env["CONSORTIUM_DB"])
    text = transparency.render_text(transparency.build(obs, 0, obs.now))
    section = text.split("\n\n")[-2].splitlines()
    assert section[0].startswith("Contribution weight (read ")
    assert section[0].endswith(": total weight 2600, of which contribution parts 300, 11.5%)")
    assert section[1:] == ["  member 3 Coinvault SA: part 300, 11.5% of the total weight",
                           "  member 4 Delta Pay GmbH: part 0, 0.0% of the total weight"]
    earlier = transparency.render_text(transparency.build(obs, 0, first))  # as the chain answered then
    assert "  member 4 Delta Pay GmbH: part 200, 6.9% of the total weight" in earlier
    html = transparency.render_html(transparency.build(obs, 0, obs.now))
    assert "<tr><td>member 3 Coinvault SA</td><td>300</td><td>11.5%</td></tr>" in html


def test_the_dashboard_shows_each_part_and_share(story):
    cli, _, _ = story
    with serving.running(dashboard.app(cli.env["CONSORTIUM_DB"]), dashboard.MAX_BODY) as url:
        document = json.loads(get(f"{url}/api/contributions"))
        page = get(f"{url}/contributions")
        member = get(f"{url}/members/3")
    assert {k: v for k, v in document.items() if k != "read_at"} == {
        "weighed": True, "total_weight": 2600, "total_part": 300, "total_share": 11.5,
        "members": [{"member_id": 3, "member": "member 3 Coinvault SA", "part": 300, "share": 11.5},
                    {"member_id": 4, "member": "member 4 Delta Pay GmbH", "part": 0, "share": 0.0}]}
    assert '<dd id="total-part">300 (11.5% of the total weight)</dd>' in page
    assert ('<tr><td><a href="/members/3">member 3 Coinvault SA</a></td><td class="num">300</td>'
            '<td class="num">11.5%</td></tr>') in page
    assert '<dd id="contribution-part">300 (11.5% of the total weight)</dd>' in member
    assert member.count("<td>sponsorship</td>") == 2


def test_a_reorg_unwinds_the_contributions_and_parts_of_the_blocks_it_replaced(story):
    cli, _, _ = story
    manifest = cli.manifest()
    store = IndexStore(cli.env["CONSORTIUM_DB"], manifest["chain_id"], manifest["contracts"]["ConsortiumGovernor"])
    store.unwind(manifest["deployment_block"] - 1)
    with store.engine.connect() as c:
        assert c.execute(select(contributions)).first() is None
        assert c.execute(select(contribution_parts)).first() is None
    cli.ok("index")  # read again, the same
    assert "verified against the chain" in cli.ok("index", "--verify")
    # A period later every part is worth 1/sqrt(2) as much, with no event: read again all the same.
    cli.advance(30 * 86400)
    assert "verified against the chain" in cli.ok("index", "--verify")
    found = observed.weight(Observatory(cli.env["CONSORTIUM_DB"]))
    assert (found.total_weight, found.total_part, [(m.member_id, m.part) for m in found.members]) == (
        2512, 212, [(3, 212), (4, 0)])  # 300 / sqrt(2), rounded down as the ledger rounds


def test_without_a_ledger_there_is_no_contribution_weight_to_show(cli, consortium):
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'plain.db'}"
    cli.ok("index")
    obs = Observatory(cli.env["CONSORTIUM_DB"])
    assert "Contribution weight" not in transparency.render_text(transparency.build(obs, 0, obs.now))
    with serving.running(dashboard.app(cli.env["CONSORTIUM_DB"]), dashboard.MAX_BODY) as url:
        assert json.loads(get(f"{url}/api/contributions")) == {"weighed": False}
        assert "This deployment does not weigh contributions" in get(f"{url}/contributions")
        assert "contribution-part" not in get(f"{url}/members/1")
