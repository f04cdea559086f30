"""The gateway function: the only public entry. It authenticates, limits and routes every request.

Per request, in order: client address (ProxyFix), CORS preflight (answered here), rate limit, route
match (404/405), token check (401), body size (413), then the function answers through the proxy.
``/health``, ``/ready`` and ``/metrics`` are the gateway's own (functions' ``/metrics`` are never
routed); ``/openapi.json`` and ``/docs`` serve the merged API document; ``/admin/metrics`` merges
every function's admin metrics (fanout.py).
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, g, request

from functions.gateway.limits import Cors, RateLimiter, client_of, request_body
from functions.gateway.proxy import Upstreams, forward, target_of, upstream_headers
from functions.gateway.routes import ADMIN_METRICS, ROUTES, Route, RouteTable
from spotifiuby.app import create_function_app
from spotifiuby.config import Settings
from spotifiuby.errors import ApiError, NotFound, ServiceUnavailable, TooManyRequests, Unauthorized
from spotifiuby.tokens import AccessClaims, TokenService, bearer_token

PROXY_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
NOT_RATE_LIMITED = frozenset({"health", "ready"})  # probes


@dataclass
class Gateway:
    settings: Settings
    tokens: TokenService
    routes: RouteTable
    upstreams: Upstreams
    limiter: RateLimiter
    cors: Cors
    openapi_cache: Any = field(default=None)  # docs.DocumentCache, made on first /openapi.json


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = create_function_app("gateway", [], settings, database=False, needs=("metrics_token",))
    gateway = Gateway(
        settings=settings,
        tokens=app.extensions["spotifiuby"].tokens,
        routes=RouteTable(ROUTES),
        upstreams=Upstreams(settings),
        limiter=RateLimiter(per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst),
        cors=Cors(settings.cors_origins),
    )
    app.extensions["gateway"] = gateway
    app.before_request(_admit)
    app.after_request(_finish)

    app.view_functions["metrics"] = guarded_metrics(app.view_functions["metrics"], settings)
    app.view_functions["openapi"] = _openapi
    app.add_url_rule("/docs", "docs", _docs_page)
    app.add_url_rule("/docs/<path:asset>", "docs_asset", _docs_asset)
    app.add_url_rule(ADMIN_METRICS, "admin_metrics", _admin_metrics)
    for rule in ("/", "/<path:path>"):
        app.add_url_rule(rule, "proxy", _proxy, methods=PROXY_METHODS, provide_automatic_options=False)
    return app


def _gateway() -> Gateway:
    from flask import current_app

    return current_app.extensions["gateway"]


def _admit() -> Response | None:
    """Before routing: who the client is, CORS preflight, rate limit."""
    gateway = _gateway()
    g.client = client_of(request.environ, gateway.settings.trusted_proxy_hops)
    if Cors.is_preflight(request):
        g.route = "preflight"
        return gateway.cors.preflight(request.headers["Origin"])
    g.claims, g.token_error = _identify(gateway.tokens)
    if g.claims is not None:
        g.user_id = g.claims.user_id
    if request.endpoint in NOT_RATE_LIMITED:
        return None
    key = f"user:{g.claims.user_id}" if g.claims is not None else f"ip:{g.client.ip}"
    wait = gateway.limiter.take(key)
    if wait > 0:
        raise TooManyRequests(retry_after=math.ceil(wait))
    return None


def _identify(tokens: TokenService) -> tuple[AccessClaims | None, ApiError | None]:
    """The verified claims of the bearer token, or the 401 it deserves; (None, None) without one."""
    try:
        token = bearer_token(request.headers.get("Authorization"))
        return (tokens.verify(token), None) if token is not None else (None, None)
    except ApiError as error:
        return None, error


def _finish(response: Response) -> Response:
    return _gateway().cors.decorate(response, request.headers.get("Origin"))


def _proxy(path: str = "") -> Response:
    gateway = _gateway()
    g.route = "unmatched"
    match = gateway.routes.match(request.method, request.path)
    route = match.route
    g.route = route.pattern
    _authorize(route)
    limit = route.max_body_bytes or gateway.settings.max_body_bytes
    if isinstance(limit, str):
        limit = getattr(gateway.settings, limit)
    with request_body(request.environ, limit) as (body, length):
        upstream = gateway.upstreams.get(route.upstream)
        if upstream is None:
            raise ServiceUnavailable(f"The {route.upstream} function is not configured.")
        headers = upstream_headers(
            request,
            client=g.client,
            request_id=g.request_id,
            traceparent=g.trace.traceparent,
            content_length=length,
        )
        return forward(upstream, request.method, target_of(request), headers, body)


def _authorize(route: Route) -> None:
    if route.anonymous and not route.verify_token:
        return  # the Authorization header goes to the function untouched
    if g.token_error is not None:
        raise g.token_error
    if g.claims is None and not route.anonymous:
        raise Unauthorized()


def guarded_metrics(view: Callable[[], Any], settings: Settings) -> Callable[[], Any]:
    """``/metrics`` is public on the gateway: it needs ``Bearer <METRICS_TOKEN>`` when one is set; without
    one it is open in development and hidden (404) in production."""
    expected = f"Bearer {settings.metrics_token}".encode() if settings.metrics_token else None

    def metrics() -> Any:
        if expected is not None:
            supplied = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(supplied, expected):
                raise Unauthorized("The metrics token is required.")
        elif settings.production:
            raise NotFound()
        return view()

    return metrics


def _openapi() -> Any:
    from functions.gateway import docs

    gateway = _gateway()
    if gateway.openapi_cache is None:
        gateway.openapi_cache = docs.DocumentCache()
    return gateway.openapi_cache.get(lambda: docs.merged_openapi(gateway.upstreams, gateway.routes))


def _docs_page() -> Response:
    from functions.gateway import docs

    return docs.docs_page()


def _docs_asset(asset: str) -> Response:
    from functions.gateway import docs

    return docs.docs_asset(asset)


def _admin_metrics() -> Any:
    from functions.gateway import fanout

    return fanout.admin_metrics(_gateway().upstreams)
