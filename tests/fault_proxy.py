"""A loopback JSON-RPC proxy in front of a node that injects faults, for the fault-injection tests.

Faults, each counted in `injected`:
- `http_error`: an HTTP 503, as a provider's overloaded gateway answers;
- `reset`: the connection closed without an answer;
- `timeout`: no answer before the client's timeout (the proxy holds the request, then closes);
- `range_limit`: eth_getLogs over more than one block refused the way hosted providers refuse wide
  ranges ("query exceeds max block range").

Which request gets which fault follows a fixed cycle per kind of request, so a run is reproducible.
`hold(method, forward)` also stops the next request for `method` in the proxy (after forwarding it to
the node, if `forward`) until `release()`, so a test can kill a client at a known point.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RANGE_REFUSAL = {"code": -32005, "message": "query exceeds max block range 1"}


@dataclass
class Hold:
    method: str
    forward: bool
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)


class FaultyRPC:
    def __init__(self, upstream: str, faults: list[str] = (), log_faults: list[str] = (), timeout: float = 1.0):
        """`faults`: the cycle applied to requests (`ok` passes one through); `log_faults`: the cycle for
        eth_getLogs requests that span more than one block; `timeout`: the clients' timeout."""
        self.upstream, self.timeout = upstream, timeout
        self._faults = itertools.cycle(faults or ["ok"])
        self._log_faults = itertools.cycle(log_faults or ["ok"])
        self._lock = threading.Lock()
        self._hold: Hold | None = None
        self.injected: Counter = Counter()
        self.forwarded = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def hold(self, method: str, forward: bool) -> Hold:
        with self._lock:
            self._hold = Hold(method, forward)
            return self._hold

    def release(self) -> None:
        with self._lock:
            hold, self._hold = self._hold, None
        if hold:
            hold.released.set()

    def quiet(self) -> None:
        """No more faults from now on."""
        with self._lock:
            self._faults, self._log_faults = itertools.cycle(["ok"]), itertools.cycle(["ok"])

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def _decide(self, request) -> tuple[str, Hold | None]:
        with self._lock:
            method = request.get("method") if isinstance(request, dict) else None
            if self._hold and method == self._hold.method and not self._hold.arrived.is_set():
                self._hold.arrived.set()
                return "hold", self._hold
            if method == "eth_getLogs" and _span(request) > 1:
                fault = next(self._log_faults)
                if fault != "ok":
                    return fault, None
            return next(self._faults), None

    def _forward(self, body: bytes) -> bytes:
        request = urllib.request.Request(self.upstream, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            self.forwarded += 1
            return response.read()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fault, hold = proxy._decide(json.loads(body))
                if fault == "hold":
                    if hold.forward:
                        proxy._forward(body)
                    hold.released.wait(120)
                    self.close_connection = True  # the client was killed meanwhile: nobody to answer
                    return
                if fault != "ok":
                    proxy.injected[fault] += 1
                if fault == "http_error":
                    return self._reply(503, b"Service Unavailable")
                if fault == "reset":
                    self.close_connection = True
                    return
                if fault == "timeout":
                    time.sleep(proxy.timeout + 0.5)
                    self.close_connection = True
                    return
                if fault == "range_limit":
                    request = json.loads(body)
                    return self._reply(200, json.dumps({"jsonrpc": "2.0", "id": request.get("id"),
                                                        "error": RANGE_REFUSAL}).encode())
                try:
                    answer = proxy._forward(body)
                except OSError:  # the node is down: the client sees what a dead provider gives
                    self.close_connection = True
                    return
                self._reply(200, answer)

            def _reply(self, status: int, payload: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, fmt, *args):
                pass

        return Handler


def _span(request: dict) -> int:
    params = (request.get("params") or [{}])[0]
    try:
        return int(params["toBlock"], 16) - int(params["fromBlock"], 16) + 1
    except (KeyError, TypeError, ValueError):
        return 0
