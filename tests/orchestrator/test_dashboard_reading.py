"""What the dashboard reads from an index, on a small index written here row by row (no chain): a call whose
arguments do not decode is described, never an error; a seat is named only as its member's current one;
a member's participation and a proposal's lookup take a fixed number of queries; the per-tier chart
measures the quorum against what counts toward it; a proposer's Markdown cannot show images or disguise
links."""

import json
import re

import eth_abi
import pytest
from eth_utils import function_signature_to_4byte_selector
from sqlalchemy import event, insert
from web3 import Web3

from orchestrator import identity
from orchestrator.chain.reverts import utc
from orchestrator.db import engine
from orchestrator.errors import InputError
from orchestrator.observers.indexer.schema import (
    ballots,
    blocks,
    cursor,
    events,
    member_changes,
    metadata,
    proposals,
    recusals,
)
from orchestrator.observers.observatory import Observatory, ProposalResult, TierResult
from orchestrator.observers.words import IndexWords, describe_indexed
from orchestrator.operations.calls import describe
from tests.orchestrator.test_decoded_size import aliased

REGISTRY = Web3.to_checksum_address("0x" + "11" * 20)
GOVERNOR = Web3.to_checksum_address("0x" + "22" * 20)
FACTORY = Web3.to_checksum_address("0x" + "33" * 20)
OLD_SEAT = Web3.to_checksum_address("0x" + "a1" * 20)
NEW_SEAT = Web3.to_checksum_address("0x" + "a2" * 20)
OTHER_SEAT = Web3.to_checksum_address("0x" + "b1" * 20)
T0 = 1_700_000_000  # block n's time is T0 + 12 n
HEAD = 60


def _at(block: int) -> int:
    return T0 + 12 * block


def _selector(signature: str) -> bytes:
    return function_signature_to_4byte_selector(signature)


class Rows:
    """Rows of an index, with their keys (transaction, log index) made up in order."""

    def __init__(self, db):
        self.db, self.n = db, 0

    def key(self, block: int) -> dict:
        self.n += 1
        return {"tx_hash": f"0x{self.n:064x}", "log_index": 0, "block_number": block}

    def event(self, block: int, address: str, contract: str, name: str, args: dict) -> None:
        self.db.execute(insert(events).values(**self.key(block), block_hash="0x" + "00" * 32, address=address,
                                              contract=contract, event=name, args=json.dumps(args)))

    def derived(self, table, block: int, **row) -> None:
        self.db.execute(insert(table).values(**self.key(block), timestamp=_at(block), **row))


def admit(rows: Rows, block: int, member_id: int, seat: str, name: str) -> None:
    uri = identity.metadata_uri(name, "CH")
    rows.event(block, REGISTRY, "MemberRegistry", "MemberAdmitted",
               {"memberId": member_id, "seat": seat, "tier": 0, "metadataURI": uri,
                "metadataHash": "0x" + identity.metadata_hash(name, "CH").hex()})
    rows.derived(member_changes, block, member_id=member_id, change="admitted", seat=seat, tier=0, status="active",
                 detail=uri)


def propose(rows: Rows, block: int, proposal_id: str, snapshot_block: int, calls: list | None = None) -> None:
    rows.derived(proposals, block, proposal_id=proposal_id, proposer=OTHER_SEAT, kind="ordinary",
                 title=f"proposal {proposal_id[:6]}", description="", snapshot=_at(snapshot_block),
                 deadline=_at(snapshot_block + 5), calls=json.dumps(calls or []))


