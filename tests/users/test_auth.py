"""Sign-up, login, throttling, refresh rotation, logout and access-token verification."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from sqlalchemy import func, select

from spotifiuby.models import RefreshToken, User, UserEvent
from spotifiuby.tokens import new_private_pem
from tests.factories import PASSWORD, auth_header, create_user


def signup(client, email="ann@example.com", password=PASSWORD, name="Ann", **extra):
    return client.post("/auth/signup", json={"email": email, "password": password, "name": name, **extra})


def count_users(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(User))


def events(db, kind: str) -> list[UserEvent]:
    with db.session() as session:
        return list(session.scalars(select(UserEvent).where(UserEvent.kind == kind)))


def test_signup_answers_the_session_and_records_the_event(make_client, db):
    response = signup(make_client("users"), email="Ann@Example.COM", name="  Ann  ", role="artist")
    assert response.status_code == 201
    body = response.json
    assert set(body) == {"user", "access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["user"]["email"] == "ann@example.com"
    assert body["user"]["name"] == "Ann"
    assert body["user"]["role"] == "artist"
    assert body["user"]["plan"] == "free"
    assert "password" not in str(body["user"])
    with db.session() as session:
        stored = session.scalar(select(User))
        assert stored.password_hash.startswith("$argon2id$")
    [event] = events(db, "signup")
    assert (event.method, event.user_id) == ("password", body["user"]["id"])


@pytest.mark.parametrize("email", ["ann@example.com", "ANN@EXAMPLE.COM", "Ann@example.com"])
def test_duplicate_email_in_any_case_is_409(make_client, db, email):
    client = make_client("users")
    assert signup(client).status_code == 201
    response = signup(client, email=email)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "email_taken"
    assert count_users(db) == 1


@pytest.mark.parametrize(
    ("body", "bad_fields"),
    [
        ({"email": "not-an-email", "password": PASSWORD, "name": "Ann"}, {"email"}),
        ({"email": "a@example.com", "password": "short1", "name": "Ann"}, {"password"}),
        ({"email": "a@example.com", "password": "onlyletters", "name": "Ann"}, {"password"}),
        ({"email": "a@example.com", "password": "password1", "name": "Ann"}, {"password"}),
        ({"email": "a@example.com", "password": PASSWORD, "name": "   "}, {"name"}),
        ({"email": "a@example.com", "password": PASSWORD, "name": "x" * 101}, {"name"}),
        ({"email": "a@example.com", "password": PASSWORD, "name": "Ann", "role": "admin"}, {"role"}),
        ({"email": "a@example.com", "password": PASSWORD, "name": "Ann", "is_admin": True}, {"is_admin"}),
        ({"email": "a@example.com", "password": 12345678, "name": "Ann"}, {"password"}),
        ({"email": "a@example.com", "name": "Ann"}, {"password"}),
        ({"email": "a@" + "x" * 250 + ".com", "password": PASSWORD, "name": "Ann"}, {"email"}),
        ([1, 2], {"body"}),
    ],
)
def test_invalid_signup_is_422_naming_each_field_and_stores_nothing(make_client, db, body, bad_fields):
    response = make_client("users").post("/auth/signup", json=body)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert set(error["details"]) == bad_fields
    assert error["request_id"]
    assert count_users(db) == 0


def test_malformed_json_wrong_type_and_oversized_body(make_client, db):
    client = make_client("users", MAX_BODY_BYTES="2048")
    malformed = client.post("/auth/signup", data='{"email": ', content_type="application/json")
    assert malformed.status_code == 400
    assert malformed.json["error"]["code"] == "malformed_json"
    form = client.post("/auth/signup", data={"email": "a@example.com"})
    assert form.status_code == 415
    huge = signup(client, name="x" * 5000)
    assert huge.status_code == 413
    assert huge.json["error"]["code"] == "payload_too_large"
    assert count_users(db) == 0


def test_login_with_any_letter_case_and_wrong_credentials(make_client, db):
    client = make_client("users")
    create_user(db, email="bob@example.com")
    ok = client.post("/auth/login", json={"email": "BOB@example.com", "password": PASSWORD})
    assert ok.status_code == 200
    assert ok.json["user"]["email"] == "bob@example.com"
    wrong = client.post("/auth/login", json={"email": "bob@example.com", "password": "Wrong123x"})
    unknown = client.post("/auth/login", json={"email": "nobody@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["error"]["message"] == unknown.json["error"]["message"]
    assert [e.method for e in events(db, "login")] == ["password"]
    assert len(events(db, "login_failed")) == 2


def test_blocked_account_cannot_log_in(make_client, db):
    create_user(db, email="bad@example.com", blocked=True)
    response = make_client("users").post(
        "/auth/login", json={"email": "bad@example.com", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert response.json["error"]["code"] == "blocked"


def test_repeated_failures_are_throttled_even_with_the_right_password(make_client, db):
    client = make_client("users", LOGIN_MAX_FAILURES="3", LOGIN_FAILURE_WINDOW="600")
    create_user(db, email="carol@example.com")
    for _ in range(3):
        bad = client.post("/auth/login", json={"email": "carol@example.com", "password": "Wrong123x"})
        assert bad.status_code == 401
    throttled = client.post("/auth/login", json={"email": "carol@example.com", "password": PASSWORD})
    assert throttled.status_code == 429
    assert throttled.json["error"]["code"] == "too_many_failures"
    assert 590 <= int(throttled.headers["Retry-After"]) <= 601
    # another account is not affected
    create_user(db, email="dave@example.com")
    assert (
        client.post("/auth/login", json={"email": "dave@example.com", "password": PASSWORD}).status_code
        == 200
    )


def test_refresh_rotates_and_reuse_revokes_the_family(make_client, db):
    client = make_client("users")
    first = signup(client).json["refresh_token"]
    second = client.post("/auth/refresh", json={"refresh_token": first})
    assert second.status_code == 200
    assert second.json["refresh_token"] != first
    reused = client.post("/auth/refresh", json={"refresh_token": first})
    assert reused.status_code == 401
    assert reused.json["error"]["code"] == "token_reused"
    # the thief's use revoked the legitimate successor too
    successor = client.post("/auth/refresh", json={"refresh_token": second.json["refresh_token"]})
    assert successor.status_code == 401
    with db.session() as session:
        assert session.scalar(select(func.count()).where(RefreshToken.revoked_at.is_(None))) == 0


def test_refresh_refuses_unknown_expired_and_blocked(make_client, db):
    client = make_client("users")
    assert client.post("/auth/refresh", json={"refresh_token": "nope"}).status_code == 401
    session_body = signup(client).json
    with db.session() as session:
        token = session.scalar(select(RefreshToken))
        token.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    expired = client.post("/auth/refresh", json={"refresh_token": session_body["refresh_token"]})
    assert expired.status_code == 401
    other = signup(client, email="eve@example.com").json
    with db.session() as session:
        session.get(User, other["user"]["id"]).blocked = True
    blocked = client.post("/auth/refresh", json={"refresh_token": other["refresh_token"]})
    assert blocked.status_code == 403
    assert blocked.json["error"]["code"] == "blocked"


def test_logout_revokes_the_refresh_token(make_client, db):
    client = make_client("users")
    body = signup(client).json
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.post("/auth/logout", json={"refresh_token": body["refresh_token"]}).status_code == 401
    assert (
        client.post(
            "/auth/logout", json={"refresh_token": body["refresh_token"]}, headers=headers
        ).status_code
        == 204
    )
    assert client.post("/auth/refresh", json={"refresh_token": body["refresh_token"]}).status_code == 401


def _token(private_pem: str, **claims) -> str:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    now = dt.datetime.now(dt.UTC)
    payload = {
        "iss": "spotifiuby",
        "sub": "1",
        "role": "admin",
        "typ": "access",
        "iat": now,
        "exp": now + dt.timedelta(minutes=5),
        **claims,
    }
    return jwt.encode(payload, load_pem_private_key(private_pem.encode(), None), algorithm="EdDSA")


def _unsigned(**claims) -> str:
    import base64
    import json

    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(dt.datetime.now(dt.UTC).timestamp())
    payload = {"iss": "spotifiuby", "sub": "1", "typ": "access", "iat": now, "exp": now + 300, **claims}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


def test_only_valid_access_tokens_are_accepted(make_client, db, jwt_private_key):
    client = make_client("users")
    user = create_user(db, role="admin")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    bad_tokens = {
        "expired": _token(jwt_private_key, sub=str(user.id), iat=past, exp=past + dt.timedelta(minutes=15)),
        "other key": _token(new_private_pem(), sub=str(user.id)),
        "alg none": _unsigned(sub=str(user.id)),
        "wrong issuer": _token(jwt_private_key, sub=str(user.id), iss="evil"),
        "not an access token": _token(jwt_private_key, sub=str(user.id), typ="refresh"),
        "hs256 with the public key": jwt.encode({"sub": str(user.id)}, "s" * 32, algorithm="HS256"),
        "garbage": "abc.def.ghi",
    }
    for name, token in bad_tokens.items():
        response = client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
        assert response.json["error"]["code"] in ("invalid_token", "token_expired"), name
    assert client.get("/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert (
        client.get(
            "/me", headers={"Authorization": f"Bearer {_token(jwt_private_key, sub=str(user.id))}"}
        ).status_code
        == 200
    )


def test_identity_headers_are_ignored(make_client, db, settings):
    client = make_client("users")
    admin = create_user(db, role="admin")
    listener = create_user(db)
    headers = {"X-User-Id": str(admin.id), "X-User-Role": "admin", "X-Forwarded-User": admin.email}
    assert client.get("/me", headers=headers).status_code == 401
    me = client.get("/me", headers={**headers, **auth_header(settings, listener)})
    assert me.json["id"] == listener.id


def test_deleted_or_blocked_account_token_stops_working(make_client, db, settings):
    client = make_client("users")
    user = create_user(db)
    headers = auth_header(settings, user)
    assert client.get("/me", headers=headers).status_code == 200
    with db.session() as session:
        session.get(User, user.id).blocked = True
    blocked = client.get("/me", headers=headers)
    assert blocked.status_code == 403 and blocked.json["error"]["code"] == "blocked"
    with db.session() as session:
        session.delete(session.get(User, user.id))
    assert client.get("/me", headers=headers).status_code == 401
