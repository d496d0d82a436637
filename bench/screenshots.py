"""Screenshots of the dashboard's main pages, for a reader to look at: `python -m bench.screenshots DIR`
(default bench/screenshots) serves the index at --db (CONSORTIUM_DB; `make demo` writes one) and has
headless Chromium (Debian's, through Playwright) write home.png, proposal.png, member.png and members.png."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from orchestrator.observers.observatory import Observatory
from orchestrator.web import dashboard, serving

CHROMIUM = "/usr/bin/chromium"


def shoot(db_url: str, out: Path, explorer: str | None = None, browser=None) -> list[Path]:
    """PNGs of the main pages; `browser`: a Playwright Chromium already launched (else one is launched)."""
    if browser is None:
        with sync_playwright() as p:
            launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                return shoot(db_url, out, explorer, launched)
            finally:
                launched.close()
    out.mkdir(parents=True, exist_ok=True)
    obs = Observatory(db_url)
    ids = obs.proposal_ids()
    members = obs.members_page(1, 1).items
    pages = {"home": "/", "members": "/members"}
    if ids:
        pages["proposal"] = f"/proposals/{ids[0]}"
    if members:
        pages["member"] = f"/members/{members[0]['member_id']}"
    written = []
    with serving.running(dashboard.app(db_url, explorer), dashboard.MAX_BODY) as base:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        for name, path in pages.items():
            page.goto(base + path)
            target = out / f"{name}.png"
            page.screenshot(path=str(target), full_page=True)
            written.append(target)
        page.close()
    return written


if __name__ == "__main__":
    db = os.environ.get("CONSORTIUM_DB") or "sqlite:///consortium.db"
    for path in shoot(db, Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "screenshots"):
        print(f"wrote {path}")