@pytest.fixture
def url(tmp_path):
    """An index of one tier, member 7 Bitex Ltd (its seat rotated at block 5, suspended at block 30,
    reinstated at block 40) and member 8 Other Ltd (admitted at block 20), and proposals snapshotted before,
    between and after those changes."""
    url = f"sqlite:///{tmp_path / 'index.db'}"
    db_engine = engine(url)
    metadata.create_all(db_engine)
    with db_engine.begin() as db:
        db.execute(insert(cursor).values(governor=GOVERNOR, chain_id=31337, block=HEAD))
        db.execute(insert(blocks), [{"number": n, "hash": f"0x{n:064x}", "timestamp": _at(n)}
                                    for n in range(1, HEAD + 1)])
        rows = Rows(db)
        rows.event(1, REGISTRY, "MemberRegistry", "TierSet", {"tierId": 0, "name": "founding", "weight": 3,
                                                              "canPropose": True, "canVote": True})
        rows.event(1, GOVERNOR, "ConsortiumGovernor", "ProposalThresholdSet", {})
        rows.event(1, FACTORY, "BodyFactory", "BodyCreated", {})
        admit(rows, 2, 7, OLD_SEAT, "Bitex Ltd")
        rows.derived(member_changes, 5, member_id=7, change="seat", seat=NEW_SEAT, tier=0, status="active",
                     detail="")
        admit(rows, 20, 8, OTHER_SEAT, "Other Ltd")
        rows.derived(member_changes, 30, member_id=7, change="suspended", seat=NEW_SEAT, tier=0,
                     status="suspended", detail="late filing")
        rows.derived(member_changes, 40, member_id=7, change="reinstated", seat=NEW_SEAT, tier=0, status="active",
                     detail="")
        propose(rows, 1, "1111110001", 1)  # before member 7 was admitted
        propose(rows, 10, "1111110002", 11)  # voted for
        propose(rows, 12, "1111110003", 13)  # recused
        propose(rows, 14, "2222220004", 15)  # did not vote
        propose(rows, 31, "3333330005", 32)  # suspended at its snapshot
        propose(rows, 45, "3333330006", 46)  # voted against
        rows.derived(ballots, 11, proposal_id="1111110002", member_id=7, voter=NEW_SEAT, tier=0, support=1,
                     weight=3, reason="", relayed=1)
        rows.derived(recusals, 13, proposal_id="1111110003", member_id=7, automatic=0, reason="conflict")
        rows.derived(ballots, 47, proposal_id="3333330006", member_id=7, voter=NEW_SEAT, tier=0, support=0,
                     weight=3, reason="", relayed=0)
    return url


# ───── 1. calls whose arguments do not decode ─────

CHANGE_TIER = _selector("changeTier(uint256,uint8)")
SUSPEND = _selector("suspend(uint256,string)")


@pytest.mark.parametrize(("data", "signature", "size"), [
    (CHANGE_TIER + (7).to_bytes(32, "big"), "changeTier(uint256,uint8)", 32),  # truncated: InsufficientDataBytes
    (SUSPEND + (7).to_bytes(32, "big") + (2**200).to_bytes(32, "big"), "suspend(uint256,string)", 64),  # pointer
    (SUSPEND + eth_abi.encode(["uint256", "bytes"], [7, b"\xff\xfe"]), "suspend(uint256,string)", 128),  # UTF-8
    (CHANGE_TIER, "changeTier(uint256,uint8)", 0),  # the selector alone
])
def test_a_governed_call_whose_arguments_do_not_decode_is_described(url, data, signature, size):
    words = IndexWords(Observatory(url))
    assert describe(words, REGISTRY, 0, data) == (
        f"call MemberRegistry.{signature} on the member registry ({REGISTRY}) with arguments that do not decode "
        f"({size} bytes after the selector)")
    assert describe(words, REGISTRY, 10**18, data).endswith(" with 1 ETH")


