"""Upstream trouble: every failure is a quick JSON 502/503/504, never a hang."""

import time

import pytest

from tests.gateway.conftest import bearer
from tests.gateway.servers import RawServer, closed_port_url, garbage, hang_up


@pytest.fixture
def hanging_up():
    server = RawServer(hang_up)
    yield server
    server.close()


def _error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"]["code"] == code
    assert response.json["error"]["request_id"] == response.headers["X-Request-Id"]


def test_refused_connection_is_503(gateway):
    started = time.monotonic()
    response = gateway(UPSTREAM_USERS_URL=closed_port_url()).get("/users/1")
    _error(response, 503, "upstream_unavailable")
    assert time.monotonic() - started < 2


def test_unresolvable_host_is_503(gateway):
    _error(
        gateway(UPSTREAM_USERS_URL="http://no-such-function.invalid").get("/users/1"),
        503,
        "upstream_unavailable",
    )


def test_idempotent_request_is_retried_once(gateway, hanging_up, tokens):
    client = gateway(UPSTREAM_USERS_URL=hanging_up.url)
    _error(client.get("/users/1"), 503, "upstream_unavailable")
    assert hanging_up.accepted == 2
    _error(
        client.delete("/me", headers=bearer(tokens.issue(user_id=1, role="listener"))),
        503,
        "upstream_unavailable",
    )
    assert hanging_up.accepted == 4


def test_post_is_not_retried(gateway, hanging_up):
    _error(gateway(UPSTREAM_USERS_URL=hanging_up.url).post("/auth/login"), 503, "upstream_unavailable")
    assert hanging_up.accepted == 1


def test_request_whose_body_has_gone_is_not_retried(gateway, hanging_up, tokens):
    client = gateway(UPSTREAM_USERS_URL=hanging_up.url)
    token = bearer(tokens.issue(user_id=1, role="listener"))
    _error(client.put("/me/push-token", json={"token": "x"}, headers=token), 503, "upstream_unavailable")
    assert hanging_up.accepted == 1


def test_slow_upstream_is_504_at_the_read_timeout(gateway):
    started = time.monotonic()
    response = gateway(UPSTREAM_USERS_READ_TIMEOUT="0.3").get("/users/1?sleep=3")
    _error(response, 504, "upstream_timeout")
    assert time.monotonic() - started < 1.5  # not retried, not waited out


def test_per_upstream_timeout_overrides_the_default(gateway):
    response = gateway(UPSTREAM_READ_TIMEOUT="0.2", UPSTREAM_USERS_READ_TIMEOUT="5").get("/users/1?sleep=0.5")
    assert response.status_code == 200


def test_answer_that_is_not_http_is_502(gateway):
    server = RawServer(garbage)
    try:
        _error(gateway(UPSTREAM_USERS_URL=server.url).get("/users/1"), 502, "bad_gateway")
        assert server.accepted == 1  # a bad answer is not retried
    finally:
        server.close()


def test_route_to_an_unconfigured_function_is_503(gateway):
    response = gateway(UPSTREAM_USERS_URL="").get("/users/1")
    _error(response, 503, "upstream_unavailable")
    assert "not configured" in response.json["error"]["message"]
