"""What every function app gets from the factory: health, readiness, metrics, OpenAPI, errors, logs."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate


def test_health_needs_no_database_and_ready_checks_it(make_client):
    broken = make_client("users", DATABASE_URL="postgresql+pg8000://postgres@127.0.0.1:9/nowhere")
    assert broken.get("/health").status_code == 200
    ready = broken.get("/ready")
    assert ready.status_code == 503
    assert make_client("users").get("/ready").status_code == 200


def test_metrics_count_requests_by_route_template(make_client):
    client = make_client("users")
    client.get("/users/12345/followers")
    client.get("/no/such/path")
    text = client.get("/metrics").data.decode()
    assert 'route="/users/<int:user_id>/followers"' in text
    assert 'route="unmatched"' in text
    assert "/users/12345" not in text


@pytest.mark.parametrize(
    ("function", "path"), [("users", "/auth/signup"), ("music", "/songs/{song_id}/audio")]
)
def test_every_function_documents_its_routes_in_valid_openapi(make_client, function, path):
    document = make_client(function).get("/openapi.json").json
    validate(document)
    assert path in document["paths"]


def test_openapi_document_is_valid_and_lists_the_routes(make_client):
    document = make_client("users").get("/openapi.json").json
    validate(document)
    assert "/auth/signup" in document["paths"]
    signup = document["paths"]["/auth/signup"]["post"]
    assert "201" in signup["responses"] and "422" in signup["responses"]
    assert document["paths"]["/me"]["get"]["security"] == [{"bearerAuth": []}]


def test_unknown_route_and_method_answer_json(make_client):
    client = make_client("users")
    missing = client.get("/nope")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong_method = client.delete("/auth/signup")
    assert wrong_method.status_code == 405
    assert "POST" in wrong_method.headers["Allow"]
    assert wrong_method.json["error"]["request_id"] == wrong_method.headers["X-Request-Id"]


def test_unknown_query_parameters_are_422(make_client):
    response = make_client("users").get("/me?debug=1")
    assert response.status_code in (401, 422)


def test_one_json_log_line_per_request_without_secrets(make_client, capsys):
    client = make_client("users", LOG_LEVEL="INFO")
    capsys.readouterr()
    client.post(
        "/auth/signup",
        json={"email": "log@example.com", "password": "Secret123x", "name": "Log"},
        headers={"X-Request-Id": "req-123456789", "traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01"},
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    [line] = [entry for entry in lines if entry.get("route") == "/auth/signup"]
    assert line["request_id"] == "req-123456789"
    assert line["trace_id"] == "a" * 32
    assert line["status"] == 201 and line["method"] == "POST" and line["function"] == "users"
    assert {"time", "level", "duration_ms", "user_id"} <= set(line)
    assert "Secret123x" not in json.dumps(lines)
