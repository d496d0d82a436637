"""The relay API and the dashboard as an attacker meets them, over real sockets on loopback: every bad
request gets a 4xx with a JSON reason (never a dropped connection or a traceback), slow clients are cut off,
the body limit cannot be bypassed, and nothing sent stops the server or loses a valid ballot."""

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator.web import dashboard, serving
from orchestrator.web import relay as relay_api
from tests.integration.conftest import Cli
from tests.integration.test_relayer import HOLDER, proposal_id, relayer_for, sign_only
from tests.postgres import postgres_server  # noqa: F401  (fixture postgres)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def chain(devnet, w3, tmp_path_factory, request):
    """One deployment and one active proposal per backend; each test votes with its own seats."""
    cli = Cli(devnet, tmp_path_factory.mktemp("http"), w3)
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres")
        cli.env["CONSORTIUM_DB"] = server.url(server.create_database())
    else:
        cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'relay.db'}"
    seats = {name: cli.wallet(name) for name in ("f1", "f2", "r1", "r2", "r3", "r4")}
    cli.deploy({seats["f1"]: "founding", seats["f2"]: "founding",
                **{seats[r]: "regular" for r in ("r1", "r2", "r3", "r4")}})
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "http", account="f1"))
    cli.advance(2)
    return cli, pid


@pytest.fixture(scope="module")
def served(chain):
    cli, _ = chain
    relayer = relayer_for(cli)
    with serving.running(relay_api.app(relayer), relay_api.MAX_BODY) as base:
        yield base, relayer


@pytest.fixture(scope="module")
def ballots_of(chain):
    cli, pid = chain
    return {name: json.loads(sign_only(cli, pid, name).read_text()) for name in ("f1", "f2", "r1", "r2", "r3")}


@pytest.fixture
def relay(served, ballots_of):
    """The server, the relayer, and a valid ballot no test submits (f1's: the malformed variants' source)."""
    base, relayer = served
    return base, relayer, ballots_of["f1"]


