"""Elected bodies (ElectionRegistry, GovernorElections, ApprovalBallots): governance opens an election, members
nominate themselves, vote by approval on the election's one ballot proposal, and its execution seats the
winners; after the term the seats fall vacant. Attacks on it are in tests/security/test_election_attacks.py."""

import pytest
from brownie import Body

from tests.governance import latest_timestamp, mine_at

COUNCIL = 0
DAY = 86400


@pytest.fixture
def council(gov, roster):
    """A 1-of-1 council of the first founding member, whose elector is the election registry."""
    calls = [gov.call(gov.bodies, "create", COUNCIL, "Council", 1, [gov.member_id(roster["founding"][0])], [])]
    _, tx = gov.by_founders(roster, calls, "Create the council")
    body = Body.at(tx.events["BodyCreated"]["body"])
    gov.by_founders(roster, [gov.call(body, "setElector", gov.elections)], "The registry elects the council")
    return body


def open_election(gov, roster, body, seats=2, reserved=(), nominate_for=DAY, term=30 * DAY):
    now = latest_timestamp()
    calls = [gov.call(gov.elections, "open", body, seats, list(reserved), now + nominate_for,
                      now + nominate_for + term, "Council 2027")]
    _, tx = gov.by_founders(roster, calls, f"Elect the council {len(reserved)} {seats}")
    return tx.events["ElectionOpened"]["electionId"]


def test_an_election_seats_the_most_approved_with_a_reserved_regular_seat(gov, roster, council):
    f1, f2 = roster["founding"]
    r1, r2, r3, r4 = roster["regular"]
    eid = open_election(gov, roster, council, seats=2, reserved=[(1, 1)])
    for candidate in (f2, r1, r2):
        gov.elections.nominate(eid, {"from": candidate})
    mine_at(gov.elections.election(eid)[3] + 1)
    p = gov.propose_ballot(eid, r4)
    gov.wait_snapshot(p)
    # f2 (index 0): 3+3+1; r1 (1): 1+1; r2 (2): 3+1+1+1
    gov.approve(p.id, f1, 0b101)
    gov.approve(p.id, f2, 0b001)
    ballots = [gov.approval_ballot(r.private_key, p.id, bits) for r, bits in ((r1, 0b011), (r2, 0b110), (r3, 0b100),
                                                                             (r4, 0b100))]
    tx = gov.governor.castApprovals(p.id, ballots, {"from": roster["outsider"]})
    assert tx.return_value == 4
    assert [gov.governor.proposalApprovals(p.id, c, t) for c in range(3) for t in range(3)] == [
        6, 1, 0, 0, 2, 0, 3, 3, 0]
    gov.wait_deadline(p)
    gov.queue(p, f1)
    tx = gov.execute(p, f1)
    elected = [(e["memberId"], e["approvals"], e["reservedSeat"]) for e in tx.events["CandidateElected"]]
    assert elected == [(gov.member_id(r2), 6, True), (gov.member_id(f2), 7, False)]
    assert sorted(council.members()) == sorted([gov.member_id(f1), gov.member_id(f2), gov.member_id(r2)])
    mine_at(gov.elections.election(eid)[4] + 1)
    gov.elections.vacate(eid, {"from": roster["outsider"]})
    assert list(council.members()) == [gov.member_id(f1)]
