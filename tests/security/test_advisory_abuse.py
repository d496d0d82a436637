"""Hostile uses of the industry advisory registry: flooding it, a heavy member or a mandated body reaching
past its place, and rewriting what was said. Each must fail by name."""

from brownie import Body, accounts

from tests.governance import error, reverts

HASH = "0x" + "ee" * 32
ZERO = "0x" + "00" * 20
LIMIT = 3  # the deployment's default filings per member per window
WORKING_GROUP = 2


def _file(gov, member, subject):
    tx = gov.advisories.file(0, 2, subject, ZERO, "summary", "ipfs://e", HASH, {"from": member})
    return tx.events["AdvisoryFiled"]["advisoryId"]


def test_weight_buys_no_extra_filings(gov, roster):
    """A founding member (30% of the weight) floods the confirmers' queue with advisories about
    competitors: it gets exactly the limit every member gets, whatever the subjects."""
    heavy = roster["founding"][0]
    for i in range(LIMIT):
        _file(gov, heavy, f"Competitor {i}")
    with reverts("AdvisoryRateLimited"):
        _file(gov, heavy, "Competitor 99")
    assert gov.advisories.advisoryCount() == LIMIT


def test_a_mandated_body_cannot_widen_its_own_power_or_open_the_floodgates(gov, roster):
    """A working group named confirmer, even if governance wrongly put the registry's governance functions
    in its mandate, cannot name more confirmers or change the filing limit: those answer to the timelock."""
    a, group = gov.advisories, roster["regular"][:2]
    mandate = [(a.address, a.setConfirmer.signature), (a.address, a.setFilingLimit.signature),
               (a.address, a.publish.signature)]
    create = gov.call(gov.bodies, "create", WORKING_GROUP, "Security working group", 1,
                      [gov.member_id(m) for m in group], mandate)
    _, tx = gov.by_founders(roster, [create], "Create a working group with too wide a mandate")
    body = Body.at(tx.events["BodyCreated"]["body"])
    gov.by_founders(roster, [gov.call(a, "setConfirmer", body, True)], "Name it confirmer")
    for data in (a.setConfirmer.encode_input(group[0], True), a.setFilingLimit.encode_input(1000, 1)):
        with reverts(error("AdvisoryUnauthorized", body)):
            body.propose(a, data, "reach further", {"from": group[0]})
    assert not a.isConfirmer(group[0])
    assert tuple(a.filingLimit()) == (LIMIT, 7 * 86400)


def test_what_was_filed_cannot_be_rewritten_only_revised_in_the_open(gov, roster):
    """No path edits an advisory's subject, summary, filer or kind: a confirmer only revises severity and
    evidence (each revision an event with the old severity) and a retraction keeps the record."""
    a, confirmer = gov.advisories, accounts[6]
    gov.by_founders(roster, [gov.call(a, "setConfirmer", confirmer, True)], "Name a confirmer")
    advisory_id = _file(gov, roster["regular"][0], "Acme Exchange")
    before = a.advisory(advisory_id)
    a.publish(advisory_id, {"from": confirmer})
    a.update(advisory_id, 0, "ipfs://later", "0x" + "dd" * 32, "downgraded", {"from": confirmer})
    a.retract(advisory_id, "settled", {"from": confirmer})
    after = a.advisory(advisory_id)
    kept = (0, 4, 6, 7, 8, 9)  # kind, filed at, filer, subject account, subject, summary
    assert [after[i] for i in kept] == [before[i] for i in kept]
    assert (after[2], after[3]) == (5, 1)  # retracted, at revision 1
    assert a.advisoryCount() == 1
