"""How members and tiers are named to people, the one way everywhere (proposals' calls, results, reports)."""

from __future__ import annotations

from orchestrator import identity


def member_label(member_id: int, who: identity.Identity) -> str:
    """The one way a member is named: "member 7 Bitex Ltd", or "member 7" when no name is on-chain."""
    return f"member {member_id}" if who.legal_name is None else f"member {member_id} {who.label(member_id)}"


def tier_label(tier_id: int, names: list[str]) -> str:
    """A tier by its name ("regular"), or "tier 5" for one the table does not hold."""
    return names[tier_id] if 0 <= tier_id < len(names) else f"tier {tier_id}"
