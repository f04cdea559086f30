"""Forwarding a request to a function and streaming its answer back.

One urllib3 connection pool per upstream, created when the gateway starts. The method, path, query
string and body go upstream byte for byte; hop-by-hop headers and client-sent identity headers do
not. The answer streams back chunk by chunk, never held whole in memory.

Failures become the JSON errors of SPEC section 2:

- the connection cannot be made (refused, DNS failure) or is closed before any answer: one retry for
  an idempotent method whose body has not started to go (a function waking from zero), then 503
  ``upstream_unavailable``;
- connect or read timeout: 504 ``upstream_timeout`` (the read timeout bounds each wait for bytes,
  not the whole transfer, so a long audio stream is fine);
- an answer that is not HTTP: 502 ``bad_gateway``.

Once the status line has gone to the client a failure can only cut the stream short: the relay
re-raises so the server aborts the connection instead of ending the body as if it were complete.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import quote

import urllib3
from flask import Request, Response
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from functions.gateway.limits import Client
from spotifiuby.config import Settings, Upstream
from spotifiuby.errors import ApiError, BadGateway, GatewayTimeout, ServiceUnavailable
from spotifiuby.observability import log
from spotifiuby.tracing import client_span

logger = logging.getLogger("spotifiuby.gateway")

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_PAUSE = 0.2  # seconds before the one retry: lets a restarting endpoint come back
CHUNK = 64 * 1024

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# identity claims only a verified token may make, and the forwarding headers the gateway writes
IDENTITY_PREFIXES = (
    "x-user",
    "x-auth",
    "x-remote-user",
    "x-role",
    "x-email",
    "x-admin",
    "x-spotifiuby-",
    "x-internal-",
    "x-forwarded-",
)
# Host becomes the upstream's own (urllib3 sets it; Knative routes by it); Expect is the gateway's
# business with its client
SET_BY_GATEWAY = frozenset(
    {"host", "content-length", "expect", "forwarded", "x-real-ip", "x-request-id", "traceparent"}
)
# the WSGI server writes its own Server and Date, the app its X-Request-Id; Access-Control-* are
# dropped too, as the gateway alone answers for CORS
NOT_RELAYED = frozenset({"server", "date", "x-request-id"})


@dataclass(frozen=True)
class UpstreamPool:
    config: Upstream
    pool: urllib3.HTTPConnectionPool
    base_path: str

    @property
    def timeout(self) -> urllib3.Timeout:
        return urllib3.Timeout(connect=self.config.connect_timeout, read=self.config.read_timeout)


class Upstreams:
    """The configured functions, by name, each with its connection pool."""

    def __init__(self, settings: Settings) -> None:
        self._pools: dict[str, UpstreamPool] = {}
        for upstream in settings.upstreams:
            url = urllib3.util.parse_url(upstream.url)
            pool = urllib3.connection_from_url(upstream.url, maxsize=settings.threads, retries=False)
            self._pools[upstream.name] = UpstreamPool(upstream, pool, (url.path or "").rstrip("/"))

    def get(self, name: str) -> UpstreamPool | None:
        return self._pools.get(name)

    def __iter__(self) -> Iterator[UpstreamPool]:
        return iter(self._pools.values())


def target_of(request: Request) -> str:
    """Path and query as the client sent them (percent-encoding kept), for the upstream request line."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    path = raw.split("?", 1)[0] if raw.startswith("/") else quote(request.path)
    query = request.environ.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def upstream_headers(
    request: Request, *, client: Client, request_id: str, traceparent: str, content_length: int | None
) -> dict[str, str]:
    named_by_connection = _connection_tokens(request.headers.get("Connection", ""))
    headers = {
        name: value
        for name, value in request.headers.items()
        if not _dropped(name.lower(), named_by_connection)
        and name.lower() not in SET_BY_GATEWAY
        and not name.lower().startswith(IDENTITY_PREFIXES)
    }
    headers.update(
        {
            "X-Request-Id": request_id,
            "traceparent": traceparent,
            "X-Forwarded-For": client.ip,
            "X-Forwarded-Proto": client.proto,
            "X-Forwarded-Host": client.host,
        }
    )
    if content_length is not None:
        headers["Content-Length"] = str(content_length)
    return headers


