"""Moderation: the admin user list, blocking, roles, deletion, the last-admin guard, the first admin."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import delete, func, select

from functions.users.admin.service import ensure_first_admin
from functions.users.auth.passwords import verify_password
from spotifiuby.models import RefreshToken, User
from tests.assertions import assert_error
from tests.concurrency import race
from tests.factories import PASSWORD, auth_header, create_user

PRIVATE_FIELDS = {
    "id",
    "name",
    "bio",
    "photo_url",
    "role",
    "created_at",
    "email",
    "blocked",
    "plan",
    "plan_expires_at",
    "updated_at",
}


def stored(db, user_id: int) -> User | None:
    with db.session() as session:
        return session.get(User, user_id)


def active_admins(db) -> list[int]:
    with db.session() as session:
        return list(session.scalars(select(User.id).where(User.role == "admin", User.blocked.is_(False))))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


@pytest.fixture
def audit_log(capsys):
    """The moderation log lines (the routes log at INFO; the tests' functions run at WARNING)."""
    logger = logging.getLogger("spotifiuby.users.admin")
    logger.setLevel(logging.INFO)
    capsys.readouterr()

    def lines() -> list[dict]:
        out = capsys.readouterr().out.splitlines()
        return [json.loads(line) for line in out if line.startswith("{") and "spotifiuby.users.admin" in line]

    yield lines
    logger.setLevel(logging.NOTSET)


# --- who may call --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/users"),
        ("patch", "/admin/users/{id}"),
        ("delete", "/admin/users/{id}"),
        ("get", "/admin/metrics/users"),
    ],
)
def test_admin_routes_are_for_admins_only(make_client, db, settings, method, path):
    listener, artist = create_user(db), create_user(db, role="artist")
    client = make_client("users")
    url = path.format(id=listener.id)
    kwargs = {"json": {"blocked": True}} if method == "patch" else {}
    assert_error(getattr(client, method)(url, **kwargs), 401, "unauthorized")
    for user in (listener, artist):
        response = getattr(client, method)(url, headers=auth_header(settings, user), **kwargs)
        assert_error(response, 403, "admin_required")
    # a token claiming admin does not make an admin: the account's role does
    forged = auth_header(settings, listener, role="admin")
    assert_error(getattr(client, method)(url, headers=forged, **kwargs), 403, "admin_required")
    assert stored(db, listener.id).blocked is False


# --- GET /admin/users ----------------------------------------------------------------------------


def test_admin_list_shows_the_private_view_of_everyone(make_client, db, settings):
    admin = create_user(db, role="admin", name="Root")
    blocked = create_user(db, name="Spammer", blocked=True, email="spam@junk.test")
    artist = create_user(db, role="artist", name="Singer")
    client = make_client("users")
    headers = auth_header(settings, admin)
    response = client.get("/admin/users", headers=headers)
    assert ids(response) == [admin.id, blocked.id, artist.id]
    assert response.json["total"] == 3
    assert all(set(item) == PRIVATE_FIELDS for item in response.json["items"])
    assert response.json["items"][1]["blocked"] is True
    assert response.json["items"][1]["email"] == "spam@junk.test"

    assert ids(client.get("/admin/users?blocked=true", headers=headers)) == [blocked.id]
    assert ids(client.get("/admin/users?blocked=false", headers=headers)) == [admin.id, artist.id]
    assert ids(client.get("/admin/users?blocked=0", headers=headers)) == [admin.id, artist.id]
    assert ids(client.get("/admin/users?role=artist", headers=headers)) == [artist.id]
    assert ids(client.get("/admin/users?q=JUNK.TEST", headers=headers)) == [blocked.id]
    assert ids(client.get("/admin/users?q=sing", headers=headers)) == [artist.id]
    assert ids(client.get("/admin/users?q=%25", headers=headers)) == []
    assert ids(client.get("/admin/users?role=listener&blocked=true", headers=headers)) == [blocked.id]
    assert ids(client.get("/admin/users?limit=1&offset=2", headers=headers)) == [artist.id]


