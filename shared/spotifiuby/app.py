"""The app factory every function uses, and the functions-framework dispatch.

``create_function_app(name, apis, settings)`` builds a Flask app with the function's routes plus
``/health``, ``/ready``, ``/metrics`` and ``/openapi.json``; the JSON error handler; the request id,
trace context, JSON log line and metrics of every request; and one database session per request.
A function's ``main.py`` builds it once at import and hands each request to it with ``dispatch``.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import flask
from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from spotifiuby import tracing
from spotifiuby.api import Api, Operation, openapi_document
from spotifiuby.config import Settings
from spotifiuby.errors import (
    ApiError,
    BadRequest,
    NotFound,
    UnsupportedMediaType,
    ValidationFailed,
    from_status,
)
from spotifiuby.observability import (
    LATENCY,
    REQUESTS,
    configure_logging,
    log,
    record_cold_start,
    register_pool,
    request_id_from,
    trace_from,
)
from spotifiuby.schemas import load
from spotifiuby.tokens import TokenService

logger = logging.getLogger("spotifiuby.request")


@dataclass
class FunctionContext:
    name: str
    settings: Settings
    tokens: TokenService
    database: Any  # spotifiuby.db.Database, or None for a function without a database
    openapi: dict[str, Any] | None = None


def context() -> FunctionContext:
    return flask.current_app.extensions["spotifiuby"]


def db_session() -> Any:
    """The request's database session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        g.db_session = context().database.sessions()
    return g.db_session


def create_function_app(
    name: str,
    apis: Iterable[Api],
    settings: Settings | None = None,
    *,
    database: bool = True,
    needs: tuple[str, ...] = (),
) -> Flask:
    settings = settings or Settings.from_env()
    settings.check_production(needs=needs, database=database)
    configure_logging(settings.log_level)

    app = Flask(name)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    db = None
    if database:
        from spotifiuby.db import Database

        db = Database(settings)
        register_pool(name, db)
    ctx = FunctionContext(name=name, settings=settings, tokens=TokenService(settings), database=db)
    app.extensions["spotifiuby"] = ctx

    operations = [op for api in apis for op in api.operations]
    for op in operations:
        app.add_url_rule(op.rule, endpoint=f"{op.method} {op.rule}", view_func=_view(op), methods=[op.method])
    _add_builtin_routes(app, ctx, operations)

    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_close_session)
    app.register_error_handler(Exception, _error_response)
    tracing.setup(name, app, db.engine if db is not None else None)
    record_cold_start(name)
    return app


MAX_ID = 2**31 - 1


def dispatch(app: Flask, outer_request: flask.Request) -> Response:
    """Hand a functions-framework request to the function's own app, reusing the request object."""
    with flask.ctx.RequestContext(app, outer_request.environ, request=outer_request):
        response = app.full_dispatch_request()
    # functions-framework's after-request hook reads whatever body is left unread into memory (a
    # 50 MB upload refused with 401 or 413 would be held whole); left unread, the WSGI server
    # discards it in small reads instead
    outer_request.stream = io.BytesIO()  # type: ignore[misc]
    return response


