"""OpenTelemetry tracing: a real OTLP/HTTP receiver gets the spans of one request through the gateway
and the users function; without ``OTEL_EXPORTER_OTLP_ENDPOINT`` nothing is set up or imported."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from spotifiuby.tokens import public_pem_of
from spotifiuby.tracing import provider_of
from tests.conftest import ROOT
from tests.factories import PASSWORD
from tests.gateway.servers import serve_wsgi

CLIENT_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN_ID = "00f067aa0ba902b7"
SERVER, CLIENT = 2, 3  # opentelemetry.proto Span.SpanKind values


@dataclass
class ReceivedSpan:
    service: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, Any]


@dataclass
class Receiver:
    url: str
    spans: list[ReceivedSpan] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


def _value(any_value: Any) -> Any:
    return getattr(any_value, any_value.WhichOneof("value"))


def _decode(body: bytes) -> list[ReceivedSpan]:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    export = ExportTraceServiceRequest.FromString(body)
    spans = []
    for resource_spans in export.resource_spans:
        resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                spans.append(
                    ReceivedSpan(
                        service=resource["service.name"],
                        name=span.name,
                        kind=span.kind,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_id=span.parent_span_id.hex(),
                        attributes={a.key: _value(a.value) for a in span.attributes},
                    )
                )
    return spans


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An OTLP/HTTP trace receiver (protobuf bodies on ``POST /v1/traces``) on a free local port."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

    received: list[ReceivedSpan] = []
    paths: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            paths.append(self.path)
            if self.path == "/v1/traces":
                received.extend(_decode(body))
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200 if self.path == "/v1/traces" else 404)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Receiver(f"http://127.0.0.1:{server.server_address[1]}", received, paths)
    finally:
        server.shutdown()
        server.server_close()


def _log_lines(text: str, request_id: str) -> dict[str, dict[str, Any]]:
    """The request log line of each function for one request id, by function."""
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return {
        line["function"]: line
        for line in lines
        if line.get("message") == "request" and line.get("request_id") == request_id
    }


def test_one_request_through_the_gateway_is_one_trace(make_client, jwt_private_key, receiver, capsys):
    otel = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url, "LOG_LEVEL": "INFO"}
    users = make_client("users", **otel)
    providers = [provider_of(users.application.spotifiuby_app)]
    try:
        with serve_wsgi(users.application) as users_url:
            client = make_client(
                "gateway",
                JWT_PRIVATE_KEY="",
                JWT_PUBLIC_KEY=public_pem_of(jwt_private_key),
                UPSTREAM_USERS_URL=users_url,
                **otel,
            )
            providers.append(provider_of(client.application.spotifiuby_app))
            response = client.post(
                "/auth/signup",
                json={"email": "ann@example.com", "password": PASSWORD, "name": "Ann"},
                headers={
                    "traceparent": f"00-{CLIENT_TRACE_ID}-{CLIENT_SPAN_ID}-01",
                    "X-Request-Id": "traced-signup-1",
                },
            )
            assert response.status_code == 201, response.get_data(as_text=True)
            untraced = client.get("/health", headers={"X-Request-Id": "fresh-trace-1"})
            assert untraced.status_code == 200
        for provider in providers:
            assert provider is not None
            assert provider.force_flush(10_000)
    finally:
        for provider in providers:
            if provider is not None:
                provider.shutdown()

    assert set(receiver.paths) == {"/v1/traces"}
    trace = [s for s in receiver.spans if s.trace_id == CLIENT_TRACE_ID]
    assert {s.service for s in trace} == {"gateway", "users"}

    (gateway_server,) = [s for s in trace if s.service == "gateway" and s.kind == SERVER]
    (gateway_client,) = [s for s in trace if s.service == "gateway" and s.kind == CLIENT]
    (users_server,) = [s for s in trace if s.service == "users" and s.kind == SERVER]
    assert gateway_server.parent_id == CLIENT_SPAN_ID
    assert gateway_client.parent_id == gateway_server.span_id
    assert users_server.parent_id == gateway_client.span_id
    assert gateway_client.attributes["peer.service"] == "users"
    assert gateway_client.attributes["http.status_code"] == 201
    assert users_server.name == "POST /auth/signup"
    assert users_server.attributes == {
        "http.method": "POST",
        "http.route": "/auth/signup",
        "http.status_code": 201,
    }
    assert gateway_server.attributes["http.route"] == "/auth/*"  # the route table pattern

    sql = [s for s in trace if s.service == "users" and "db.system" in s.attributes]
    assert sql, "no SQL spans"
    assert {s.attributes["db.system"] for s in sql} <= {"sqlite", "postgresql"}
    assert "INSERT" in {s.name for s in sql}
    assert {s.parent_id for s in sql} == {users_server.span_id}
    # parameters (the email, the password) are never recorded
    values = json.dumps([s.attributes for s in receiver.spans])
    assert "ann@example.com" not in values and PASSWORD not in values

    # the JSON log lines carry the span's trace id: the client's, and a fresh one when none came
    logs = capsys.readouterr().out
    traced = _log_lines(logs, "traced-signup-1")
    assert traced["gateway"]["trace_id"] == traced["users"]["trace_id"] == CLIENT_TRACE_ID
    (fresh_log,) = _log_lines(logs, "fresh-trace-1").values()
    (fresh_span,) = [s for s in receiver.spans if s.service == "gateway" and s.name == "GET /health"]
    assert fresh_log["trace_id"] == fresh_span.trace_id != CLIENT_TRACE_ID
    assert fresh_span.parent_id == ""


def test_without_an_endpoint_nothing_is_traced(make_client, monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    client = make_client("users")
    assert provider_of(client.application.spotifiuby_app) is None
    assert client.get("/health").status_code == 200


def test_without_an_endpoint_opentelemetry_is_never_imported(function_env):
    code = (
        "import sys, functions_framework\n"
        "for name in ('users', 'gateway'):\n"
        "    functions_framework.create_app(name, f'functions/{name}/main.py')\n"
        "    assert 'spotifiuby.tracing' in sys.modules\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(function_env)
    env.update({"JWT_PUBLIC_KEY": "", "METRICS_TOKEN": "x" * 32})
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
