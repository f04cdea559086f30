"""Real local HTTP servers for the status tests: targets that go down and come back, and webhook
receivers that record what they are sent (and may refuse the first deliveries)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server:
    def __init__(self) -> None:
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def start(self) -> _Server:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join(5)
            self._server = None

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class Target(_Server):
    """Answers GET /ready with ``status`` (200 until told otherwise); ``stop()`` makes it unreachable."""

    def __init__(self) -> None:
        super().__init__()
        self.status = 200
        self.hits = 0

    def handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with owner.lock:
                    owner.hits += 1
                body = json.dumps({"status": "ready" if owner.status == 200 else "broken"}).encode()
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler


class Receiver(_Server):
    """A webhook receiver: records every POST (path, JSON body) and answers 500 to the first
    ``fail_first`` of them, 204 afterwards."""

    def __init__(self, fail_first: int = 0) -> None:
        super().__init__()
        self.fail_first = fail_first
        self.attempts: list[tuple[str, Any]] = []
        self.accepted: list[tuple[str, Any]] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"null")
                with owner.lock:
                    owner.attempts.append((self.path, body))
                    refuse = len(owner.attempts) <= owner.fail_first
                    if not refuse:
                        owner.accepted.append((self.path, body))
                self.send_response(500 if refuse else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler

    def bodies(self, path: str) -> list[Any]:
        with self.lock:
            return [body for p, body in self.accepted if p == path]
