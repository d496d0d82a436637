"""A proposal's per-tier result as an SVG drawn on the server (it shows without JavaScript): one stacked bar
per voting tier (for, against, abstain) and one for all tiers together, on one scale with its ticks, each
segment labelled with its weight, and the quorum drawn as a line across the all-tiers bar (the quorum counts
for + abstain over all tiers). Every text is escaped: a tier's name is whatever its setTier wrote."""

from __future__ import annotations

from markupsafe import Markup, escape

from orchestrator.observers.observatory import ProposalResult

WIDTH, LABEL, ROW, BAR, TOP = 720, 130, 34, 22, 26
SUPPORTS = (("for", "for_"), ("against", "against"), ("abstain", "abstain"))


def scale_step(top: int) -> int:
    """A tick step of 1, 2 or 5 × 10^k giving at most five steps up to `top`: a scale that reads well."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step * 5 >= top:
                return factor * step
        step *= 10


def tallies(result: ProposalResult) -> Markup:
    totals = {"for": sum(t.for_ for t in result.tiers), "against": sum(t.against for t in result.tiers),
              "abstain": sum(t.abstain for t in result.tiers)}
    rows = [(t.name, {s: getattr(t, a) for s, a in SUPPORTS}) for t in result.tiers] + [("all tiers", totals)]
    top = max([sum(v.values()) for _, v in rows] + [result.quorum_needed or 0, 1])
    step = scale_step(top)
    scale = step * -(-top // step)
    span = WIDTH - LABEL - 20
    height = TOP + ROW * len(rows) + 28

    def x(value: int) -> float:
        return round(LABEL + span * value / scale, 2)

    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="chart-title">',
             '<title id="chart-title">Weight for, against and abstaining per tier, with the quorum</title>']
    for tick in range(0, scale + 1, step):  # the scale, from 0 to its end
        text = f"{tick:,}"
        parts.append(f'<line class="grid" x1="{x(tick)}" y1="{TOP - 6}" x2="{x(tick)}" y2="{TOP + ROW * len(rows)}"/>'
                     f'<text class="tick" x="{x(tick)}" y="{TOP - 10}" text-anchor="middle">{text}</text>')
    for n, (name, values) in enumerate(rows):
        y = TOP + ROW * n + (ROW - BAR) / 2
        parts.append(f'<text class="label" x="{LABEL - 8}" y="{y + BAR / 2 + 4}" text-anchor="end">'
                     f'{escape(name)}</text>')
        left = 0
        for support, _ in SUPPORTS:
            weight = values[support]
            if weight:
                width = round(x(left + weight) - x(left), 2)
                parts.append(f'<rect class="{support}" x="{x(left)}" y="{y}" width="{width}" height="{BAR}" '
                             f'data-tier="{escape(name)}" data-support="{support}" data-weight="{weight}">'
                             f'<title>{escape(name)}: {support} {weight:,}</title></rect>')
                if x(left + weight) - x(left) >= 8 * len(f"{weight:,}") + 6:
                    parts.append(f'<text class="value" x="{(x(left) + x(left + weight)) / 2}" y="{y + BAR / 2 + 4}" '
                                 f'text-anchor="middle">{weight:,}</text>')
            left += weight
        parts.append(f'<text class="sum" x="{x(left) + 6}" y="{y + BAR / 2 + 4}">{left:,}</text>')
    parts.append(f'<line class="axis" x1="{LABEL}" y1="{TOP - 6}" x2="{LABEL}" y2="{TOP + ROW * len(rows)}"/>')
    if result.quorum_needed is not None:
        y = TOP + ROW * (len(rows) - 1)
        parts.append(f'<line class="quorum" x1="{x(result.quorum_needed)}" y1="{y}" x2="{x(result.quorum_needed)}" '
                     f'y2="{y + ROW}" data-quorum="{result.quorum_needed}"/>'
                     f'<text class="quorum-label" x="{x(result.quorum_needed)}" y="{y + ROW + 14}" '
                     f'text-anchor="middle">quorum {result.quorum_needed:,} (for + abstain)</text>')
    else:
        parts.append(f'<text class="quorum-label" x="{LABEL}" y="{height - 6}">quorum: not fixed before the '
                     'snapshot</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