def test_arguments_whose_offsets_share_bytes_are_not_decoded_into_copies(url):
    """Any member who may propose: 2,000 offsets to one tuple with a 50 KB string are 114 KB of calldata that
    eth_abi decoded to 2,000 copies, 100 MB, and the proposal's page listed them all (575 MB per request)."""
    data = _selector("bootstrapAdmit((address,uint8,string,bytes32)[])") + aliased(2_000, 50_000)
    assert describe(IndexWords(Observatory(url)), REGISTRY, 0, data) == (
        "call MemberRegistry.bootstrapAdmit((address,uint8,string,bytes32)[]) on the member registry "
        f"({REGISTRY}) with arguments whose offsets point at the same bytes again and again ({len(data) - 4} bytes "
        "that would decode to more than twice as many): not decoded")
    few = _selector("bootstrapAdmit((address,uint8,string,bytes32)[])") + aliased(2, 10)
    assert describe(IndexWords(Observatory(url)), REGISTRY, 0, few).startswith("bootstrapAdmit(admissions=[{'seat'")


def test_a_call_that_decodes_and_one_unknown_to_the_abi_read_as_before(url):
    obs = Observatory(url)
    good = CHANGE_TIER + eth_abi.encode(["uint256", "uint8"], [7, 0])
    unknown = b"\x00\x00\x00\x01" + b"\x00" * 32
    assert describe_indexed(obs, [{"target": REGISTRY, "value": "0", "data": "0x" + good.hex()},
                                  {"target": REGISTRY, "value": "0", "data": "0x" + unknown.hex()}]) == [
        "move member 7 Bitex Ltd to tier founding",
        f"call 0x00000001 on the member registry ({REGISTRY}) (unknown to its ABI)"]


def test_an_enum_out_of_range_is_named_as_such(url):
    words = IndexWords(Observatory(url))
    create = _selector("create(uint8,string,uint256,uint256[],(address,bytes4)[])")
    data = create + eth_abi.encode(["uint8", "string", "uint256", "uint256[]", "(address,bytes4)[]"],
                                   [99, "Board", 1, [7], []])
    assert describe(words, FACTORY, 0, data) == (
        "create the kind 99 (not a Body.Kind) 'Board' of member 7 Bitex Ltd, acting on 1 approval(s), "
        "mandate: nothing")


ELECTIONS = Web3.to_checksum_address("0x" + "44" * 20)
STANDARDS = Web3.to_checksum_address("0x" + "55" * 20)
ADVISORIES = Web3.to_checksum_address("0x" + "66" * 20)


@pytest.mark.parametrize(("target", "contract", "signature", "args", "expected"), [
    (ELECTIONS, "ElectionRegistry", "open(address,uint8,(uint8,uint8)[],uint48,uint48,string)",
     [FACTORY, 3, [], 2**48 - 1, 2**47, "t"],
     f"open election 't' of 3 seat(s) of body {FACTORY}: nominations until timestamp 281474976710655 (after "
     "9999-12-31), term until timestamp 140737488355328 (after 9999-12-31)"),
    (STANDARDS, "StandardsRegistry", "adopt(uint256)", [2**256 - 1], f"adopt standard {2**256 - 1}"),
    (ADVISORIES, "AdvisoryRegistry", "publish(uint256)", [2**63], f"publish advisory {2**63}"),
])
def test_a_call_with_numbers_past_any_calendar_or_index_is_described(url, target, contract, signature, args,
                                                                    expected):
    """Any member who may propose chooses a call's arguments: a date in the year 8,921,556 raised ValueError,
    an id beyond the index's integers OverflowError in its query, and the proposal's page was a 500."""
    with engine(url).begin() as db:
        rows = Rows(db)
        rows.n = 10**6  # past the fixture's keys
        rows.event(1, target, contract, "Probe", {})  # the index knows the contract at `target`
    types = eth_abi.grammar.parse(signature[signature.index("("):]).components
    data = _selector(signature) + eth_abi.encode([t.to_type_str() for t in types], args)
    assert describe(IndexWords(Observatory(url)), target, 0, data) == expected