def post(base: str, body: bytes, content_type: str = "application/json") -> tuple[int, dict]:
    request = urllib.request.Request(f"{base}/ballots", data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def raw(base: str, request: bytes, wait: float = 10) -> tuple[int, dict]:
    """Send bytes as they are (malformed HTTP included); the status and JSON body of the answer."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_a_valid_ballot_in_every_number_form_is_accepted(served, ballots_of):
    """Hex chain id (what eth_chainId returns) and hex proposal id are what JSON-RPC users have at hand."""
    base, relayer = served
    ballot = ballots_of["r1"]
    hexed = {**ballot, "chain_id": hex(ballot["chain_id"]), "proposal_id": hex(int(ballot["proposal_id"]))}
    status, body = post(base, json.dumps(hexed).encode())
    assert (status, body["status"], body["voter"]) == (202, "accepted", ballot["voter"])
    assert post(base, json.dumps(ballot).encode()) == (422, {
        "error": f"the relayer already holds a ballot of member 3 on this proposal (from {ballot['voter']})"})
    short = ballots_of["r3"]  # and a 64-byte EIP-2098 signature
    signature = bytes.fromhex(short["signature"][2:])
    vs = ((signature[64] - 27) << 255) | int.from_bytes(signature[32:64], "big")
    eip2098 = "0x" + (signature[:32] + vs.to_bytes(32, "big")).hex()
    status, body = post(base, json.dumps({**short, "signature": eip2098}).encode())
    assert (status, body["status"]) == (202, "accepted")


@pytest.mark.parametrize("change, reason", [
    ({"proposal_id": -1}, "malformed ballot: proposal_id: Input should be greater than or equal to 0"),
    ({"proposal_id": str(2**256 + 5)}, "malformed ballot: proposal_id: Input should be less than or equal to"),
    ({"proposal_id": 2**256 + 5}, "malformed ballot: proposal_id: Input should be less than or equal to"),
    ({"support": 1.5}, "malformed ballot: support: expected 0 (against), 1 (for) or 2 (abstain)"),
    ({"support": True}, "malformed ballot: support: expected 0 (against), 1 (for) or 2 (abstain)"),
    ({"support": "1"}, "malformed ballot: support: expected 0 (against), 1 (for) or 2 (abstain)"),
    ({"chain_id": 31337.0}, "malformed ballot: chain_id: expected a whole number"),
    ({"voter": "0x1234"}, "malformed ballot: voter: '0x1234' is not an address"),
    ({"signature": "0xzz"}, "malformed ballot: signature: expected the signature as hex"),
    ({"signature": "0x" + "ab" * 2049}, "malformed ballot: signature: the signature is 2049 bytes; at most 2048"),
    ({"format": "other"}, "not a ballot: expected format 'consortium-ballot/1'"),
])
def test_malformed_fields_are_refused_naming_the_field(relay, change, reason):
    base, _, ballot = relay
    status, body = post(base, json.dumps({**ballot, **change}).encode())
    assert status == 422 and body["error"].startswith(reason), body


@pytest.mark.parametrize("body, status, reason", [
    (b"\xff\xfe{", 400, "the body is not JSON"),
    (b"{not json", 400, "the body is not JSON"),
    (b'{"proposal_id": 1e400}', 422, "not a ballot"),  # inf: parsed, then refused as a number
    (b'{"format": "consortium-ballot/1", "proposal_id": ' + b"9" * 5000 + b"}", 400, "the body is not JSON"),
    (b"[" * 30_000 + b"]" * 30_000, 400, "the body nests deeper than 64 levels"),
    (b'{"a": ' * 65 + b"1" + b"}" * 65, 400, "the body nests deeper than 64 levels"),
    (b"[" * 64 + b"]" * 64, 422, "not a ballot: expected format"),
    (b'["' + b"[" * 30_000 + b'"]', 422, "not a ballot: expected format"),
    (b"[" * 40_000 + b"]" * 40_000, 413, "the body is over 65536 bytes"),
    # UTF-16, which Python's parser also reads: U+2200 is the bytes 22 00, a '"' the depth count would see
    (('["\u2200", ' + "[" * 5_000 + "]" * 5_001).encode("utf-16-be"), 400,
     "the body is not JSON: JSON text is UTF-8 (RFC 8259)"),
    ("[]".encode("utf-16"), 400, "the body is not JSON: JSON text is UTF-8 (RFC 8259)"),
    (b"[]", 422, "not a ballot: expected format"),
    (b"null", 422, "not a ballot: expected format"),
], ids=["not UTF-8", "not JSON", "1e400", "5,000 digits", "30,000 nested arrays", "65 nested objects",
        "64 nested arrays", "30,000 brackets in a string", "80 KB", "UTF-16 hiding a quote", "UTF-16 with a BOM",
        "array", "null"])
def test_bodies_that_are_not_ballots_get_a_4xx_with_the_reason(relay, body, status, reason):
    base, _, _ = relay
    answer = post(base, body)
    assert answer[0] == status and answer[1]["error"].startswith(reason), answer


def test_a_string_that_is_half_a_surrogate_pair_is_a_400_not_a_500(relay):
    """Any outsider, no signature needed: `"reason": "\\ud800"` is valid JSON, parsed to a str that the ballot's
    digest could not encode (a 500). Escaped text, a whole surrogate pair included, still reaches the checks."""
    base, _, ballot = relay
    assert "reason" in ballot
    assert post(base, json.dumps({**ballot, "reason": "\ud800"}).encode()) == (400, {
        "error": "the body is refused: a string holds \\ud800, half of a UTF-16 surrogate pair alone: not text"})
    status, answer = post(base, json.dumps({**ballot, "reason": "caf\u00e9 \U0001f600"}).encode())
    assert status == 422 and answer["error"].startswith("the signature is not "), answer


def test_a_ballot_not_sent_as_json_is_refused_with_the_content_type_to_use(relay):
    base, _, ballot = relay
    assert post(base, json.dumps(ballot).encode(), "text/plain") == (
        415, {"error": "send the body as JSON, with Content-Type: application/json"})


@pytest.mark.parametrize("headers, status, reason", [
    (b"Content-Length: abc\r\n", 400, "not a valid HTTP/1.1 request"),
    (b"Content-Length: -1\r\n", 400, "not a valid HTTP/1.1 request"),
    (b"Content-Length: 70000\r\n", 413, "the body is over 65536 bytes"),
])
def test_content_length_cannot_bypass_the_limit_or_drop_the_connection(relay, headers, status, reason):
    base, _, _ = relay
    answer = raw(base, b"POST /ballots HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + headers
                 + b"\r\n{}")
    assert answer[0] == status and answer[1]["error"].startswith(reason), answer


def test_a_chunked_body_is_counted_as_it_arrives(relay):
    base, _, _ = relay
    chunk = b"a" * 40_000
    request = (b"POST /ballots HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
               b"\r\n\r\n" + (b"%x\r\n%s\r\n" % (len(chunk), chunk)) * 2 + b"0\r\n\r\n")
    assert raw(base, request) == (413, {"error": "the body is over 65536 bytes"})


def test_slow_clients_are_cut_off_with_408(relay, monkeypatch):
    monkeypatch.setattr(serving, "HEADER_TIMEOUT", 0.5)
    monkeypatch.setattr(serving, "BODY_TIMEOUT", 0.5)
    base, _, _ = relay
    started = time.monotonic()
    assert raw(base, b"POST /ballots HTTP/1.1\r\nHost: x\r\n") == (  # headers never finished
        408, {"error": "the request headers did not arrive in time"})
    assert raw(base, b"POST /ballots HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{") == (  # nor the body
        408, {"error": "the body did not arrive in time"})
    assert raw(base, b"") [0] == 408  # a connection that sends nothing at all
    assert time.monotonic() - started < 25  # the 0.5 s limits, not the 10 s defaults (30 s for the three), on any host


@pytest.mark.parametrize("path, status, reason", [
    ("/ballots/999999999999999999999", 422, "path.ballot_id: Input should be less than or equal to"),
    ("/ballots/0", 422, "path.ballot_id: Input should be greater than or equal to 1"),
    ("/ballots/-1", 422, "path.ballot_id: Input should be greater than or equal to 1"),
    ("/ballots/abc", 422, "path.ballot_id: Input should be a valid integer"),
    ("/ballots/12345", 404, "no ballot 12345"),
    ("/nowhere", 404, "Not Found"),
])
def test_bad_paths_get_a_4xx_with_the_reason(relay, path, status, reason):
    base, _, _ = relay
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}{path}", timeout=10)
    assert refused.value.code == status and json.loads(refused.value.read())["error"].startswith(reason)


def test_the_openapi_document_describes_the_ballot_and_its_errors(relay):
    base, _, _ = relay
    with urllib.request.urlopen(f"{base}/openapi.json", timeout=10) as response:
        document = json.loads(response.read())
    assert set(document["paths"]) == {"/ballots", "/ballots/{ballot_id}", "/typed-data", "/health",
                                      # sealed proposals (tests/integration/test_relay_sealed.py)
                                      "/commitments", "/commitments/{commitment_id}", "/reveals",
                                      "/reveals/{reveal_id}", "/typed-data/commitment", "/typed-data/salt",
                                      # elections (tests/integration/test_relay_elections.py)
                                      "/approvals", "/approvals/{approval_id}", "/typed-data/approval",
                                      "/elections/ballot"}
    post_op = document["paths"]["/ballots"]["post"]
    assert set(post_op["responses"]) == {"202", "400", "408", "413", "415", "422", "503"}
    ballot = document["components"]["schemas"]["BallotFile"]
    assert set(ballot["required"]) == {"format", "chain_id", "governor", "proposal_id", "voter", "support",
                                       "signature"}


def get_json(url: str, headers: dict | None = None) -> tuple:
    """(status, JSON body, headers) of a GET, 4xx included."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read()), refused.headers


def test_the_typed_data_to_sign_is_the_ballot_the_relayer_accepts(chain, served, ballots_of):
    """What a wallet page asks for is exactly what `vote --sign-only` signed: the same typed data, with the
    256-bit proposal id as a decimal string a browser cannot round."""
    _, pid = chain
    base, _ = served
    signed = ballots_of["r3"]
    query = urllib.parse.urlencode({"proposal_id": hex(int(pid)), "voter": signed["voter"].lower(), "support": 1})
    status, answer, _ = get_json(f"{base}/typed-data?{query}")
    assert status == 200 and answer["typed_data"] == signed["typed_data"]
    assert answer["typed_data"]["message"]["proposalId"] == pid
    from orchestrator.relay import ballots
    typed = {**answer["typed_data"], "message": {**answer["typed_data"]["message"], "proposalId": int(pid)}}
    assert answer["digest"] == "0x" + ballots.digest(typed).hex()


@pytest.mark.parametrize("query, reason", [
    ("voter=0x12&support=1&proposal_id=1", "query.voter: '0x12' is not an address"),
    (f"voter={HOLDER}&support=3&proposal_id=1", "query.support: Input should be less than or equal to 2"),
    (f"voter={HOLDER}&support=1&proposal_id=1.5", "query.proposal_id: expected a whole number"),
    (f"voter={HOLDER}&support=1", "query.proposal_id: Field required"),
])
def test_a_bad_typed_data_query_is_refused_naming_the_parameter(relay, query, reason):
    base, _, _ = relay
    status, answer, _ = get_json(f"{base}/typed-data?{query}")
    assert status == 422 and answer["error"].startswith(reason), answer


def test_a_page_on_another_origin_may_post_ballots_and_read_the_answer(relay):
    """The dashboard's voting page is served from another origin: the browser's preflight is answered, and
    every answer (a refusal's reason included) carries the header that lets the page read it."""
    base, _, ballot = relay
    origin = {"Origin": "https://dashboard.example"}
    preflight = urllib.request.Request(f"{base}/ballots", method="OPTIONS", headers={
        **origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    with urllib.request.urlopen(preflight, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in response.headers["Access-Control-Allow-Methods"]
    request = urllib.request.Request(f"{base}/ballots", data=json.dumps({**ballot, "support": 7}).encode(),
                                     headers={**origin, "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 422 and refused.value.headers["Access-Control-Allow-Origin"] == "*"
    assert get_json(f"{base}/ballots/999999", origin)[2]["Access-Control-Allow-Origin"] == "*"
    # The body limit answers before the app: its reason is readable too.
    too_big = urllib.request.Request(f"{base}/ballots", data=b" " * (relay_api.MAX_BODY + 1),
                                     headers={**origin, "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(too_big, timeout=10)
    assert refused.value.code == 413 and refused.value.headers["Access-Control-Allow-Origin"] == "*"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30)
FIELDS = ["format", "chain_id", "governor", "proposal_id", "voter", "support", "reason", "signature"]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_body_gets_a_json_answer_and_no_valid_ballot_is_lost_or_doubled(served, ballots_of, data):
    """Random JSON, random bytes, and a valid ballot with one field replaced by anything: each answered 202
    or 4xx with a reason, and the relayer never holds the ballot twice."""
    base, relayer = served
    ballot = ballots_of["f2"]
    kind = data.draw(st.sampled_from(["json", "bytes", "mutated"]))
    if kind == "json":
        body = json.dumps(data.draw(json_values)).encode()
    elif kind == "bytes":
        body = data.draw(st.binary(max_size=300))
    else:
        body = json.dumps({**ballot, data.draw(st.sampled_from(FIELDS)): data.draw(json_values)}).encode()
    status, answer = post(base, body)
    assert 400 <= status < 500 or (status == 202 and answer["voter"] == ballot["voter"]), (status, answer)
    assert 200 <= status < 300 or isinstance(answer["error"], str) and answer["error"]
    held = [relayer.store.find(int(ballot["proposal_id"]), ballot["voter"])]
    assert len([b for b in held if b is not None]) <= 1


def test_after_the_barrage_the_valid_ballot_is_taken_once(served, ballots_of):
    base, relayer = served
    ballot = ballots_of["r2"]
    for body in (b"\xff", b"[" * 20_000, b'{"support": true}', json.dumps({**ballot, "support": 1.5}).encode()):
        assert 400 <= post(base, body)[0] < 500
    assert post(base, json.dumps(ballot).encode())[0] == 202
    assert post(base, json.dumps(ballot).encode())[0] == 422
    relayer.submit()
    assert relayer.store.find(int(ballot["proposal_id"]), ballot["voter"]).status == "included"


# ───── the dashboard: read-only, the same limits ─────


@pytest.fixture(scope="module")
def board(chain):
    cli, _ = chain
    cli.ok("index")
    with serving.running(dashboard.app(cli.env["CONSORTIUM_DB"]), dashboard.MAX_BODY) as base:
        yield base


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(path=st.text(st.characters(min_codepoint=32, max_codepoint=126, blacklist_characters="?#%"), max_size=40))
def test_any_dashboard_path_gets_a_page_or_a_json_404(board, path):
    url = f"{board}/{urllib.request.quote(path)}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
    except urllib.error.HTTPError as refused:
        assert refused.code in (404, 422), refused.code
        assert json.loads(refused.read())["error"]


def test_the_dashboard_refuses_a_body_and_cuts_off_slow_clients(board, monkeypatch):
    monkeypatch.setattr(serving, "HEADER_TIMEOUT", 0.5)
    assert raw(board, b"GET /api/proposals HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello") == (
        413, {"error": "the body is over 0 bytes"})
    assert raw(board, b"GET / HTTP/1.1\r\nHost: x\r\n") == (
        408, {"error": "the request headers did not arrive in time"})
    assert raw(board, b"GET /proposals/99 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0] == 404


def test_32_concurrent_dashboard_clients_are_all_answered(board):
    """Before, each request built its own connection pool: PostgreSQL answered `too many clients already`
    and 7–22% of requests got no answer under 32 clients. Now one pool per process serves them all."""
    from concurrent.futures import ThreadPoolExecutor

    def fetch(i: int) -> int:
        path = ["/", "/api/proposals", "/members", "/api/members"][i % 4]
        with urllib.request.urlopen(f"{board}{path}", timeout=30) as response:
            return response.status
    with ThreadPoolExecutor(32) as clients:
        assert list(clients.map(fetch, range(256))) == [200] * 256


def test_a_reason_with_nul_bytes_and_backslashes_is_kept_and_counted(chain, served):
    """Before, such a ballot made the relayer's PostgreSQL connection fail (text cannot hold NUL there)."""
    cli, pid = chain
    base, relayer = served
    reason = "conflict\x00 of interest \\0 \\"
    ballot = json.loads(sign_only(cli, pid, "r4", "against", reason).read_text())
    status, body = post(base, json.dumps(ballot).encode())
    assert (status, body["status"]) == (202, "accepted"), body
    relayer.submit()
    stored = relayer.store.get(body["id"])
    assert (stored.status, stored.reason) == ("included", reason)
