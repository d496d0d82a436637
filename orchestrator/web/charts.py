"""A proposal's per-tier result as an SVG drawn on the server (it shows without JavaScript): one stacked bar
per voting tier and one for all tiers together (for, abstain, then against), then a bar of what counts
toward the quorum (for + abstain over all tiers: against never does), all on one scale with its ticks, each
segment labelled with its weight (`tallies`). The quorum is a line across that last bar only, so no bar
holding against votes can look as if it reached the quorum. An election's approvals: one bar per candidate,
stacked by the voters' tier (`approvals`). Every text is escaped: a tier's name is whatever its setTier
wrote."""

from __future__ import annotations

from markupsafe import Markup, escape

from orchestrator.observers.elections import elected_text
from orchestrator.observers.observatory import ProposalResult

WIDTH, LABEL, ROW, BAR, TOP = 720, 130, 34, 22, 26
# Stacked in this order: what counts toward the quorum first, so both bars start alike.
SUPPORTS = (("for", "for_"), ("abstain", "abstain"), ("against", "against"))
QUORUM_ROW = "toward the quorum"


def scale_step(top: int) -> int:
    """A tick step of 1, 2 or 5 × 10^k giving at most five steps up to `top`: a scale that reads well."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step * 5 >= top:
                return factor * step
        step *= 10


def quorum_text(result: ProposalResult) -> str:
    if result.quorum_needed is None:
        return f"quorum not fixed before the snapshot; {result.quorum_reached:,} counted (for + abstain)"
    reached = "reached" if result.quorum_reached >= result.quorum_needed else "not reached"
    return f"quorum {result.quorum_needed:,}: {result.quorum_reached:,} counted (for + abstain), {reached}"


def tallies(result: ProposalResult) -> Markup:
    totals = {"for": sum(t.for_ for t in result.tiers), "against": sum(t.against for t in result.tiers),
              "abstain": sum(t.abstain for t in result.tiers)}
    # (label, data-row, data-tier or None, weights by support)
    rows = [(t.name, t.name, t.name, {s: getattr(t, a) for s, a in SUPPORTS}) for t in result.tiers]
    rows.append(("all tiers", "all tiers", "all tiers", totals))
    rows.append((QUORUM_ROW, "quorum", None, {"for": totals["for"], "abstain": totals["abstain"], "against": 0}))
    top = max([sum(v.values()) for *_, v in rows] + [result.quorum_needed or 0, 1])
    step = scale_step(top)
    scale = step * -(-top // step)
    span = WIDTH - LABEL - 20
    height = TOP + ROW * len(rows) + 28

    def x(value: int) -> float:
        return round(LABEL + span * value / scale, 2)

    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="chart-title">',
             '<title id="chart-title">Weight for, abstaining and against per tier, and what counts toward the '
             'quorum (for + abstain) with the quorum line</title>']
    for tick in range(0, scale + 1, step):  # the scale, from 0 to its end
        text = f"{tick:,}"
        parts.append(f'<line class="grid" x1="{x(tick)}" y1="{TOP - 6}" x2="{x(tick)}" y2="{TOP + ROW * len(rows)}"/>'
                     f'<text class="tick" x="{x(tick)}" y="{TOP - 10}" text-anchor="middle">{text}</text>')
    for n, (name, row, tier, values) in enumerate(rows):
        y = TOP + ROW * n + (ROW - BAR) / 2
        parts.append(f'<text class="label" x="{LABEL - 8}" y="{y + BAR / 2 + 4}" text-anchor="end">'
                     f'{escape(name)}</text>')
        marks = f' data-tier="{escape(tier)}"' if tier is not None else ""
        left = 0
        for support, _ in SUPPORTS:
            weight = values[support]
            if weight:
                width = round(x(left + weight) - x(left), 2)
                parts.append(f'<rect class="{support}" x="{x(left)}" y="{y}" width="{width}" height="{BAR}"{marks} '
                             f'data-support="{support}" data-weight="{weight}" data-row="{escape(row)}">'
                             f'<title>{escape(name)}: {support} {weight:,}</title></rect>')
                if x(left + weight) - x(left) >= 8 * len(f"{weight:,}") + 6:
                    parts.append(f'<text class="value" x="{(x(left) + x(left + weight)) / 2}" y="{y + BAR / 2 + 4}" '
                                 f'text-anchor="middle">{weight:,}</text>')
            left += weight
        parts.append(f'<text class="sum" x="{x(left) + 6}" y="{y + BAR / 2 + 4}">{left:,}</text>')
    parts.append(f'<line class="axis" x1="{LABEL}" y1="{TOP - 6}" x2="{LABEL}" y2="{TOP + ROW * len(rows)}"/>')
    y = TOP + ROW * (len(rows) - 1)
    if result.quorum_needed is not None:
        parts.append(f'<line class="quorum" x1="{x(result.quorum_needed)}" y1="{y}" x2="{x(result.quorum_needed)}" '
                     f'y2="{y + ROW}" data-quorum="{result.quorum_needed}"/>'
                     f'<text class="quorum-label" x="{x(result.quorum_needed)}" y="{y + ROW + 14}" '
                     # the label runs away from the nearer edge, so a quorum near either end keeps it on the chart
                     f'text-anchor="{"start" if x(result.quorum_needed) < LABEL + span / 2 else "end"}">'
                     f'{quorum_text(result)}</text>')
    else:
        parts.append(f'<text class="quorum-label" x="{LABEL}" y="{height - 6}">{quorum_text(result)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def approvals(election) -> Markup:
    """An election's approvals (observers/elections.Election with its tallies): one bar per candidate, stacked by
    the voters' tier, on one scale with its ticks, each segment labelled with its weight and each bar with its
    total and whether the registry elected it. Names and tiers are escaped (whatever the chain holds)."""
    rows = election.candidates
    top = max([c.approvals for c in rows] + [1])
    step = scale_step(top)
    scale = step * -(-top // step)
    label = LABEL + 40  # "member 12 Bitex Ltd" needs more room than a tier's name
    span = WIDTH - label - 150
    height = TOP + ROW * max(len(rows), 1) + 28

    def x(value: int) -> float:
        return round(label + span * value / scale, 2)

    parts = [f'<svg class="chart approvals" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="approvals-title">',
             '<title id="approvals-title">Approval weight per candidate, by the voters\' tier</title>']
    for tick in range(0, scale + 1, step):
        parts.append(f'<line class="grid" x1="{x(tick)}" y1="{TOP - 6}" x2="{x(tick)}" y2="{TOP + ROW * len(rows)}"/>'
                     f'<text class="tick" x="{x(tick)}" y="{TOP - 10}" text-anchor="middle">{tick:,}</text>')
    for n, c in enumerate(rows):
        y = TOP + ROW * n + (ROW - BAR) / 2
        parts.append(f'<text class="label" x="{label - 8}" y="{y + BAR / 2 + 4}" text-anchor="end">'
                     f'{escape(c.member)}</text>')
        left = 0
        for k, (tier, weight) in enumerate(c.by_tier.items()):
            if weight:
                width = round(x(left + weight) - x(left), 2)
                parts.append(f'<rect class="tier-{k % 4}" x="{x(left)}" y="{y}" width="{width}" '
                             f'height="{BAR}" data-candidate="{c.member_id}" data-tier="{escape(tier)}" '
                             f'data-weight="{weight}"><title>{escape(c.member)}: {weight:,} from {escape(tier)}</title>'
                             '</rect>')
                if x(left + weight) - x(left) >= 8 * len(f"{weight:,}") + 6:
                    parts.append(f'<text class="value" x="{(x(left) + x(left + weight)) / 2}" y="{y + BAR / 2 + 4}" '
                                 f'text-anchor="middle">{weight:,}</text>')
            left += weight
        mark = f" {elected_text(c)}" if elected_text(c) else ""
        parts.append(f'<text class="sum" x="{x(left) + 6}" y="{y + BAR / 2 + 4}">{left:,}{escape(mark)}</text>')
    parts.append(f'<line class="axis" x1="{label}" y1="{TOP - 6}" x2="{label}" y2="{TOP + ROW * len(rows)}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
