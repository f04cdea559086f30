"""Which routes need a token, and which tokens the gateway refuses."""

import datetime as dt
import hashlib
import hmac
import json

import pytest

from spotifiuby.config import Settings
from spotifiuby.tokens import TokenService, new_private_pem, public_pem_of
from tests.gateway.conftest import b64url, bearer, echoed, unsigned_token


@pytest.fixture
def bad_tokens(tokens, jwt_private_key):
    now = dt.datetime.now(dt.UTC)
    other_key = TokenService(Settings(jwt_private_key=new_private_pem()))
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64url(
        json.dumps({"iss": "spotifiuby", "sub": "1", "typ": "access", "exp": 9999999999}).encode()
    )
    # HMAC keyed with the public key, the classic algorithm-confusion forgery
    mac = hmac.new(public_pem_of(jwt_private_key).encode(), f"{header}.{claims}".encode(), hashlib.sha256)
    return {
        "expired": tokens.issue(user_id=1, role="listener", now=now - dt.timedelta(hours=1)),
        "other key": other_key.issue(user_id=1, role="admin"),
        "alg none": unsigned_token(),
        "hmac with public key": f"{header}.{claims}.{b64url(mac.digest())}",
        "tampered": tokens.issue(user_id=1, role="listener")[:-4] + "AAAA",
        "garbage": "not-a-jwt",
    }


@pytest.mark.parametrize("path", ["/me", "/me/genres", "/admin/users", "/admin/metrics/users"])
def test_protected_route_without_token_is_401_and_not_forwarded(gateway, path):
    response = gateway().get(path)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert "method" not in response.json  # the echo server was not reached


def test_protected_route_with_valid_token_is_forwarded(gateway, tokens):
    response = gateway().get("/admin/users", headers=bearer(tokens.issue(user_id=3, role="listener")))
    # the gateway checks the token only; the function decides about roles
    assert echoed(response)["path"] == "/admin/users"


@pytest.mark.parametrize(
    "kind", ["expired", "other key", "alg none", "hmac with public key", "tampered", "garbage"]
)
def test_bad_tokens_are_401_on_protected_and_anonymous_routes(gateway, bad_tokens, kind):
    client = gateway()
    for path in ("/me", "/users/1"):
        response = client.get(path, headers=bearer(bad_tokens[kind]))
        assert response.status_code == 401, (kind, path)
        assert response.json["error"]["code"] in ("invalid_token", "token_expired")
    assert client.get("/users/1").status_code == 200  # anonymous without a token is fine


def test_expired_token_says_so(gateway, bad_tokens):
    response = gateway().get("/me", headers=bearer(bad_tokens["expired"]))
    assert response.json["error"]["code"] == "token_expired"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "token abc"])
def test_malformed_authorization_header_is_401(gateway, header):
    response = gateway().get("/users/1", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_token"


def test_auth_routes_forward_any_authorization_untouched(gateway, bad_tokens):
    response = gateway().post(
        "/auth/logout", json={"refresh_token": "x"}, headers=bearer(bad_tokens["expired"])
    )
    assert echoed(response)["headers"]["authorization"] == f"Bearer {bad_tokens['expired']}"


@pytest.mark.parametrize("path", ["/users", "/users/3", "/users/3/followers", "/users/3/following"])
def test_anonymous_routes_need_no_token(gateway, path):
    assert echoed(gateway().get(path))["path"] == path
