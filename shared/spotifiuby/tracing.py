"""OpenTelemetry traces, exported over OTLP only when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set.

Without the variable ``setup`` returns at once and nothing from ``opentelemetry`` is imported, so a
function that is not traced pays nothing at cold start. With it, each function app gets its own
``TracerProvider`` (``service.name`` = the function's name; the other standard ``OTEL_*`` variables
such as ``OTEL_EXPORTER_OTLP_HEADERS``, ``OTEL_TRACES_SAMPLER`` or ``OTEL_RESOURCE_ATTRIBUTES`` are
honoured by the SDK) that batches spans to ``<endpoint>/v1/traces`` as protobuf over HTTP:

- a SERVER span per request, continuing the incoming W3C ``traceparent``; the request's
  ``g.trace`` (the trace id of the JSON log line) is then taken from this span, so both agree;
- a CLIENT span per upstream call of the gateway, whose context is the ``traceparent`` sent
  upstream, so the function's server span is its child and one client request is one trace;
- a CLIENT span per SQL statement, named by its first keyword; parameters are never recorded.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, current_app, g, request

from spotifiuby.observability import TraceContext

EXTENSION = "spotifiuby.tracing"


def enabled() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def setup(function_name: str, app: Flask, engine: Any = None) -> None:
    """Trace the app's requests (and the engine's SQL) when an OTLP endpoint is configured."""
    if not enabled():
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # one provider per app, never the global one: tests build several functions in one process
    provider = TracerProvider(resource=Resource.create({"service.name": function_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    tracer = provider.get_tracer("spotifiuby")
    app.extensions[EXTENSION] = _Tracing(provider, tracer)
    app.before_request(_start_server_span)
    app.after_request(_record_status)
    app.teardown_request(_end_server_span)
    if engine is not None:
        _trace_sql(engine, tracer)


def provider_of(app: Flask) -> Any:
    """The app's ``TracerProvider`` (to ``force_flush`` or ``shutdown``), or None when not traced."""
    tracing = app.extensions.get(EXTENSION)
    return tracing.provider if tracing is not None else None


class _Tracing:
    def __init__(self, provider: Any, tracer: Any) -> None:
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        self.provider = provider
        self.tracer = tracer
        self.propagator = TraceContextTextMapPropagator()


def _start_server_span() -> None:
    from opentelemetry import context as otel_context
    from opentelemetry import trace

    tracing: _Tracing = current_app.extensions[EXTENSION]
    parent = tracing.propagator.extract(request.headers)
    span = tracing.tracer.start_span(
        f"{request.method}",
        context=parent,
        kind=trace.SpanKind.SERVER,
        attributes={"http.method": request.method},
    )
    g.otel_span = span
    g.otel_token = otel_context.attach(trace.set_span_in_context(span))
    span_context = span.get_span_context()
    incoming = g.get("trace")
    g.trace = TraceContext(
        trace_id=trace.format_trace_id(span_context.trace_id),
        parent_id=incoming.parent_id if incoming is not None else None,
        span_id=trace.format_span_id(span_context.span_id),
        flags=f"{span_context.trace_flags:02x}",
    )


def _record_status(response: Response) -> Response:
    span = g.get("otel_span")
    if span is not None:
        matched = request.url_rule is not None and request.routing_exception is None
        route = g.get("route") or (request.url_rule.rule if matched else "unmatched")
        span.update_name(f"{request.method} {route}")
        span.set_attribute("http.route", route)
        span.set_attribute("http.status_code", response.status_code)
        if response.status_code >= 500:
            from opentelemetry.trace import Status, StatusCode

            span.set_status(Status(StatusCode.ERROR))
    return response


def _end_server_span(_exc: BaseException | None) -> None:
    span = g.pop("otel_span", None)
    token = g.pop("otel_token", None)
    if span is not None:
        span.end()
    if token is not None:
        from opentelemetry import context as otel_context

        otel_context.detach(token)


class _Untraced:
    def set_attribute(self, _key: str, _value: Any) -> None:
        pass


@contextlib.contextmanager
def client_span(upstream: str, method: str, headers: dict[str, str]) -> Iterator[Any]:
    """A CLIENT span around one upstream call whose context replaces ``headers["traceparent"]``;
    yields an object with ``set_attribute`` (a no-op when the app is not traced)."""
    tracing: _Tracing | None = current_app.extensions.get(EXTENSION)
    if tracing is None:
        yield _Untraced()
        return
    from opentelemetry import trace

    attributes = {"http.method": method, "peer.service": upstream}
    with tracing.tracer.start_as_current_span(
        f"{method} {upstream}", kind=trace.SpanKind.CLIENT, attributes=attributes
    ) as span:
        headers.pop("traceparent", None)
        headers.pop("tracestate", None)
        tracing.propagator.inject(headers)
        yield span


def _trace_sql(engine: Any, tracer: Any) -> None:
    from opentelemetry import trace
    from opentelemetry.trace import Status, StatusCode
    from sqlalchemy import event

    system = engine.dialect.name

    def before(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        keyword = statement.split(None, 1)[0].upper() if statement.strip() else "SQL"
        context._otel_span = tracer.start_span(
            keyword, kind=trace.SpanKind.CLIENT, attributes={"db.system": system, "db.operation": keyword}
        )

    def after(_conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool) -> None:
        span = getattr(context, "_otel_span", None)
        if span is not None:
            span.end()

    def failed(exception_context: Any) -> None:
        span = getattr(exception_context.execution_context, "_otel_span", None)
        if span is not None:
            # the exception's type only: its message may quote the statement's values
            span.set_status(Status(StatusCode.ERROR, type(exception_context.original_exception).__name__))
            span.end()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    event.listen(engine, "handle_error", failed)