@pytest.mark.parametrize(
    ("query", "bad_field"),
    [
        ("blocked=maybe", "blocked"),
        ("blocked=", "blocked"),
        ("role=root", "role"),
        ("limit=-1", "limit"),
        ("limit=10000", "limit"),
        ("offset=-1", "offset"),
        ("q=", "q"),
        ("email=a@b.c", "email"),
    ],
)
def test_admin_list_rejects_bad_queries(make_client, db, settings, query, bad_field):
    admin = create_user(db, role="admin")
    response = make_client("users").get(f"/admin/users?{query}", headers=auth_header(settings, admin))
    assert_error(response, 422, "validation_failed")
    assert bad_field in response.json["error"]["details"]


# --- PATCH /admin/users/<id> ---------------------------------------------------------------------


def test_blocking_cuts_off_tokens_at_once_and_unblocking_restores_access(
    make_client, db, settings, audit_log
):
    admin = create_user(db, role="admin")
    client = make_client("users")
    body = {"email": "troll@example.com", "password": PASSWORD, "name": "Troll"}
    signup = client.post("/auth/signup", json=body).json
    login = client.post("/auth/login", json={"email": body["email"], "password": PASSWORD}).json
    user_id = signup["user"]["id"]
    user_headers = {"Authorization": f"Bearer {signup['access_token']}"}

    response = client.patch(
        f"/admin/users/{user_id}",
        json={"blocked": True, "reason": "spam"},
        headers=auth_header(settings, admin),
    )
    assert response.status_code == 200
    assert set(response.json) == PRIVATE_FIELDS
    assert (response.json["id"], response.json["blocked"], response.json["role"]) == (
        user_id,
        True,
        "listener",
    )
    assert stored(db, user_id).blocked is True
    with db.session() as session:
        tokens = list(session.scalars(select(RefreshToken).where(RefreshToken.user_id == user_id)))
    assert len(tokens) == 2 and all(token.revoked_at is not None for token in tokens)
    [line] = audit_log()
    assert (line["admin_id"], line["user_id"], line["changes"], line["reason"]) == (
        admin.id,
        user_id,
        {"blocked": True},
        "spam",
    )

    assert_error(client.get("/me", headers=user_headers), 403, "blocked")
    assert client.post("/auth/refresh", json={"refresh_token": login["refresh_token"]}).status_code in (
        401,
        403,
    )
    assert_error(
        client.post("/auth/login", json={"email": body["email"], "password": PASSWORD}), 403, "blocked"
    )

    response = client.patch(
        f"/admin/users/{user_id}", json={"blocked": False}, headers=auth_header(settings, admin)
    )
    assert response.status_code == 200 and response.json["blocked"] is False
    assert client.get("/me", headers=user_headers).status_code == 200
    # the revoked refresh tokens stay revoked: the user logs in again
    assert client.post("/auth/refresh", json={"refresh_token": signup["refresh_token"]}).status_code == 401


def test_roles_change_and_take_effect_on_the_next_request(make_client, db, settings):
    admin, user = create_user(db, role="admin"), create_user(db)
    client = make_client("users")
    promoted = client.patch(
        f"/admin/users/{user.id}", json={"role": "admin"}, headers=auth_header(settings, admin)
    )
    assert promoted.status_code == 200 and promoted.json["role"] == "admin"
    user_headers = auth_header(settings, user)  # still claims "listener": the account decides
    assert client.get("/admin/users", headers=user_headers).status_code == 200

    demoted = client.patch(
        f"/admin/users/{user.id}", json={"role": "artist"}, headers=auth_header(settings, admin)
    )
    assert demoted.status_code == 200 and demoted.json["role"] == "artist"
    assert_error(
        client.get("/admin/users", headers=auth_header(settings, user, role="admin")), 403, "admin_required"
    )
    assert stored(db, user.id).role == "artist"


