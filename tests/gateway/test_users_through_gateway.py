"""The real users function behind the gateway, each on its own HTTP server."""

import pytest

from tests.factories import PASSWORD
from tests.gateway.conftest import bearer
from tests.gateway.servers import closed_port_url, serve_wsgi


@pytest.fixture
def users_url(make_client):
    with serve_wsgi(make_client("users").application) as url:
        yield url


def test_signup_me_logout_through_the_gateway(gateway, users_url):
    client = gateway(UPSTREAM_USERS_URL=users_url)
    signup = client.post(
        "/auth/signup", json={"email": "Ann@Example.com", "password": PASSWORD, "name": "Ann"}
    )
    assert signup.status_code == 201, signup.get_data(as_text=True)
    access, refresh = signup.json["access_token"], signup.json["refresh_token"]

    me = client.get("/me", headers=bearer(access))
    assert me.status_code == 200
    assert me.json["email"] == "ann@example.com"
    assert client.get("/me").status_code == 401

    login = client.post("/auth/login", json={"email": "ann@example.com", "password": PASSWORD})
    assert login.status_code == 200

    logout = client.post("/auth/logout", json={"refresh_token": refresh}, headers=bearer(access))
    assert logout.status_code == 204
    reused = client.post("/auth/refresh", json={"refresh_token": refresh})
    assert reused.status_code == 401
    assert reused.json["error"]["request_id"] == reused.headers["X-Request-Id"]


def test_function_errors_pass_through_unchanged(gateway, users_url):
    response = gateway(UPSTREAM_USERS_URL=users_url).post("/auth/signup", json={"email": "x"})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"
    assert "password" in response.json["error"]["details"]


def test_merged_document_has_the_users_paths(gateway, users_url):
    document = (
        gateway(UPSTREAM_USERS_URL=users_url, UPSTREAM_MUSIC_URL=closed_port_url()).get("/openapi.json").json
    )
    assert {"/auth/signup", "/auth/login", "/me"} <= set(document["paths"])
    assert "post" in document["paths"]["/auth/signup"]
    assert "bearerAuth" in document["components"]["securitySchemes"]
    assert document["x-unavailable"] == ["music"]