@pytest.mark.parametrize(("timestamp", "resolution", "text"), [
    (0, "second", "1970-01-01 00:00:00 UTC"), (253402300799, "minute", "9999-12-31 23:59 UTC"),
    (253402300800, "day", "timestamp 253402300800 (after 9999-12-31)"), (2**256 - 1, "second",
                                                                         f"timestamp {2**256 - 1} (after 9999-12-31)"),
    (-(2**62), "day", f"timestamp {-(2**62)} (before 0001-01-01)"),
])
def test_every_timestamp_has_words_past_the_calendar_its_number(timestamp, resolution, text):
    assert utc(timestamp, resolution) == text


# ───── 2. seats ─────

def test_only_a_members_current_seat_is_named_its_seat(url):
    words = IndexWords(Observatory(url))
    assert words.account(NEW_SEAT) == f"{NEW_SEAT} (the seat of member 7 Bitex Ltd)"
    assert words.account(OLD_SEAT) == f"{OLD_SEAT} (a former seat of member 7 Bitex Ltd)"
    assert words.account(OTHER_SEAT.lower()) == f"{OTHER_SEAT} (the seat of member 8 Other Ltd)"
    nobody = Web3.to_checksum_address("0x" + "c1" * 20)
    assert words.account(nobody) == nobody


# ───── 5. participation and lookups in a fixed number of queries ─────