def test_a_reason_alone_or_an_empty_body_changes_nothing(make_client, db, settings):
    admin, user = create_user(db, role="admin"), create_user(db, role="artist")
    client = make_client("users")
    for body in ({}, {"reason": "looked fine"}):
        response = client.patch(f"/admin/users/{user.id}", json=body, headers=auth_header(settings, admin))
        assert response.status_code == 200
        assert (response.json["role"], response.json["blocked"]) == ("artist", False)


@pytest.mark.parametrize(
    ("body", "bad_field"),
    [
        ({"blocked": "yes"}, "blocked"),
        ({"blocked": "true"}, "blocked"),
        ({"blocked": 1}, "blocked"),
        ({"blocked": None}, "blocked"),
        ({"role": "root"}, "role"),
        ({"role": None}, "role"),
        ({"role": "admin", "reason": ""}, "reason"),
        ({"blocked": True, "reason": "x" * 501}, "reason"),
        ({"blocked": True, "name": "Renamed"}, "name"),
        ([{"blocked": True}], "body"),
    ],
)
def test_moderation_rejects_bad_bodies_and_changes_nothing(make_client, db, settings, body, bad_field):
    admin, user = create_user(db, role="admin"), create_user(db)
    response = make_client("users").patch(
        f"/admin/users/{user.id}", json=body, headers=auth_header(settings, admin)
    )
    assert_error(response, 422, "validation_failed")
    assert bad_field in response.json["error"]["details"]
    after = stored(db, user.id)
    assert (after.role, after.blocked, after.name) == ("listener", False, user.name)


def test_moderating_an_unknown_user_is_404(make_client, db, settings):
    admin = create_user(db, role="admin")
    client = make_client("users")
    for missing in (admin.id + 1, 2**31, 10**30):
        url = f"/admin/users/{missing}"
        assert_error(
            client.patch(url, json={"blocked": True}, headers=auth_header(settings, admin)), 404, "not_found"
        )
        assert_error(client.delete(url, headers=auth_header(settings, admin)), 404, "not_found")


# --- the last-admin guard ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change", [{"blocked": True}, {"role": "listener"}, {"role": "artist", "blocked": False}]
)
def test_the_last_active_admin_can_be_neither_blocked_nor_demoted(make_client, db, settings, change):
    admin = create_user(db, role="admin")
    create_user(db, role="admin", blocked=True)  # a blocked admin cannot administer: it does not count
    response = make_client("users").patch(
        f"/admin/users/{admin.id}", json=change, headers=auth_header(settings, admin)
    )
    assert_error(response, 409, "last_admin")
    assert active_admins(db) == [admin.id]


def test_the_guard_counts_active_admins_as_they_are_now(make_client, db, settings):
    first, second = create_user(db, role="admin"), create_user(db, role="admin")
    client = make_client("users")
    headers = auth_header(settings, first)
    assert (
        client.patch(f"/admin/users/{second.id}", json={"blocked": True}, headers=headers).status_code == 200
    )
    assert_error(
        client.patch(f"/admin/users/{first.id}", json={"role": "listener"}, headers=headers),
        409,
        "last_admin",
    )
    # an already blocked admin may be demoted, and a second active admin frees the first
    assert (
        client.patch(f"/admin/users/{second.id}", json={"role": "listener"}, headers=headers).status_code
        == 200
    )
    third = create_user(db)
    assert (
        client.patch(f"/admin/users/{third.id}", json={"role": "admin"}, headers=headers).status_code == 200
    )
    assert (
        client.patch(f"/admin/users/{first.id}", json={"blocked": True}, headers=headers).status_code == 200
    )
    assert active_admins(db) == [third.id]


def test_unblocking_or_keeping_the_role_of_the_last_admin_is_fine(make_client, db, settings):
    admin = create_user(db, role="admin")
    client = make_client("users")
    response = client.patch(
        f"/admin/users/{admin.id}",
        json={"role": "admin", "blocked": False},
        headers=auth_header(settings, admin),
    )
    assert response.status_code == 200 and active_admins(db) == [admin.id]


# --- DELETE /admin/users/<id> --------------------------------------------------------------------


