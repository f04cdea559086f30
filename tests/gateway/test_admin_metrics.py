"""GET /admin/metrics on the gateway: the four functions' admin metrics fetched in parallel and merged;
a function that cannot answer is named, the answer stays 200."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.serving import make_server

from tests.factories import create_user
from tests.gateway.conftest import bearer
from tests.gateway.servers import closed_port_url

FUNCTIONS = ("users", "music", "feedback", "payments")


@pytest.fixture
def upstream_urls(make_client):
    """The four real functions, each on its own HTTP server (stopped together: each stop waits for
    its server's poll)."""
    servers = {
        name: make_server("127.0.0.1", 0, make_client(name).application, threaded=True) for name in FUNCTIONS
    }
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield {name: f"http://127.0.0.1:{server.server_port}" for name, server in servers.items()}
    finally:
        with ThreadPoolExecutor(len(servers)) as executor:
            list(executor.map(lambda server: server.shutdown(), servers.values()))
        for server in servers.values():
            server.server_close()


def env_of(urls: dict[str, str]) -> dict[str, str]:
    return {f"UPSTREAM_{name.upper()}_URL": url for name, url in urls.items()}


@pytest.fixture
def admin_token(db, tokens):
    return tokens.issue(user_id=create_user(db, role="admin").id, role="admin")


def test_an_admin_gets_every_part(gateway, upstream_urls, admin_token):
    client = gateway(**env_of(upstream_urls))
    response = client.get("/admin/metrics?from=2026-03-01&to=2026-03-03&days=3", headers=bearer(admin_token))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert body["unavailable"] == [] and body["errors"] == {}
    assert set(body) == {"users", "content", "feedback", "payments", "unavailable", "errors"}
    for part in ("users", "content", "feedback"):
        assert body[part]["from"] == "2026-03-01" and body[part]["to"] == "2026-03-03", body[part]
        assert len(body[part]["days"]) == 3
    assert isinstance(body["payments"], dict) and body["payments"]
    assert response.headers["X-Request-Id"]


def test_without_a_range_the_functions_use_their_defaults(gateway, upstream_urls, admin_token):
    response = gateway(**env_of(upstream_urls)).get("/admin/metrics", headers=bearer(admin_token))
    assert response.status_code == 200
    assert response.json["unavailable"] == []
    assert len(response.json["users"]["days"]) == 7


def test_a_non_admin_is_refused(gateway, echo_url, db, tokens):
    listener = tokens.issue(user_id=create_user(db).id, role="listener")
    response = gateway(**env_of(dict.fromkeys(FUNCTIONS, echo_url))).get(
        "/admin/metrics", headers=bearer(listener)
    )
    assert response.status_code == 403
    assert response.json["error"]["code"] == "admin_required"


def test_anonymous_and_bad_tokens_are_401(gateway, echo_url):
    client = gateway(**env_of(dict.fromkeys(FUNCTIONS, echo_url)))
    assert client.get("/admin/metrics").status_code == 401
    assert client.get("/admin/metrics", headers=bearer("not.a.token")).status_code == 401


def test_unknown_query_fields_are_422(gateway, echo_url, admin_token):
    response = gateway(**env_of(dict.fromkeys(FUNCTIONS, echo_url))).get(
        "/admin/metrics?limit=3", headers=bearer(admin_token)
    )
    assert response.status_code == 422
    assert "limit" in response.json["error"]["details"]


def test_a_function_that_is_down_gives_a_partial_answer_fast(gateway, upstream_urls, admin_token):
    urls = {**upstream_urls, "feedback": closed_port_url()}
    started = time.monotonic()
    response = gateway(**env_of(urls)).get("/admin/metrics", headers=bearer(admin_token))
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    body = response.json
    assert body["unavailable"] == ["feedback"]
    assert body["errors"]["feedback"] == {"error": "upstream_unavailable"}
    assert body["feedback"] is None
    assert body["users"]["days"] and body["content"]["days"] and body["payments"]


def test_a_non_200_answer_is_named_with_its_status(gateway, upstream_urls, admin_token):
    # payments pointed at the users function: it has no /admin/metrics/payments
    urls = {**upstream_urls, "payments": upstream_urls["users"]}
    response = gateway(**env_of(urls)).get("/admin/metrics", headers=bearer(admin_token))
    assert response.status_code == 200
    assert response.json["unavailable"] == ["payments"]
    assert response.json["errors"]["payments"] == {"status": 404}


def test_credentials_request_id_and_trace_go_to_every_function(gateway, echo_url, admin_token):
    urls = dict.fromkeys(FUNCTIONS, echo_url)
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    headers = {**bearer(admin_token), "X-Request-Id": "req-12345678", "traceparent": traceparent}
    response = gateway(**env_of(urls)).get("/admin/metrics?from=2026-03-01&days=2", headers=headers)
    assert response.status_code == 200
    body = response.json
    for part, path, query in (
        ("users", "/admin/metrics/users", "from=2026-03-01"),
        ("content", "/admin/metrics/content", "from=2026-03-01"),
        ("feedback", "/admin/metrics/feedback", "from=2026-03-01"),
        ("payments", "/admin/metrics/payments", "days=2"),
    ):
        seen = body[part]
        assert seen["path"] == path and seen["query"] == query
        assert seen["headers"]["authorization"] == f"Bearer {admin_token}"
        assert seen["headers"]["x-request-id"] == "req-12345678"
        assert seen["headers"]["traceparent"].startswith("00-0af7651916cd43dd8448eb211c80319c-")