def _view(op: Operation) -> Callable[..., Any]:
    def view(**path_params: Any) -> Any:
        ctx = context()
        # integer path ids live in INTEGER columns (1 to 2**31-1): anything else names nothing and
        # must not reach the driver. Checked here, not in a URL converter, because werkzeug answers
        # 405 instead of 404 when a converter rejects a path that other methods also route.
        if any(isinstance(v, int) and not 1 <= v <= MAX_ID for v in path_params.values()):
            raise NotFound()
        kwargs: dict[str, Any] = dict(path_params)
        if op.auth != "none":
            from spotifiuby.auth import authenticate, require

            caller = authenticate(request, ctx.tokens, db_session())
            if op.auth in ("user", "admin"):
                caller = require(caller, admin=op.auth == "admin")
            g.user_id = caller.user_id if caller else None
            kwargs["caller"] = caller
        if op.query is not None:
            kwargs["query"] = load(op.query, request.args.to_dict())
        elif request.args:
            raise ValidationFailed(details={name: ["Unknown field."] for name in request.args})
        if op.body is not None:
            kwargs["body"] = load(op.body, _json_body())
        if "session" in op.wants:
            kwargs["session"] = db_session()
        if "settings" in op.wants:
            kwargs["settings"] = ctx.settings
        if "request" in op.wants:
            kwargs["request"] = request
        result = op.view(**{k: v for k, v in kwargs.items() if k in op.wants or k in path_params})
        if "db_session" in g:
            g.db_session.commit()
        if isinstance(result, Response):
            return result
        if op.status == 204:
            return Response(status=204)
        payload = op.response.dump(result) if op.response is not None else result
        return flask.jsonify(payload), op.status

    view.__name__ = op.view.__name__
    return view


def _json_body() -> Any:
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("The body must be JSON (Content-Type: application/json).")
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest("The body is not valid JSON.", code="malformed_json")
    return data


def _add_builtin_routes(app: Flask, ctx: FunctionContext, operations: list[Operation]) -> None:
    def health() -> Any:
        return {"status": "ok", "function": ctx.name}

    def ready() -> Any:
        if ctx.database is not None:
            try:
                ctx.database.ping()
            except Exception:
                logger.warning("database not reachable", exc_info=True)
                return {"status": "unavailable", "function": ctx.name}, 503
        return {"status": "ready", "function": ctx.name}

    def metrics() -> Any:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return Response(generate_latest(), content_type=CONTENT_TYPE_LATEST)

    def openapi() -> Any:
        if ctx.openapi is None:
            ctx.openapi = openapi_document(f"Spotifiuby {ctx.name}", operations)
        return ctx.openapi

    app.add_url_rule("/health", "health", health)
    app.add_url_rule("/ready", "ready", ready)
    app.add_url_rule("/metrics", "metrics", metrics)
    app.add_url_rule("/openapi.json", "openapi", openapi)


def _start_request() -> None:
    g.started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get("X-Request-Id"))
    g.trace = trace_from(request.headers.get("traceparent"))


def _finish_request(response: Response) -> Response:
    ctx = context()
    # the request object is shared with functions-framework's outer app, whose catch-all rule
    # stays on it when our routing fails
    matched = request.url_rule is not None and request.routing_exception is None
    # a view may name the route itself (the gateway's catch-all names the route-table pattern)
    route = g.get("route") or (request.url_rule.rule if matched else "unmatched")
    duration = time.perf_counter() - g.get("started", time.perf_counter())
    response.headers["X-Request-Id"] = g.get("request_id", "")
    REQUESTS.labels(ctx.name, route, request.method, str(response.status_code)).inc()
    LATENCY.labels(ctx.name, route, request.method).observe(duration)
    trace = g.get("trace")
    log(
        logger,
        logging.INFO,
        "request",
        function=ctx.name,
        request_id=g.get("request_id"),
        trace_id=trace.trace_id if trace else None,
        method=request.method,
        route=route,
        status=response.status_code,
        duration_ms=round(duration * 1000, 2),
        user_id=g.get("user_id"),
    )
    return response


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()  # rolls back whatever was not committed


def _error_response(exc: Exception) -> Response:
    if "db_session" in g:
        g.db_session.rollback()
    if isinstance(exc, HTTPException):
        error: ApiError = from_status(exc.code or 500)()
        if exc.code == 405:
            error.headers["Allow"] = ", ".join(exc.valid_methods or [])
    elif isinstance(exc, ApiError):
        error = exc
    else:
        logger.error(
            "unhandled exception", exc_info=exc, extra={"fields": {"request_id": g.get("request_id")}}
        )
        error = ApiError()
    response = flask.jsonify(error.body(g.get("request_id")))
    response.status_code = error.status
    response.headers.update(error.headers)
    return response