def test_admin_deletes_an_account(make_client, db, settings, audit_log):
    admin, user = create_user(db, role="admin"), create_user(db)
    client = make_client("users")
    assert client.delete(f"/admin/users/{user.id}", headers=auth_header(settings, admin)).status_code == 204
    assert stored(db, user.id) is None
    assert [line["message"] for line in audit_log()] == ["user deleted"]
    assert_error(
        client.delete(f"/admin/users/{user.id}", headers=auth_header(settings, admin)), 404, "not_found"
    )


def test_the_last_admin_cannot_be_deleted_but_another_admin_can(make_client, db, settings):
    first, second = create_user(db, role="admin"), create_user(db, role="admin")
    client = make_client("users")
    assert client.delete(f"/admin/users/{second.id}", headers=auth_header(settings, first)).status_code == 204
    assert_error(
        client.delete(f"/admin/users/{first.id}", headers=auth_header(settings, first)), 409, "last_admin"
    )
    assert active_admins(db) == [first.id]


# --- concurrency (PostgreSQL: row locks) ---------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.parametrize("change", [{"role": "listener"}, {"blocked": True}])
def test_two_admins_demoting_each_other_at_once_leave_exactly_one(make_client, db, settings, change):
    client = make_client("users")
    for _ in range(5):
        with db.session() as session:
            session.execute(delete(User))
        a, b = create_user(db, role="admin"), create_user(db, role="admin")

        def demote(actor, target):
            return lambda: client.patch(
                f"/admin/users/{target.id}", json=change, headers=auth_header(settings, actor)
            )

        responses = race([demote(a, b), demote(b, a)])
        statuses = sorted(r.status_code for r in responses)
        # the loser is refused by the guard (409) or, if it arrived after the winner committed,
        # no longer is an admin at all (403)
        assert statuses[0] == 200 and statuses[1] in (403, 409), [r.json for r in responses]
        assert len(active_admins(db)) == 1


@pytest.mark.postgres_only
def test_two_admins_deleting_themselves_at_once_leave_exactly_one(make_client, db, settings):
    client = make_client("users")
    for _ in range(5):
        with db.session() as session:
            session.execute(delete(User))
        admins = [create_user(db, role="admin"), create_user(db, role="admin")]
        responses = race([lambda a=a: client.delete("/me", headers=auth_header(settings, a)) for a in admins])
        assert sorted(r.status_code for r in responses) == [204, 409]
        assert len(active_admins(db)) == 1


# --- the first admin -----------------------------------------------------------------------------


def test_ensure_first_admin_creates_one_only_when_there_is_none(db):
    with db.session() as session:
        admin, changed = ensure_first_admin(session, email=" Root@Example.com ", password="Str0ng-pass")
    assert changed is True
    created = stored(db, admin.id)
    assert (created.email, created.role, created.blocked) == ("root@example.com", "admin", False)
    assert verify_password(created.password_hash, "Str0ng-pass")

    with db.session() as session:
        again, changed = ensure_first_admin(session, email="other@example.com", password="Str0ng-pass")
    assert (again.id, changed) == (admin.id, False)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_ensure_first_admin_promotes_an_existing_account_keeping_its_password(db):
    user = create_user(db, email="boss@example.com", blocked=True)
    with db.session() as session:
        admin, changed = ensure_first_admin(session, email="BOSS@example.com", password="Other-pass1")
    assert (admin.id, changed) == (user.id, True)
    after = stored(db, user.id)
    assert (after.role, after.blocked) == ("admin", False)
    assert verify_password(after.password_hash, PASSWORD)


def test_ensure_first_admin_leaves_accounts_alone_once_an_admin_exists(db):
    existing = create_user(db, role="admin")
    user = create_user(db, email="boss@example.com")
    with db.session() as session:
        admin, changed = ensure_first_admin(session, email="boss@example.com", password="Other-pass1")
    assert (admin.id, changed) == (existing.id, False)
    assert stored(db, user.id).role == "listener"
