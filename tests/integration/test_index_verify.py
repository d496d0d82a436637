"""`consortium index --verify` checks every field it claims to (SECURITY.md, "Chain data read by the
indexer"): a chain with members of two tiers, proposals decided and executed, a body, an adopted standard
with two attesters, a conduct report and a censure is indexed once; then, field by field, a copy of the
index is tampered with and `--verify` must name that field."""


import pytest
from sqlalchemy import and_, delete, update

from orchestrator.observers.indexer.schema import (
    ballots,
    bodies,
    conduct_records,
    member_changes,
    proposal_states,
    proposals,
    standard_changes,
    standards,
)
from tests.integration.conftest import Cli
from tests.integration.tampering import verify_tampered
from tests.integration.test_cli_governance import proposal_id
from tests.integration.test_cli_institutions import enact, enact_voted

ELSEWHERE = "0x" + "ab" * 20


@pytest.fixture(scope="module")
def chain(devnet, w3, tmp_path_factory) -> tuple[Cli, dict]:
    cli = Cli(devnet, tmp_path_factory.mktemp("verify"), w3)
    seats = {name: cli.wallet(name) for name in ("f1", "f2", "r1", "r2")}
    cli.deploy({seats["f1"]: "founding", seats["f2"]: "founding", seats["r1"]: "regular", seats["r2"]: "regular"})
    enact(cli, cli.ok("propose", "create-body", "technical-committee", "TC", "--threshold", "1", "--member", "1",
                      "--mandate", "standards:publishDraft(string,string,bytes32,string,uint256)",
                      "--description", "TC", account="f1"))
    enact(cli, cli.ok("propose", "publisher", "TC", "--description", "TC publishes", account="f1"))
    text = cli.dir / "por.md"
    text.write_text("Proof of reserves, monthly.")
    cli.ok("standard", "publish", "Proof of Reserves", "1.0", "--content", text, "--uri", "ipfs://por",
           "--via-body", "TC", account="f1")
    adopt = cli.ok("propose", "adopt", "1", "--description", "Adopt PoR", account="f1")
    enact(cli, adopt, voters=("f1", "f2", "r1"))  # ballots in both tiers
    cli.ok("standard", "attest", "1", "--evidence", "ipfs://audit-3", account="r1")
    cli.ok("standard", "attest", "1", "--evidence", "ipfs://audit-2", account="f2")
    evidence = cli.dir / "evidence.txt"
    evidence.write_text("undisclosed outage")
    cli.ok("conduct", "report", "4", "--evidence-uri", "ipfs://ev", "--evidence-file", evidence, account="r1")
    censure = proposal_id(cli.ok("propose", "censure", "4", "--reason", "outage", "--report", "1",
                                 "--description", "Censure 4", account="f1"))
    cli.advance(2)
    enact_voted(cli, censure)
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'index.db'}"
    assert "no differences" in cli.ok("index", "--verify")
    return cli, {"adopt": proposal_id(adopt), "censure": censure}


def _member(n):
    return member_changes.c.member_id == n


def _attested(member_id):
    return and_(standard_changes.c.change == "attested", standard_changes.c.member_id == member_id)


def _report():
    return conduct_records.c.kind == "report"


def _censure():
    return conduct_records.c.kind == "censure"


# field -> (what the tampering does, given the proposal ids; what --verify must say)
TAMPERED = {
    "member count": (lambda p: delete(member_changes).where(_member(4)), "member count: index says 3, chain says 4"),
    "member seat": (lambda p: update(member_changes).where(_member(3)).values(seat=ELSEWHERE), "member 3 seat: "),
    "member tier": (lambda p: update(member_changes).where(_member(3)).values(tier=0), "member 3 tier: "),
    "member status": (lambda p: update(member_changes).where(_member(3)).values(status="expelled"),
                      "member 3 status: index says 'expelled', chain says 'active'"),
    "proposals": (lambda p: delete(proposals).where(proposals.c.proposal_id == p["censure"]), "proposals: "),
    "proposal kind": (lambda p: update(proposals).where(proposals.c.proposal_id == p["adopt"]).values(kind="ordinary"),
                      "{adopt}… kind: index says 'ordinary', chain says 'constitutional'"),
    "proposal snapshot": (lambda p: update(proposals).where(proposals.c.proposal_id == p["adopt"])
                          .values(snapshot=proposals.c.snapshot + 1), "{adopt}… snapshot: "),
    "proposal deadline": (lambda p: update(proposals).where(proposals.c.proposal_id == p["adopt"])
                          .values(deadline=proposals.c.deadline - 1), "{adopt}… deadline: "),
    "proposal state": (lambda p: update(proposal_states).where(proposal_states.c.proposal_id == p["adopt"])
                       .values(state="Defeated"), "{adopt}… state: index says 'Defeated', chain says 'Executed'"),
    "proposal quorum": (lambda p: update(proposal_states).where(proposal_states.c.proposal_id == p["adopt"])
                        .values(quorum="0"), "{adopt}… quorum: index says 0, chain says "),
    "proposal tallies": (lambda p: update(ballots).where(ballots.c.proposal_id == p["adopt"], ballots.c.member_id == 3)
                         .values(support=0), "{adopt}… tallies: "),
    "bodies": (lambda p: delete(bodies), "bodies: index says [], chain says ["),
    "standards": (lambda p: delete(standards), "standards: index says 0, chain says 1"),
    "standard status": (lambda p: delete(standard_changes).where(standard_changes.c.change == "adopted"),
                        "standard 1 status: index says 'draft', chain says 'adopted'"),
    "standard attesters, one missing": (lambda p: delete(standard_changes).where(_attested(3)),
                                        "standard 1 attesters: index says [2], chain says [2, 3]"),
    "standard attesters, another member": (lambda p: update(standard_changes).where(_attested(3)).values(member_id=4),
                                           "standard 1 attesters: index says [2, 4], chain says [2, 3]"),
    "standard content hash": (lambda p: update(standards).values(content_hash="0x" + "00" * 32),
                              "standard 1 content hash: "),
    "reports": (lambda p: delete(conduct_records).where(_report()), "reports: index says 0, chain says 1"),
    "report subject": (lambda p: update(conduct_records).where(_report()).values(member_id=2),
                       "report 1 subject: index says 2, chain says 4"),
    "report reporter": (lambda p: update(conduct_records).where(_report()).values(reporter=1),
                        "report 1 reporter: index says 1, chain says 3"),
    "censures": (lambda p: delete(conduct_records).where(_censure()), "censures: index says 0, chain says 1"),
    "censure member": (lambda p: update(conduct_records).where(_censure()).values(member_id=3),
                       "censure 1 member: index says 3, chain says 4"),
    "censure report": (lambda p: update(conduct_records).where(_censure()).values(report_id=None),
                       "censure 1 report: index says 0, chain says 1"),
}


@pytest.mark.parametrize("field", list(TAMPERED))
def test_verify_names_each_field_that_differs_from_the_chain(chain, field, tmp_path):
    cli, ids = chain
    tamper, expected = TAMPERED[field]
    result = verify_tampered(cli, tamper(ids), tmp_path)
    assert result.exit_code == 1, result.output
    expected = expected.format(adopt=f"proposal {ids['adopt'][:12]}")
    lines = result.output.splitlines()
    assert any(line.startswith("  difference: ") and expected in line for line in lines), result.output
    assert lines[-1].startswith("Error: ") and lines[-1].endswith("difference(s) between the index and the chain")