def _counting(obs: Observatory) -> list[str]:
    seen: list[str] = []
    event.listen(obs.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_participation_reads_the_members_standing_once(url):
    obs = Observatory(url)
    obs.identities  # noqa: B018  (names are read once per head block, not per member)
    seen = _counting(obs)
    history = obs.participation(7)
    assert [(h["proposal_id"], h["action"], h.get("support")) for h in history] == [
        ("1111110002", "voted", "for"), ("1111110003", "recused", None), ("2222220004", "did not vote", None),
        ("3333330005", "no vote (suspended)", None), ("3333330006", "voted", "against")]
    assert len(seen) <= 4, seen
    assert [h["proposal_id"] for h in obs.participation(8)] == ["3333330005", "3333330006"]


def test_find_is_an_indexed_lookup(url):
    obs = Observatory(url)
    seen = _counting(obs)
    assert obs.find("1111110002") == "1111110002"
    assert obs.find("222222") == "2222220004"  # a unique prefix of six digits or more
    assert obs.find(hex(2222220004)) == "2222220004"  # the id in hex
    assert len(seen) <= 6 and not any("LIMIT" not in s.upper() and "proposal_id =" not in s for s in seen), seen
    for text, message in (("333333", "proposal id prefix 333333 matches more than one proposal; give more digits"),
                          ("11111", "no proposal 11111 in the index"),  # a prefix shorter than six digits
                          ("999999", "no proposal 999999 in the index"),
                          ("x1", "proposal id 'x1' is not a number")):
        with pytest.raises(InputError) as error:
            obs.find(text)
        assert str(error.value) == message


def test_the_proposals_table_reads_what_each_proposal_reads_in_four_queries(url):
    from orchestrator.observers.indexer.schema import proposal_events, proposal_states
    with engine(url).begin() as db:
        rows = Rows(db)
        rows.derived(ballots, 12, proposal_id="1111110002", member_id=8, voter=OTHER_SEAT, tier=0, support=2,
                     weight=3, reason="", relayed=0)
        rows.derived(proposal_events, 16, proposal_id="1111110002", event="extended", value=_at(30))
        db.execute(insert(proposal_states), [
            {"proposal_id": "1111110002", "block_number": 12, "state": "Active", "quorum": "2"},
            {"proposal_id": "1111110002", "block_number": 31, "state": "Succeeded", "quorum": "2"}])
    obs = Observatory(url)
    seen = _counting(obs)
    table = obs.proposals_table()
    assert len(seen) <= 4, seen
    assert [(p["id"], p["state"], p["for"], p["against"], p["abstain"], p["quorum_reached"], p["quorum_needed"])
            for p in table][:3] == [("1111110001", "Unknown", 0, 0, 0, 0, None),
                                    ("1111110002", "Succeeded", 3, 0, 3, 6, 2),
                                    ("1111110003", "Unknown", 0, 0, 0, 0, None)]
    for row in table:
        r = obs.proposal(row["id"], detail=False)
        assert (row["title"], row["kind"], row["state"], (row["for"], row["against"], row["abstain"]),
                row["quorum_reached"], row["quorum_needed"], row["snapshot"], row["deadline"], row["proposer"]) == (
            r.title, r.kind, r.state, r.totals, r.quorum_reached, r.quorum_needed, r.snapshot, r.deadline, r.proposer)
    assert table[1]["deadline"] == _at(30)  # the late-quorum extension's


def test_a_members_lists_are_paged_or_capped_newest_first(url):
    obs = Observatory(url)
    record = obs.member_record(7, page=2, per_page=2, cap=3)
    page = record["participation"]
    assert (page.total, page.pages, page.page) == (5, 3, 2)
    assert [h["proposal_id"] for h in page.items] == ["2222220004", "1111110003"]  # newest first
    assert record["participation_rate"] == {"voted": 2, "could_vote": 3, "percent": 66.7}
    assert record["history_total"] == 4 and [h["change"] for h in record["history"]] == [
        "reinstated", "suspended", "seat"]
    assert [h["change"] for h in obs.member_list(7, "history")] == ["admitted", "seat", "suspended", "reinstated"]
    assert [h["proposal_id"] for h in obs.member_list(7, "participation")][0] == "1111110002"  # chain order
    assert (record["dues"], record["dues_total"], record["conduct_total"]) == ([], 0, 0)


# ───── 3. the chart ─────

def _result(for_: int, against: int, abstain: int, quorum: int | None) -> ProposalResult:
    return ProposalResult("1", "t", OTHER_SEAT, "ordinary", "Active", 0, 0, quorum, for_ + abstain,
                          [TierResult("founding", for_, against, abstain, 1, 1)])


def _bars(svg: str) -> list[tuple[str, str, float, float, float]]:
    """(row, support, y, left, right) of every bar segment."""
    return [(row, support, float(y), float(x), float(x) + float(w)) for support, x, y, w, row in re.findall(
        r'<rect class="(\w+)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"[^>]* data-row="([^"]+)"', svg)]


def test_the_quorum_is_drawn_against_what_counts_toward_it():
    """for 1, against 10, quorum 5: no bar that crosses the quorum line may hold against votes."""
    from orchestrator.web import charts
    svg = str(charts.tallies(_result(1, 10, 0, 5)))
    line = re.search(r'<line class="quorum" x1="([\d.]+)" y1="([\d.]+)" x2="[\d.]+" y2="([\d.]+)"', svg)
    quorum_x, top, bottom = (float(v) for v in line.groups())
    crossed = [(row, support) for row, support, y, _, _ in _bars(svg) if top <= y <= bottom]
    assert crossed == [("quorum", "for")]  # the line is drawn across the quorum's own bar: for + abstain only
    assert all(right < quorum_x for row, _, _, _, right in _bars(svg) if row == "quorum")  # 1 of 5: short of it
    assert [(row, support) for row, support, *_ in _bars(svg)] == [
        ("founding", "for"), ("founding", "against"), ("all tiers", "for"), ("all tiers", "against"),
        ("quorum", "for")]
    assert "toward the quorum" in svg and "quorum 5: 1 counted (for + abstain), not reached" in svg
    assert "quorum 5: 6 counted (for + abstain), reached" in str(charts.tallies(_result(1, 10, 5, 5)))
    assert [(row, support) for row, support, *_ in _bars(str(charts.tallies(_result(2, 3, 4, None))))] == [
        ("founding", "for"), ("founding", "abstain"), ("founding", "against"), ("all tiers", "for"),
        ("all tiers", "abstain"), ("all tiers", "against"), ("quorum", "for"), ("quorum", "abstain")]


# ───── 4. Markdown ─────

def test_a_description_too_long_to_render_is_shown_as_escaped_text_at_once():
    """Any member who may propose: a 900 KB description cost every view of its page 15 s of CPU."""
    from orchestrator.web.dashboard import MAX_MARKDOWN, markdown
    long = "*" * 450_000 + "<script>x</script>" + "*" * 450_000
    html = str(markdown(long))
    assert html.startswith(f'<p class="unrendered">This description is {len(long):,} characters long, more than the '
                           f'{MAX_MARKDOWN:,} the page renders as Markdown: it is shown as plain text.</p>'
                           '<pre>***')
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html
    assert str(markdown("*a*" + " " * (MAX_MARKDOWN - 3))).startswith("<p><em>a</em>")  # at the limit: rendered


def test_markdown_shows_no_image_and_names_every_links_host():
    from orchestrator.web.dashboard import link_host, markdown
    assert link_host("HTTPS://b%C3%BCcher.example:8443/x") == "xn--bcher-kva.example:8443"
    html = str(markdown("![logo](data:image/png;base64,AAAA) ![x](https://evil.example/p.png) "
                        "[the official relayer](https://evil.example/relay) <https://relay.example/x>"))
    assert "<img" not in html
    assert ('<a href="https://evil.example/relay" rel="nofollow noopener noreferrer">the official relayer</a> '
            '<span class="host">(evil.example)</span>') in html
    assert ('<a href="https://relay.example/x" rel="nofollow noopener noreferrer">https://relay.example/x</a> '
            '<span class="host">(relay.example)</span>') in html
    assert "logo" in html  # the image's alt text (a data: URL is no link: it stays text)
    assert re.search(r'</a> <span class="host">\(xn--bcher-kva\.example\)</span>',
                     str(markdown("[the relayer](https://bücher.example/)")))  # a look-alike name in punycode
    assert '<span class="host">(evil.example)</span>' in str(markdown("[x](https://relay.example@evil.example/)"))
    assert 'href="data:' not in html and 'href="javascript:' not in str(markdown("[x](javascript:alert(1))"))


def test_pages_allow_images_from_the_dashboard_only():
    from orchestrator.web.templating import SECURITY_HEADERS
    policy = dict(d.strip().split(" ", 1) for d in SECURITY_HEADERS["Content-Security-Policy"].split(";"))
    assert policy["img-src"] == "'self'"


# ───── advisories ─────

def test_every_advisory_status_has_its_words_on_the_pages():
    from orchestrator.observers.advisories import statuses
    from orchestrator.web.dashboard import ADVISORY_STATUS
    assert sorted(ADVISORY_STATUS) == sorted(statuses())  # a status the contract adds is not shown by a fallback


@pytest.mark.parametrize(("uri", "shown"), [
    ("https://evidence.example/a?b=1&c=2", '<a href="https://evidence.example/a?b=1&amp;c=2" rel="nofollow noopener '
     'noreferrer">https://evidence.example/a?b=1&amp;c=2</a> <span class="host">(evidence.example)</span>'),
    ("HTTPS://bücher.example/x", '<a href="HTTPS://bücher.example/x" rel="nofollow noopener noreferrer">'
     'HTTPS://bücher.example/x</a> <span class="host">(xn--bcher-kva.example)</span>'),
    ("ipfs://bafy-evidence", '<a href="ipfs://bafy-evidence" rel="nofollow noopener noreferrer">ipfs://bafy-evidence'
     '</a>'),
    ("javascript:alert(1)", '<code class="uri">javascript:alert(1)</code>'),
    (" javascript:alert(1)", '<code class="uri"> javascript:alert(1)</code>'),
    ("data:text/html,<script>alert(1)</script>",
     '<code class="uri">data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</code>'),
    ("ipfs://", '<code class="uri">ipfs://</code>'),
    ("https:///no-host", '<code class="uri">https:///no-host</code>'),
    ("http://[::1", '<code class="uri">http://[::1</code>'),  # not a URL urlsplit takes
    ("/relative/path", '<code class="uri">/relative/path</code>'),
    ('https://e.example/"><script>', '<a href="https://e.example/&#34;&gt;&lt;script&gt;" rel="nofollow noopener '
     'noreferrer">https://e.example/&#34;&gt;&lt;script&gt;</a> <span class="host">(e.example)</span>'),
])
def test_evidence_is_linked_only_to_web_pages_and_ipfs(uri, shown):
    from orchestrator.web.dashboard import evidence_link
    assert str(evidence_link(uri)) == shown


@pytest.mark.parametrize(("subject", "key"), [
    ("0xAbCdEf0123456789aBcDeF0123456789AbCdEf01", "0xabcdef0123456789abcdef0123456789abcdef01"),
    ("eip155:1:0xAbCdEf0123456789aBcDeF0123456789AbCdEf01", "eip155:1:0xabcdef0123456789abcdef0123456789abcdef01"),
    ("eip155:1:0xAbCdEf0123456789aBcDeF0123456789AbCdEf0", "eip155:1:0xAbCdEf0123456789aBcDeF0123456789AbCdEf0"),
    ("bip122:000000000019d6689c085ae165831e93:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
     "bip122:000000000019d6689c085ae165831e93:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),  # base58 is case-sensitive
    ("Bitex Ltd", "Bitex Ltd"),
    ("Bitex Ltd 0xAbCdEf0123456789aBcDeF0123456789AbCdEf01", "Bitex Ltd 0xAbCdEf0123456789aBcDeF0123456789AbCdEf01"),
])
def test_an_advisorys_subject_matches_exactly_but_for_a_0x_addresss_case(subject, key):
    from orchestrator.observers.indexer.derived import subject_key
    assert subject_key(subject) == key


def test_a_page_of_advisories_takes_two_queries_however_many_it_shows(url):
    from orchestrator.observers.advisories import Advisories, AdvisoryFilter
    from orchestrator.observers.indexer.schema import advisories, advisory_changes
    blank = {"status": None, "old_status": None, "by_account": None, "revision": None, "severity": None,
             "old_severity": None, "reply_index": None, "by_subject": None, "uri": "", "content_hash": None, "text": ""}
    with engine(url).begin() as db:
        rows = Rows(db)
        for n in range(1, 61):
            rows.derived(advisories, 50, advisory_id=n, filer=7, kind="scam", severity="low", subject=f"s{n}",
                         subject_key=f"s{n}", subject_hash="0x" + "00" * 32, subject_account=None, summary="",
                         evidence_uri="ipfs://e", evidence_hash="0x" + "11" * 32)
            if n % 2:
                rows.derived(advisory_changes, 51, advisory_id=n, **{**blank, "change": "status",
                                                                      "status": "published", "old_status": "pending"})
                rows.derived(advisory_changes, 52, advisory_id=n, **{**blank, "change": "updated", "revision": 1,
                                                                      "severity": "high", "old_severity": "low"})
                rows.derived(advisory_changes, 53, advisory_id=n, **{**blank, "change": "replied",
                                                                      "reply_index": 0, "by_subject": 0})
    obs = Observatory(url)
    obs.identities  # noqa: B018  (names are read once per head block)
    seen = _counting(obs)
    page = Advisories(obs).page(AdvisoryFilter(statuses=("published",), severities=("high",)), 1, 50)
    assert len(seen) == 2, seen  # its total and its rows
    assert (page.total, [a["id"] for a in page.items][:3]) == (30, [59, 57, 55])
    assert {(a["status"], a["severity"], a["revision"], a["reply_count"], a["decided_at"], a["updated_at"])
            for a in page.items} == {("published", "high", 1, 1, _at(51), _at(52))}
    pending = Advisories(obs).page(AdvisoryFilter(statuses=("pending",)), 2, 20)
    assert (pending.total, [a["id"] for a in pending.items][:2]) == (30, [20, 18])
