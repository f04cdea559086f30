"""Federated login with OpenID Connect ID tokens, verified against a JWKS served locally."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from spotifiuby.models import FederatedIdentity, User, UserEvent
from tests.factories import create_user

ISSUER = "https://accounts.example.test"
AUDIENCE = "spotifiuby-app"


@pytest.fixture(scope="module")
def idp():
    """An identity provider: an RSA key and its JWKS on a local HTTP server."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwks = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(jwks)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"key": key, "jwks_url": f"http://127.0.0.1:{server.server_port}/jwks"}
    server.shutdown()


def id_token(key, *, kid="k1", **claims):
    now = dt.datetime.now(dt.UTC)
    payload = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "google-123",
        "email": "fed@example.com",
        "email_verified": True,
        "name": "Fede",
        "iat": now,
        "exp": now + dt.timedelta(minutes=5),
    }
    payload.update(claims)
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def client(make_client, idp):
    return make_client("users", OIDC_ISSUER=ISSUER, OIDC_AUDIENCE=AUDIENCE, OIDC_JWKS_URL=idp["jwks_url"])


def test_first_login_signs_up_then_logs_in(client, db, idp):
    first = client.post("/auth/federated", json={"id_token": id_token(idp["key"])})
    assert first.status_code == 200, first.json
    assert first.json["user"]["email"] == "fed@example.com"
    assert first.json["user"]["name"] == "Fede"
    second = client.post("/auth/federated", json={"id_token": id_token(idp["key"], email="new@example.com")})
    assert second.json["user"]["id"] == first.json["user"]["id"]  # matched by subject, not email
    me = client.get("/me", headers={"Authorization": f"Bearer {second.json['access_token']}"})
    assert me.status_code == 200
    with db.session() as session:
        kinds = session.execute(select(UserEvent.kind, UserEvent.method).order_by(UserEvent.id)).all()
        assert [tuple(k) for k in kinds] == [("signup", "federated"), ("login", "federated")]
        assert session.scalar(select(User)).password_hash is None


def test_verified_email_links_an_existing_account(client, db, idp):
    user = create_user(db, email="fed@example.com")
    response = client.post("/auth/federated", json={"id_token": id_token(idp["key"])})
    assert response.json["user"]["id"] == user.id
    with db.session() as session:
        assert session.scalar(select(FederatedIdentity.user_id)) == user.id


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "someone-else"},
        {"iss": "https://evil.example.test"},
        {"exp": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)},
        {"email_verified": False},
        {"email": None},
    ],
    ids=["audience", "issuer", "expired", "unverified-email", "no-email"],
)
def test_invalid_id_tokens_are_401_and_create_nothing(client, db, idp, claims):
    response = client.post("/auth/federated", json={"id_token": id_token(idp["key"], **claims)})
    assert response.status_code == 401
    with db.session() as session:
        assert session.scalar(select(User)) is None


def test_token_signed_by_another_key_or_unknown_kid_is_401(client, idp):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert client.post("/auth/federated", json={"id_token": id_token(other)}).status_code == 401
    assert (
        client.post("/auth/federated", json={"id_token": id_token(idp["key"], kid="k9")}).status_code == 401
    )
    assert client.post("/auth/federated", json={"id_token": "not.a.jwt"}).status_code == 401


def test_blocked_federated_account_is_403(client, db, idp):
    create_user(db, email="fed@example.com", blocked=True)
    response = client.post("/auth/federated", json={"id_token": id_token(idp["key"])})
    assert response.status_code == 403


def test_not_configured_is_503(make_client, idp):
    response = make_client("users").post("/auth/federated", json={"id_token": id_token(idp["key"])})
    assert response.status_code == 503
    assert response.json["error"]["code"] == "federated_not_configured"
