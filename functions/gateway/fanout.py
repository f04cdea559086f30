"""``GET /admin/metrics``: every function's admin metrics, fetched in parallel and merged.

The gateway checks the token and the ``admin`` role itself (each function checks them again) and
asks, at the same time, users ``/admin/metrics/users``, music ``/admin/metrics/content``, feedback
``/admin/metrics/feedback`` and payments ``/admin/metrics/payments``, through the same connection
pools and timeouts as the proxy, passing on the caller's ``Authorization``, ``X-Request-Id`` and
``traceparent``. ``from``/``to`` go to the first three, ``days`` to payments.

The answer is always 200: ``{"users": {...}, "content": {...}, "feedback": {...}, "payments":
{...}, "unavailable": [...], "errors": {...}}``. A function that is not configured, cannot be
reached, times out or answers anything but 200 has ``null`` as its part, is named in
``unavailable`` and ``errors`` says why (``{"status": 500}`` or ``{"error": "upstream_timeout"}``).
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import g, request

from functions.gateway.proxy import Upstreams, send
from spotifiuby.errors import ApiError, Forbidden, Unauthorized, ValidationFailed
from spotifiuby.observability import log

logger = logging.getLogger("spotifiuby.gateway")


@dataclass(frozen=True)
class Part:
    key: str  # the part's name in the merged answer
    upstream: str  # the function that has it
    path: str
    params: tuple[str, ...]  # the query parameters it takes


PARTS = (
    Part("users", "users", "/admin/metrics/users", ("from", "to")),
    Part("content", "music", "/admin/metrics/content", ("from", "to")),
    Part("feedback", "feedback", "/admin/metrics/feedback", ("from", "to")),
    Part("payments", "payments", "/admin/metrics/payments", ("days",)),
)
ACCEPTED = frozenset(name for part in PARTS for name in part.params)


def admin_metrics(upstreams: Upstreams) -> dict[str, Any]:
    """The view (the gateway's ``_admit`` has already read the token into ``g``)."""
    g.route = "/admin/metrics"
    if g.token_error is not None:
        raise g.token_error
    if g.claims is None:
        raise Unauthorized()
    if g.claims.role != "admin":
        raise Forbidden("Only an admin may read the metrics.", code="admin_required")
    unknown = set(request.args) - ACCEPTED
    if unknown:
        raise ValidationFailed(details={name: ["Unknown field."] for name in sorted(unknown)})
    headers = {
        "Authorization": request.headers["Authorization"],
        "X-Request-Id": g.request_id,
        "traceparent": g.trace.traceparent,
        "Accept": "application/json",
    }
    query = {name: value for name, value in request.args.items()}
    with ThreadPoolExecutor(max_workers=len(PARTS)) as executor:
        results = list(executor.map(lambda part: fetch(upstreams, part, headers, query), PARTS))
    merged: dict[str, Any] = {}
    errors: dict[str, dict[str, Any]] = {}
    for part, (body, error) in zip(PARTS, results, strict=True):
        merged[part.key] = body
        if error is not None:
            errors[part.upstream] = error
    merged["unavailable"] = sorted(errors)
    merged["errors"] = errors
    return merged


def fetch(
    upstreams: Upstreams, part: Part, headers: dict[str, str], query: dict[str, str]
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """``(body, None)`` on a 200 JSON object, else ``(None, why)``."""
    upstream = upstreams.get(part.upstream)
    if upstream is None:
        return None, {"error": "not_configured"}
    params = {name: query[name] for name in part.params if name in query}
    target = f"{part.path}?{urlencode(params)}" if params else part.path
    try:
        response = send(upstream, "GET", target, headers, None)
        try:
            data = response.read()
        finally:
            response.release_conn()
    except ApiError as exc:  # send() logged the failure already
        return None, {"error": exc.code}
    except Exception as exc:  # a broken answer mid-body
        _warn(part, type(exc).__name__)
        return None, {"error": "bad_gateway"}
    if response.status != 200:
        _warn(part, f"status {response.status}")
        return None, {"status": response.status}
    try:
        body = json.loads(data)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        _warn(part, "not_json")
        return None, {"error": "bad_gateway"}
    return body, None


def _warn(part: Part, error: str) -> None:
    log(logger, logging.WARNING, "admin metrics part failed", upstream=part.upstream, error=error)
