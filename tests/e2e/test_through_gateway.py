"""The backend as a client sees it: real function processes, real HTTP, through the gateway."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.e2e.client import Client
from tests.factories import PASSWORD, create_user

pytestmark = pytest.mark.e2e


def signup(client: Client, email: str) -> dict[str, Any]:
    reply = client.post("/auth/signup", {"email": email, "password": PASSWORD, "name": "E2E"})
    assert reply.status == 201, reply.body
    return reply.body


def login(client: Client, email: str) -> dict[str, Any]:
    reply = client.post("/auth/login", {"email": email, "password": PASSWORD})
    assert reply.status == 200, reply.body
    return reply.body


def test_signup_login_and_me(gateway: Client) -> None:
    created = signup(gateway, "Ann@Example.com")
    session = login(gateway, "ann@example.com")

    me = gateway.get("/me", token=session["access_token"])

    assert me.status == 200, me.body
    assert me.body["id"] == created["user"]["id"]
    assert me.body["email"] == "ann@example.com"


def test_follow_shows_in_both_profiles(gateway: Client, db: Any) -> None:
    artist = create_user(db, role="artist")
    fan = signup(gateway, "fan@example.com")

    reply = gateway.request("PUT", f"/me/following/{artist.id}", token=fan["access_token"])

    assert reply.status in (200, 204), reply.body
    followed = gateway.get(f"/users/{artist.id}")
    assert followed.status == 200, followed.body
    assert followed.body["followers_count"] == 1
    assert gateway.get(f"/users/{fan['user']['id']}").body["following_count"] == 1


def test_blocked_user_is_locked_out(gateway: Client, db: Any) -> None:
    admin = create_user(db, role="admin")
    admin_token = login(gateway, admin.email)["access_token"]
    bob = signup(gateway, "bob@example.com")

    reply = gateway.request(
        "PATCH", f"/admin/users/{bob['user']['id']}", {"blocked": True}, token=admin_token
    )

    assert reply.status == 200, reply.body
    # refresh is refused at once; the access token may live on for up to 5 seconds
    refresh = gateway.post("/auth/refresh", {"refresh_token": bob["refresh_token"]})
    assert refresh.status in (401, 403), refresh.body
    deadline = time.monotonic() + 5
    while (me := gateway.get("/me", token=bob["access_token"])).status != 403 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert me.status == 403, me.body
    assert me.error_code() == "blocked"
    relogin = gateway.post("/auth/login", {"email": "bob@example.com", "password": PASSWORD})
    assert relogin.status == 403
    assert relogin.error_code() == "blocked"


def test_client_sent_identity_headers_change_nothing(gateway: Client, db: Any) -> None:
    admin = create_user(db, role="admin")
    ann = signup(gateway, "ann@example.com")
    forged = {"X-User-Id": str(admin.id), "X-User-Role": "admin"}

    as_ann = gateway.get("/me", token=ann["access_token"], headers=forged)
    anonymous = gateway.get("/me", headers=forged)
    admin_route = gateway.get("/admin/users", token=ann["access_token"], headers=forged)

    assert as_ann.status == 200, as_ann.body
    assert as_ann.body["id"] == ann["user"]["id"]
    assert anonymous.status == 401
    assert admin_route.status == 403


@pytest.mark.parametrize("path", ["/me", "/admin/users"])
def test_function_reached_directly_without_token_is_401(direct: Client, db: Any, path: str) -> None:
    admin = create_user(db, role="admin")

    reply = direct.get(path, headers={"X-User-Id": str(admin.id), "X-User-Role": "admin"})

    assert reply.status == 401, reply.body
    reply.error_code()


def test_unknown_path_is_404_json(gateway: Client) -> None:
    reply = gateway.get("/no/such/thing")

    assert reply.status == 404
    assert reply.error_code() == "not_found"


def test_malformed_json_is_400_json(gateway: Client) -> None:
    reply = gateway.request("POST", "/auth/signup", data=b'{"email": "ann@example.com", ')

    assert reply.status == 400
    reply.error_code()
