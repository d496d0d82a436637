"""How our web apps are served: uvicorn, with the limits a public endpoint needs and uvicorn does not set
by default. Every answer to a bad request is a 4xx with a JSON reason, `{"error": "..."}`.

- A request must finish its headers within HEADER_TIMEOUT (uvicorn times out idle keep-alive connections,
  not a request that never finishes its headers: each would hold a connection forever).
- A body must arrive within BODY_TIMEOUT and hold at most the app's limit, whatever Content-Length says or
  whether it is sent chunked: the limit counts the bytes that arrive.
- A body may nest at most untrusted_json.MAX_DEPTH levels (400 beyond), counted before anything parses it, and
  its strings must be text (400 for half a surrogate pair escaped alone, `"\\ud800"`).
- At most MAX_CONNECTIONS at once; beyond, uvicorn answers 503 at once instead of queueing."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import h11
import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.protocols.http.h11_impl import H11Protocol

from orchestrator import untrusted_json
from orchestrator.errors import InputError, OrchestratorError

log = logging.getLogger(__name__)
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0
MAX_CONNECTIONS = 256


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class TimedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request headers are not complete within
    HEADER_TIMEOUT of it opening or of the previous response (answered 408 first)."""

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_timer()

    def connection_lost(self, exc) -> None:
        self._header_timer.cancel()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        previous = getattr(self, "_header_timer", None)
        if previous is not None:
            previous.cancel()
        self._header_timer = self.loop.call_later(HEADER_TIMEOUT, self._headers_overdue)

    def send_400_response(self, msg: str) -> None:
        """A request h11 cannot parse (a Content-Length that is not a number, say): JSON like every error."""
        body = b'{"error": "not a valid HTTP/1.1 request (its request line or headers are malformed)"}'
        headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"), h11.Data(data=body),
                      h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()

    def _headers_overdue(self) -> None:
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            body = b'{"error": "the request headers did not arrive in time"}'
            self.transport.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
                                 b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body))
            self.transport.close()


class BoundedBody:
    """ASGI middleware: reads a request's whole body, at most `max_bytes` of it within BODY_TIMEOUT, before the
    app sees it; 413 beyond the limit (announced or arriving), 408 when it stalls, 400 when it nests too deep or
    holds a string that is not text."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        announced = dict(scope["headers"]).get(b"content-length")
        if announced is not None and int(announced) > self.max_bytes:  # h11 has refused non-numbers already
            return await self._refuse(scope, receive, send, 413, f"the body is over {self.max_bytes} bytes")
        body, loop = bytearray(), asyncio.get_running_loop()
        deadline = loop.time() + BODY_TIMEOUT
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                return await self._refuse(scope, receive, send, 408, "the body did not arrive in time")
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                return await self._refuse(scope, receive, send, 413, f"the body is over {self.max_bytes} bytes")
            if not message.get("more_body"):
                break
        if untrusted_json.utf16_or_32(body):  # the app's parser would read it so, past the depth count
            return await error(400, f"the body is not JSON: {untrusted_json.UTF8_ONLY}")(scope, receive, send)
        if untrusted_json.depth(body) > untrusted_json.MAX_DEPTH:  # before any parser recurses into it
            return await error(400, f"the body nests deeper than {untrusted_json.MAX_DEPTH} levels")(
                scope, receive, send)
        if b"\\u" in body:  # an escape may be half a surrogate pair, which the app's str fields would take
            try:
                untrusted_json.loads(body)
            except untrusted_json.NotText as exc:
                return await error(400, f"the body is refused: {exc.msg}")(scope, receive, send)
            except ValueError:
                pass  # not JSON: the app says so
        delivered = False

        async def replay():
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope, receive, send, status: int, message: str) -> None:
        """Answer and close: the rest of the body, if the client goes on sending it, is not read."""
        response = error(status, message)
        response.headers["connection"] = "close"
        await response(scope, receive, send)


def app(title: str, description: str, ballot_errors: Callable[[list[dict]], str] | None = None) -> FastAPI:
    """A FastAPI app whose every error, ours or the framework's, is `{"error": "..."}` with a 4xx, or 503 when
    the node or the database fails us, or 500 for a bug (logged, never a dropped connection). A body that
    fails its model is explained by `ballot_errors` when given. No interactive docs pages (they load scripts
    from a CDN); the OpenAPI document is at /openapi.json."""
    api = FastAPI(title=title, description=description, version="1", docs_url=None, redoc_url=None)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            detail = "the body is not JSON (or not UTF-8)"
        return error(exc.status_code, detail)

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0]
        if first["type"] == "json_invalid":
            return error(400, "the body is not JSON")
        if first["loc"] and first["loc"][0] == "body":
            content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
            if content_type != "application/json" and not content_type.endswith("+json"):
                return error(415, "send the body as JSON, with Content-Type: application/json")
            if ballot_errors is not None:
                return error(422, ballot_errors(errors))
        where = ".".join(str(part) for part in first["loc"])
        return error(422, f"{where}: {first['msg'].removeprefix('Value error, ')}")

    @api.exception_handler(InputError)
    async def refused(_request: Request, exc: InputError) -> JSONResponse:
        return error(422, str(exc))

    @api.exception_handler(OrchestratorError)
    async def unavailable(_request: Request, exc: OrchestratorError) -> JSONResponse:
        return error(503, str(exc))

    @api.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error(500, "internal error (logged by the server)")

    return api


def config(asgi_app, max_body: int) -> uvicorn.Config:
    """How an app is served: within its body limit and, for an app whose `state.cors_origins` names origins
    (the relay API), answering those origins' browsers. CORS is the outermost layer, so that every answer a
    page can get carries it: the body limit's 413 and 408 and a bug's 500 included, whose reasons a page could
    not read otherwise."""
    served = BoundedBody(asgi_app, max_body)
    origins = getattr(getattr(asgi_app, "state", None), "cors_origins", None)
    if origins:
        served = CORSMiddleware(served, allow_origins=origins, allow_methods=["GET", "POST"],
                                allow_headers=["Content-Type"], max_age=600)
    return uvicorn.Config(served, http=TimedH11Protocol, lifespan="off",
                          limit_concurrency=MAX_CONNECTIONS, timeout_keep_alive=5, log_level="warning",
                          access_log=False, server_header=False)


def listening(host: str, port: int) -> socket.socket:
    """A bound, listening socket: the port is known (when 0 was asked) before serving starts."""
    try:
        return socket.create_server((host, port))
    except OSError as exc:
        raise OrchestratorError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(asgi_app, max_body: int, sock: socket.socket) -> None:
    """Serve until interrupted (Ctrl-C, SIGTERM): uvicorn handles the signal, drains connections, then raises
    it again for the program to stop as it would have; here it returns, so the caller can finish its work."""
    try:
        uvicorn.Server(config(asgi_app, max_body)).run(sockets=[sock])
    except KeyboardInterrupt:
        pass


@contextmanager
def running(asgi_app, max_body: int, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve in a background thread for as long as the block runs; yields the base URL (tests, the demo)."""
    sock = listening(host, port)
    server = uvicorn.Server(config(asgi_app, max_body))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.01)
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