def forward(
    upstream: UpstreamPool, method: str, target: str, headers: dict[str, str], body: IO[bytes] | None
) -> Response:
    """Send the request upstream and relay the answer as a streamed response."""
    with client_span(upstream.config.name, method, headers) as span:
        upstream_response = send(upstream, method, target, headers, body)
        span.set_attribute("http.status_code", upstream_response.status)
    relayed = _relayed_headers(upstream_response.headers)
    response = Response(_relay(upstream, upstream_response), status=upstream_response.status, headers=relayed)
    # the server closes the response once sent, or when the client goes: the connection goes back
    # then (a HEAD, 204 or 304 answer is never even iterated)
    response.call_on_close(lambda: _release(upstream_response))
    if not any(name.lower() == "content-type" for name, _ in relayed):
        del response.headers["Content-Type"]  # werkzeug's default would claim text/html
    return response


def send(
    upstream: UpstreamPool, method: str, target: str, headers: dict[str, str], body: IO[bytes] | None
) -> urllib3.BaseHTTPResponse:
    reader = _Body(body) if body is not None else None
    attempts = 2 if method in IDEMPOTENT else 1
    attempt = 1
    while True:
        try:
            return upstream.pool.urlopen(
                method,
                upstream.base_path + target,
                body=reader,
                headers=headers,
                retries=False,
                redirect=False,
                preload_content=False,
                decode_content=False,
                timeout=upstream.timeout,
            )
        except (NewConnectionError, ProtocolError) as exc:
            # NewConnectionError first: urllib3 makes it a subclass of ConnectTimeoutError
            _log_failure(upstream, method, exc, attempt)
            error = _classify(exc)
            retry = attempt < attempts and not (reader is not None and reader.started)
            if not isinstance(error, ServiceUnavailable) or not retry:
                raise error from None
        except (ConnectTimeoutError, ReadTimeoutError) as exc:
            _log_failure(upstream, method, exc, attempt)
            raise GatewayTimeout() from None
        except HTTPError as exc:
            _log_failure(upstream, method, exc, attempt)
            raise BadGateway() from None
        attempt += 1
        time.sleep(RETRY_PAUSE)


def _classify(exc: NewConnectionError | ProtocolError) -> ApiError:
    if isinstance(exc, NewConnectionError):
        return ServiceUnavailable()
    cause = exc.args[1] if len(exc.args) > 1 else None
    if isinstance(cause, TimeoutError):
        return GatewayTimeout()
    if isinstance(cause, ConnectionError):  # reset or closed before an answer
        return ServiceUnavailable()
    return BadGateway()


def _log_failure(upstream: UpstreamPool, method: str, exc: Exception, attempt: int) -> None:
    log(
        logger,
        logging.WARNING,
        "upstream failure",
        upstream=upstream.config.name,
        method=method,
        error=type(exc).__name__,
        cause=type(exc.args[1]).__name__ if len(exc.args) > 1 else None,
        attempt=attempt,
    )


class _Body:
    """The request body as urllib3 reads it, noting whether any of it has gone (then no retry)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.started = False

    def read(self, size: int = -1) -> bytes:
        self.started = True
        return self._stream.read(size)


def _relay(upstream: UpstreamPool, upstream_response: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    try:
        # read1: pass on whatever has arrived, not wait for a full chunk (live streams stay live)
        while chunk := upstream_response.read1(CHUNK, decode_content=False):
            yield chunk
    except HTTPError as exc:
        log(
            logger,
            logging.WARNING,
            "upstream stream broken",
            upstream=upstream.config.name,
            error=type(exc).__name__,
        )
        raise


def _release(upstream_response: urllib3.BaseHTTPResponse) -> None:
    """Give the connection back to the pool; one left mid-answer is closed first (not reusable)."""
    if not upstream_response.closed:
        upstream_response.close()
    upstream_response.release_conn()


def _connection_tokens(value: str) -> frozenset[str]:
    return frozenset(token.strip().lower() for token in value.split(",") if token.strip())


def _dropped(lower_name: str, named_by_connection: frozenset[str]) -> bool:
    return lower_name in HOP_BY_HOP or lower_name in named_by_connection


def _relayed_headers(headers: Any) -> list[tuple[str, str]]:
    named_by_connection = _connection_tokens(headers.get("Connection", ""))
    return [
        (name, value)
        for name, value in headers.items()
        if not _dropped(name.lower(), named_by_connection)
        and name.lower() not in NOT_RELAYED
        and not name.lower().startswith("access-control-")
    ]
