"""The dashboard's templates (orchestrator/web/templates, shipped as package data): one Jinja2 environment
with autoescaping on, so whatever the chain or a member wrote is text on the page, never markup. Every page
extends base.html (its blocks are documented there) and is rendered through `render`, which fills the
navigation and the "as of block N" line from the index."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from orchestrator.chain.reverts import utc

# The pages in the navigation, in order: (path, name).
PAGES = [("/", "Proposals"), ("/members", "Members"), ("/treasury", "Treasury"), ("/bodies", "Bodies"),
         ("/standards", "Standards"), ("/conduct", "Conduct"), ("/advisories", "Advisories"),
         ("/contributions", "Contributions"), ("/elections", "Elections")]
# Scripts only from /static (no inline script can run, whatever a page shows); nothing from elsewhere. Images
# from the dashboard itself only (it draws its charts inline and uses no image): a data: image would let a
# proposer's text place a picture on the page if anything ever rendered one.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

ENVIRONMENT = Environment(loader=PackageLoader("orchestrator.web", "templates"),
                          autoescape=select_autoescape(["html", "svg"], default_for_string=True),
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
ENVIRONMENT.globals["nav"] = PAGES


def when(ts: int | None) -> str:
    """A chain time as every page prints it."""
    return utc(ts, "minute") if ts else ""


ENVIRONMENT.filters["when"] = when


def render(name: str, *, current: str, as_of_block: int | None, as_of_time: int | None, **context) -> str:
    """A page from its template: `current` is its path (its nav link is marked), `as_of_*` the index's head
    (Observatory.head_block and .now)."""
    return ENVIRONMENT.get_template(name).render(current=current, as_of_block=as_of_block,
                                                 as_of_time=when(as_of_time), **context)
