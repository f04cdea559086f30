"""Cross-cutting limits of the gateway: who the client is, rate limit, body size and CORS.

The rate limit is a token bucket per client (the user id of a valid access token, else the client
IP), kept in this process's memory: each gateway instance counts on its own, so N instances let a
client through up to N times the configured rate. Memory is bounded: a bucket idle long enough to be
full again is dropped (it is the same as a new one), and past ``max_clients`` the least recently
used bucket goes.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from flask import Request, Response
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wsgi import get_content_length, get_input_stream

from spotifiuby.errors import Forbidden, PayloadTooLarge

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Client:
    """The client as the trusted proxies in front of the gateway describe it."""

    ip: str
    proto: str
    host: str


def client_of(environ: dict[str, Any], trusted_hops: int) -> Client:
    """Read the client through werkzeug's ProxyFix, trusting ``trusted_hops`` proxies' X-Forwarded-*."""
    seen: dict[str, Any] = {}

    def capture(fixed: dict[str, Any], _start_response: Any) -> list[bytes]:
        seen.update(fixed)
        return []

    hops = trusted_hops
    ProxyFix(capture, x_for=hops, x_proto=hops, x_host=hops)(dict(environ), None)
    return Client(
        ip=seen.get("REMOTE_ADDR") or "unknown",
        proto=seen.get("wsgi.url_scheme", "http"),
        host=seen.get("HTTP_HOST") or seen.get("SERVER_NAME", ""),
    )


class RateLimiter:
    """Token buckets: ``per_minute`` tokens a minute refill each bucket, which holds at most ``burst``."""

    def __init__(
        self,
        *,
        per_minute: int,
        burst: int,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key: (tokens, updated)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend a token of ``key``'s bucket: 0 when granted, else the seconds until one is due."""
        now = self._clock()
        with self._lock:
            tokens = self._level(self._buckets.pop(key, (self.burst, now)), now)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[key] = (tokens - 1 if tokens >= 1 else tokens, now)  # now most recently used
            self._evict(now)
        return wait

    def __len__(self) -> int:
        return len(self._buckets)

    def _level(self, bucket: tuple[float, float], now: float) -> float:
        tokens, updated = bucket
        return min(self.burst, tokens + (now - updated) * self.rate)

    def _evict(self, now: float) -> None:
        # oldest first: once the oldest bucket is not yet full, newer ones are not either
        while self._buckets:
            key, bucket = next(iter(self._buckets.items()))
            if len(self._buckets) > self.max_clients or self._level(bucket, now) >= self.burst:
                del self._buckets[key]
            else:
                break


@contextmanager
def request_body(environ: dict[str, Any], limit: int) -> Iterator[tuple[IO[bytes] | None, int | None]]:
    """The body to forward and its length, at most ``limit`` bytes (413 beyond).

    A ``Content-Length`` above the limit is refused before anything is read, and a body with one is
    streamed as it arrives. A chunked body is read into a spool file up to the limit (cut off with
    413 past it), then forwarded with its ``Content-Length``.
    """
    length = get_content_length(environ)
    if length is not None:
        if length > limit:
            raise PayloadTooLarge(details={"max_body_bytes": limit})
        yield (get_input_stream(environ) if length else None), length
    elif "wsgi.input_terminated" not in environ:
        yield None, None  # neither a length nor a chunked body: there is no body
    else:
        with tempfile.SpooledTemporaryFile(max_size=CHUNK * 16) as spool:
            stream, size = environ["wsgi.input"], 0
            while chunk := stream.read(min(CHUNK, limit + 1 - size)):
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(details={"max_body_bytes": limit})
                spool.write(chunk)
            spool.seek(0)
            yield spool, size


class Cors:
    """The CORS allow-list: exact origins (scheme, host and port), no wildcard."""

    allow_methods = "GET, HEAD, POST, PUT, PATCH, DELETE"
    allow_headers = "Authorization, Content-Type, Idempotency-Key, X-Request-Id, traceparent, tracestate"
    expose_headers = "X-Request-Id, Retry-After"
    max_age = "600"

    def __init__(self, origins: tuple[str, ...]) -> None:
        self.origins = frozenset(origins)

    @staticmethod
    def is_preflight(request: Request) -> bool:
        return (
            request.method == "OPTIONS"
            and "Origin" in request.headers
            and "Access-Control-Request-Method" in request.headers
        )

    def preflight(self, origin: str) -> Response:
        """The gateway's own answer to a preflight; ``decorate`` adds the origin headers."""
        if origin not in self.origins:
            raise Forbidden("This origin may not call the API.", code="cors_origin_denied")
        response = Response(status=204)
        del response.headers["Content-Type"]
        response.headers["Access-Control-Allow-Methods"] = self.allow_methods
        response.headers["Access-Control-Allow-Headers"] = self.allow_headers
        response.headers["Access-Control-Max-Age"] = self.max_age
        return response

    def decorate(self, response: Response, origin: str | None) -> Response:
        if self.origins:
            response.vary.add("Origin")
        if origin is not None and origin in self.origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = self.expose_headers
        return response
