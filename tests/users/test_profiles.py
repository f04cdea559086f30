"""Own profile (PATCH and DELETE /me), user search and public profiles, liked genres, push token."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from spotifiuby.models import FederatedIdentity, Follow, LikedGenre, RefreshToken, User, UserEvent
from tests.assertions import assert_error
from tests.factories import PASSWORD, auth_header, create_genre, create_user

PUBLIC_FIELDS = {"id", "name", "bio", "photo_url", "role", "created_at"}
TOKEN = "ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]"


def stored(db, user_id: int) -> User | None:
    with db.session() as session:
        return session.get(User, user_id)


def rows(db, model, **where) -> int:
    with db.session() as session:
        stmt = select(func.count()).select_from(model)
        for column, value in where.items():
            stmt = stmt.where(getattr(model, column) == value)
        return session.scalar(stmt)


def add(db, *objects) -> None:
    with db.session() as session:
        session.add_all(objects)


# --- PATCH /me -----------------------------------------------------------------------------------


def test_patch_me_changes_only_the_given_fields(make_client, db, settings):
    user = create_user(db, name="Ann", bio="old bio", photo_url="https://img.example.com/a.png")
    client = make_client("users")
    response = client.patch(
        "/me", json={"name": "  Annie  ", "role": "artist"}, headers=auth_header(settings, user)
    )
    assert response.status_code == 200
    body = response.json
    assert (body["name"], body["bio"], body["role"]) == ("Annie", "old bio", "artist")
    assert body["photo_url"] == "https://img.example.com/a.png"
    assert body["email"] == user.email and body["plan"] == "free"
    after = stored(db, user.id)
    assert (after.name, after.bio, after.role, after.photo_url) == (
        "Annie",
        "old bio",
        "artist",
        "https://img.example.com/a.png",
    )
    assert after.updated_at > user.updated_at


def test_patch_me_null_photo_clears_it_and_artist_can_go_back_to_listener(make_client, db, settings):
    user = create_user(db, role="artist", photo_url="https://img.example.com/a.png")
    response = make_client("users").patch(
        "/me", json={"photo_url": None, "role": "listener", "bio": ""}, headers=auth_header(settings, user)
    )
    assert response.status_code == 200
    assert response.json["photo_url"] is None
    after = stored(db, user.id)
    assert (after.photo_url, after.role, after.bio) == (None, "listener", "")


def test_patch_me_empty_body_changes_nothing(make_client, db, settings):
    user = create_user(db, name="Ann")
    response = make_client("users").patch("/me", json={}, headers=auth_header(settings, user))
    assert response.status_code == 200 and response.json["name"] == "Ann"


@pytest.mark.parametrize(
    ("body", "bad_field"),
    [
        ({"name": None}, "name"),
        ({"bio": None}, "bio"),
        ({"role": None}, "role"),
        ({"role": "admin"}, "role"),
        ({"role": "boss"}, "role"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 5}, "name"),
        ({"bio": "x" * 1001}, "bio"),
        ({"photo_url": "ftp://example.com/a.png"}, "photo_url"),
        ({"photo_url": "not a url"}, "photo_url"),
        ({"photo_url": "https://example.com/" + "a" * 2048}, "photo_url"),
        ({"email": "new@example.com"}, "email"),
        ({"blocked": False}, "blocked"),
        ({"name": "Valid", "push_token": TOKEN}, "push_token"),
        ([{"name": "x"}], "body"),
    ],
)
def test_patch_me_rejects_bad_input_and_changes_nothing(make_client, db, settings, body, bad_field):
    user = create_user(db, name="Ann", role="listener")
    response = make_client("users").patch("/me", json=body, headers=auth_header(settings, user))
    assert_error(response, 422, "validation_failed")
    assert bad_field in response.json["error"]["details"]
    after = stored(db, user.id)
    assert (after.name, after.role, after.bio, after.email, after.blocked) == (
        "Ann",
        "listener",
        "",
        user.email,
        False,
    )


def test_patch_me_needs_json_and_credentials(make_client, db, settings):
    user = create_user(db)
    client = make_client("users")
    assert_error(
        client.patch("/me", data="name=x", content_type="text/plain", headers=auth_header(settings, user)),
        415,
        "unsupported_media_type",
    )
    assert_error(
        client.patch("/me", data="{", content_type="application/json", headers=auth_header(settings, user)),
        400,
        "malformed_json",
    )
    assert_error(client.patch("/me", json={"name": "x"}), 401, "unauthorized")


def test_last_admin_cannot_demote_themselves_through_patch_me(make_client, db, settings):
    admin = create_user(db, role="admin")
    create_user(db, role="admin", blocked=True)  # a blocked admin does not count
    client = make_client("users")
    response = client.patch(
        "/me", json={"role": "listener", "name": "Renamed"}, headers=auth_header(settings, admin)
    )
    assert_error(response, 409, "last_admin")
    after = stored(db, admin.id)
    assert (after.role, after.name) == ("admin", admin.name)


def test_an_admin_may_step_down_when_another_remains(make_client, db, settings):
    admin, other = create_user(db, role="admin"), create_user(db, role="admin")
    response = make_client("users").patch(
        "/me", json={"role": "artist"}, headers=auth_header(settings, admin)
    )
    assert response.status_code == 200 and response.json["role"] == "artist"
    assert stored(db, admin.id).role == "artist"
    assert stored(db, other.id).role == "admin"


# --- DELETE /me ----------------------------------------------------------------------------------


def test_delete_me_removes_the_account_and_tidies_what_it_owned(make_client, db, settings):
    client = make_client("users")
    signup = client.post(
        "/auth/signup", json={"email": "gone@example.com", "password": PASSWORD, "name": "Gone"}
    )
    user_id = signup.json["user"]["id"]
    headers = {"Authorization": f"Bearer {signup.json['access_token']}"}
    other = create_user(db)
    create_genre(db, genre_id=3)
    add(
        db,
        Follow(follower_id=user_id, followed_id=other.id),
        Follow(follower_id=other.id, followed_id=user_id),
        LikedGenre(user_id=user_id, genre_id=3),
        FederatedIdentity(user_id=user_id, issuer="https://accounts.example.com", subject="42"),
    )

    assert client.delete("/me", headers=headers).status_code == 204

    assert stored(db, user_id) is None
    assert stored(db, other.id) is not None
    assert rows(db, Follow) == 0
    assert rows(db, LikedGenre) == 0
    assert rows(db, RefreshToken) == 0
    assert rows(db, FederatedIdentity) == 0
    # the sign-up still counts in the metrics, no longer tied to anyone
    with db.session() as session:
        [event] = session.scalars(select(UserEvent).where(UserEvent.kind == "signup"))
        assert (event.user_id, event.email) == (None, "gone@example.com")
    assert_error(client.get("/me", headers=headers), 401, "invalid_token")
    refresh = client.post("/auth/refresh", json={"refresh_token": signup.json["refresh_token"]})
    assert refresh.status_code == 401


def test_the_last_admin_cannot_delete_themselves(make_client, db, settings):
    admin = create_user(db, role="admin")
    response = make_client("users").delete("/me", headers=auth_header(settings, admin))
    assert_error(response, 409, "last_admin")
    assert stored(db, admin.id) is not None


def test_an_admin_may_delete_themselves_when_another_remains(make_client, db, settings):
    admin, other = create_user(db, role="admin"), create_user(db, role="admin")
    assert make_client("users").delete("/me", headers=auth_header(settings, admin)).status_code == 204
    assert stored(db, admin.id) is None and stored(db, other.id) is not None


def test_delete_me_needs_credentials(make_client, db):
    create_user(db)
    assert_error(make_client("users").delete("/me"), 401, "unauthorized")
    assert rows(db, User) == 1


# --- GET /users ----------------------------------------------------------------------------------


def test_search_lists_public_profiles_by_id_without_blocked_ones(make_client, db):
    ann = create_user(db, name="Ann")
    create_user(db, name="Bob", blocked=True)
    cid = create_user(db, name="Cid", role="artist")
    response = make_client("users").get("/users")
    assert response.status_code == 200
    body = response.json
    assert (body["total"], body["limit"], body["offset"]) == (2, 20, 0)
    assert [item["id"] for item in body["items"]] == [ann.id, cid.id]
    assert all(set(item) == PUBLIC_FIELDS for item in body["items"])


def test_search_pages_deterministically(make_client, db):
    ids = [create_user(db).id for _ in range(5)]
    client = make_client("users")
    first = client.get("/users?limit=2").json
    second = client.get("/users?limit=2&offset=2").json
    last = client.get("/users?limit=2&offset=4").json
    beyond = client.get("/users?offset=10").json
    assert [u["id"] for u in first["items"] + second["items"] + last["items"]] == ids
    assert first["total"] == second["total"] == last["total"] == 5
    assert (beyond["items"], beyond["total"], beyond["offset"]) == ([], 5, 10)


def test_search_matches_names_case_insensitively_with_wildcards_taken_literally(make_client, db):
    ann = create_user(db, name="Ann Lee")
    percent = create_user(db, name="100% Ann")
    underscore = create_user(db, name="ann_b")
    create_user(db, name="Bob")
    client = make_client("users")

    def found(q: str) -> list[int]:
        response = client.get("/users", query_string={"q": q})
        assert response.status_code == 200
        return [item["id"] for item in response.json["items"]]

    assert found("ANN") == [ann.id, percent.id, underscore.id]
    assert found("%") == [percent.id]
    assert found("_") == [underscore.id]
    assert found("n_b") == [underscore.id]
    assert found("0% a") == [percent.id]
    assert found("zzz") == []


def test_search_matches_emails_for_admins_only(make_client, db, settings):
    target = create_user(db, name="Ann", email="secret.handle@example.com")
    admin = create_user(db, role="admin", name="Root")
    client = make_client("users")
    query = {"q": "secret.handle"}
    assert client.get("/users", query_string=query).json["items"] == []
    listener = create_user(db)
    assert (
        client.get("/users", query_string=query, headers=auth_header(settings, listener)).json["items"] == []
    )
    as_admin = client.get("/users", query_string=query, headers=auth_header(settings, admin)).json
    assert [item["id"] for item in as_admin["items"]] == [target.id]
    assert "email" not in as_admin["items"][0]  # still the public view


def test_admins_see_blocked_accounts_in_the_search(make_client, db, settings):
    blocked = create_user(db, name="Hidden", blocked=True)
    admin = create_user(db, role="admin")
    response = make_client("users").get("/users?q=hidden", headers=auth_header(settings, admin))
    assert [item["id"] for item in response.json["items"]] == [blocked.id]


def test_search_filters_by_role(make_client, db):
    create_user(db, role="listener")
    artist = create_user(db, role="artist")
    admin = create_user(db, role="admin")
    client = make_client("users")
    assert [u["id"] for u in client.get("/users?role=artist").json["items"]] == [artist.id]
    assert [u["id"] for u in client.get("/users?role=admin").json["items"]] == [admin.id]


@pytest.mark.parametrize(
    ("query", "bad_field"),
    [
        ("limit=-1", "limit"),
        ("limit=0", "limit"),
        ("limit=10000", "limit"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
        ("offset=1.5", "offset"),
        ("role=boss", "role"),
        ("q=", "q"),
        ("q=" + "x" * 101, "q"),
        ("blocked=true", "blocked"),
        ("sort=name", "sort"),
    ],
)
def test_search_rejects_bad_queries(make_client, db, query, bad_field):
    create_user(db)
    response = make_client("users").get(f"/users?{query}")
    assert_error(response, 422, "validation_failed")
    assert bad_field in response.json["error"]["details"]


def test_search_refuses_a_bad_token_even_though_anonymous_is_allowed(make_client, db):
    response = make_client("users").get("/users", headers={"Authorization": "Bearer nonsense"})
    assert_error(response, 401, "invalid_token")


# --- GET /users/<id> -----------------------------------------------------------------------------


def test_profile_has_follow_counts_that_skip_blocked_accounts_for_non_admins(make_client, db, settings):
    ann = create_user(db, name="Ann", bio="hi")
    fans = [create_user(db) for _ in range(3)]
    blocked_fan = create_user(db, blocked=True)
    idol = create_user(db)
    add(
        db,
        *(Follow(follower_id=fan.id, followed_id=ann.id) for fan in [*fans, blocked_fan]),
        Follow(follower_id=ann.id, followed_id=idol.id),
    )
    client = make_client("users")
    response = client.get(f"/users/{ann.id}")
    assert response.status_code == 200
    assert response.json == {
        "id": ann.id,
        "name": "Ann",
        "bio": "hi",
        "photo_url": None,
        "role": "listener",
        "created_at": response.json["created_at"],
        "followers_count": 3,
        "following_count": 1,
    }
    assert response.json["created_at"].endswith("+00:00")
    admin = create_user(db, role="admin")
    as_admin = client.get(f"/users/{ann.id}", headers=auth_header(settings, admin)).json
    assert (as_admin["followers_count"], as_admin["following_count"]) == (4, 1)
    assert client.get(f"/users/{idol.id}").json["followers_count"] == 1


def test_profile_of_a_blocked_or_unknown_user_is_404(make_client, db, settings):
    blocked = create_user(db, blocked=True)
    listener = create_user(db)
    admin = create_user(db, role="admin")
    client = make_client("users")
    assert_error(client.get(f"/users/{blocked.id}"), 404, "not_found")
    assert_error(
        client.get(f"/users/{blocked.id}", headers=auth_header(settings, listener)), 404, "not_found"
    )
    assert client.get(f"/users/{blocked.id}", headers=auth_header(settings, admin)).status_code == 200
    for missing in (admin.id + 1, 0, 2**31, 10**30):
        assert_error(client.get(f"/users/{missing}"), 404, "not_found")
    assert_error(client.get("/users/abc"), 404, "not_found")
    assert_error(client.get("/users/-1"), 404, "not_found")


# --- liked genres --------------------------------------------------------------------------------


def liked(db, user_id: int) -> list[int]:
    with db.session() as session:
        return list(
            session.scalars(
                select(LikedGenre.genre_id).where(LikedGenre.user_id == user_id).order_by(LikedGenre.genre_id)
            )
        )


def test_liking_genres_is_idempotent_and_listed_by_genre_id(make_client, db, settings):
    user, other = create_user(db), create_user(db)
    for genre_id in (2, 5, 7, 30):
        create_genre(db, genre_id=genre_id)
    client = make_client("users")
    headers = auth_header(settings, user)
    assert_error(client.put("/me/genres/8", headers=headers), 404, "not_found")
    for genre_id in (7, 2, 7, 30):
        assert client.put(f"/me/genres/{genre_id}", headers=headers).status_code == 204
    client.put("/me/genres/5", headers=auth_header(settings, other))
    assert liked(db, user.id) == [2, 7, 30]

    response = client.get("/me/genres", headers=headers)
    assert response.status_code == 200
    body = response.json
    assert [item["genre_id"] for item in body["items"]] == [2, 7, 30]
    assert body["total"] == 3 and set(body["items"][0]) == {"genre_id", "created_at"}
    assert [
        i["genre_id"] for i in client.get("/me/genres?limit=1&offset=1", headers=headers).json["items"]
    ] == [7]

    for _ in range(2):
        assert client.delete("/me/genres/7", headers=headers).status_code == 204
    assert client.delete("/me/genres/99", headers=headers).status_code == 204
    assert liked(db, user.id) == [2, 30]
    assert liked(db, other.id) == [5]


def test_genre_ids_out_of_range_are_404(make_client, db, settings):
    user = create_user(db)
    client = make_client("users")
    headers = auth_header(settings, user)
    for path in (
        "/me/genres/0",
        f"/me/genres/{2**31}",
        f"/me/genres/{10**30}",
        "/me/genres/-1",
        "/me/genres/x",
    ):
        assert_error(client.put(path, headers=headers), 404, "not_found")
        assert_error(client.delete(path, headers=headers), 404, "not_found")
    assert liked(db, user.id) == []


def test_liked_genres_need_credentials_and_a_sane_page(make_client, db, settings):
    user = create_user(db)
    client = make_client("users")
    assert_error(client.get("/me/genres"), 401, "unauthorized")
    assert_error(client.put("/me/genres/1"), 401, "unauthorized")
    for query in ("limit=-1", "limit=10000", "offset=-5", "genre_id=1"):
        assert_error(
            client.get(f"/me/genres?{query}", headers=auth_header(settings, user)), 422, "validation_failed"
        )
    assert liked(db, user.id) == []


# --- push token ----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [TOKEN, "ExpoPushToken[abc-DEF_123]"])
def test_push_token_is_stored_and_cleared(make_client, db, settings, token):
    user = create_user(db)
    client = make_client("users")
    headers = auth_header(settings, user)
    assert client.put("/me/push-token", json={"token": token}, headers=headers).status_code == 204
    assert stored(db, user.id).push_token == token
    assert "push_token" not in client.get("/me", headers=headers).json
    assert client.delete("/me/push-token", headers=headers).status_code == 204
    assert stored(db, user.id).push_token is None
    assert client.delete("/me/push-token", headers=headers).status_code == 204


@pytest.mark.parametrize(
    "body",
    [
        {"token": "abc"},
        {"token": "ExponentPushToken[]"},
        {"token": "ExponentPushToken[abc] "},
        {"token": "ExponentPushToken[a b]"},
        {"token": "ExponentPushToken[" + "a" * 240 + "]"},
        {"token": 5},
        {"token": None},
        {},
        {"token": TOKEN, "device": "phone"},
    ],
)
def test_bad_push_tokens_are_422_and_keep_the_old_one(make_client, db, settings, body):
    user = create_user(db, push_token=TOKEN)
    response = make_client("users").put("/me/push-token", json=body, headers=auth_header(settings, user))
    assert_error(response, 422, "validation_failed")
    assert stored(db, user.id).push_token == TOKEN
