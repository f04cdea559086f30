"""Real local upstreams for the gateway tests: WSGI apps served in a thread, and raw TCP servers.

The echo app answers with what it received (method, raw path, raw query, headers, body); its
query parameters make it misbehave on purpose: ``sleep`` (seconds before answering), ``stream``
(chunks of ``CHUNK`` bytes, the rest held until the test opens the named ``gate``), ``status``,
``empty`` (that status with no body and no Content-Type).
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CHUNK = 64 * 1024


class Gate:
    """Holds a streamed answer after its first chunk until the test opens it."""

    def __init__(self) -> None:
        self.opened = threading.Event()
        self.finished = threading.Event()


GATES: dict[str, Gate] = {}
OPENAPI_HITS: list[float] = []
ECHO_OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "echo", "version": "1"},
    "paths": {
        "/users/{id}": {"get": {"summary": "one user", "responses": {"200": {"description": "ok"}}}},
        "/internal/only": {"get": {"summary": "not routed", "responses": {"200": {"description": "ok"}}}},
    },
    "components": {"schemas": {"Error": {"type": "object"}}},
}


def echo_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    request = Request(environ)
    if request.path == "/openapi.json":
        OPENAPI_HITS.append(time.monotonic())
        return Response(json.dumps(ECHO_OPENAPI), content_type="application/json")(environ, start_response)
    if "sleep" in request.args:
        time.sleep(float(request.args["sleep"]))
    if "stream" in request.args:
        gate = GATES[request.args["gate"]]
        return Response(_stream(int(request.args["stream"]), gate), content_type="audio/mpeg")(
            environ, start_response
        )
    if "empty" in request.args:  # no body and no Content-Type, as a 204 answers
        response = Response(status=int(request.args["empty"]))
        del response.headers["Content-Type"]
        return response(environ, start_response)
    body = request.get_data()
    answer = {
        "method": request.method,
        "path": request.path,
        "raw_uri": environ.get("RAW_URI"),
        "query": environ.get("QUERY_STRING", ""),
        "headers": {name.lower(): value for name, value in request.headers.items()},
        "body_b64": base64.b64encode(body).decode(),
    }
    response = Response(json.dumps(answer), status=int(request.args.get("status", 200)))
    response.content_type = "application/json"
    response.headers.add("Set-Cookie", "a=1")
    response.headers.add("Set-Cookie", "b=2")
    response.headers["Access-Control-Allow-Origin"] = "*"  # the gateway alone answers for CORS
    response.headers["Keep-Alive"] = "timeout=5"
    return response(environ, start_response)


def _stream(chunks: int, gate: Gate) -> Iterator[bytes]:
    yield b"a" * CHUNK
    gate.opened.wait(10)
    for _ in range(chunks - 1):
        yield b"b" * CHUNK
    gate.finished.set()


@contextlib.contextmanager
def serve_wsgi(app: Callable[..., Any]) -> Iterator[str]:
    """``app`` on a real HTTP server on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


class RawServer:
    """A TCP server that does not speak HTTP properly; counts the connections it accepts."""

    def __init__(self, handle: Callable[[socket.socket], None]) -> None:
        self.accepted = 0
        self._handle = handle
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self.accepted += 1
            with connection:
                self._handle(connection)

    def close(self) -> None:
        self._socket.close()


def hang_up(connection: socket.socket) -> None:
    """Accept, then close before answering (like a pod going away)."""


def garbage(connection: socket.socket) -> None:
    connection.recv(65536)
    connection.sendall(b"this is not http\r\n\r\n")


def closed_port_url() -> str:
    """A local URL nothing listens on: connecting is refused."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
