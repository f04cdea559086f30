"""Follow and unfollow, follower and following lists, and the fixed query count of every list."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from spotifiuby.models import Follow, LikedGenre, User
from tests.assertions import assert_error
from tests.concurrency import race
from tests.factories import auth_header, create_genre, create_user
from tests.queries import counted_queries

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def follows(db) -> set[tuple[int, int]]:
    with db.session() as session:
        return set(session.execute(select(Follow.follower_id, Follow.followed_id)).all())


def add_follows(db, pairs: list[tuple[int, int]], *, at: list[dt.datetime] | None = None) -> None:
    with db.session() as session:
        for n, (follower, followed) in enumerate(pairs):
            created_at = at[n] if at else T0 + dt.timedelta(minutes=n)
            session.add(Follow(follower_id=follower, followed_id=followed, created_at=created_at))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


# --- PUT and DELETE /me/following/<id> -----------------------------------------------------------


def test_follow_and_unfollow_are_idempotent(make_client, db, settings):
    fan, idol, other = create_user(db), create_user(db), create_user(db)
    add_follows(db, [(other.id, idol.id)])
    client = make_client("users")
    headers = auth_header(settings, fan)
    for _ in range(2):
        assert client.put(f"/me/following/{idol.id}", headers=headers).status_code == 204
    assert follows(db) == {(fan.id, idol.id), (other.id, idol.id)}
    assert client.get(f"/users/{idol.id}").json["followers_count"] == 2
    for _ in range(2):
        assert client.delete(f"/me/following/{idol.id}", headers=headers).status_code == 204
    assert follows(db) == {(other.id, idol.id)}


def test_following_oneself_is_422(make_client, db, settings):
    user = create_user(db)
    client = make_client("users")
    for method in (client.put, client.delete):
        response = method(f"/me/following/{user.id}", headers=auth_header(settings, user))
        assert_error(response, 422, "validation_failed")
        assert "user_id" in response.json["error"]["details"]
    assert follows(db) == set()


def test_following_an_unknown_user_is_404(make_client, db, settings):
    user = create_user(db)
    client = make_client("users")
    for missing in (user.id + 1, 2**31, 10**30):
        assert_error(
            client.put(f"/me/following/{missing}", headers=auth_header(settings, user)), 404, "not_found"
        )
        assert_error(
            client.delete(f"/me/following/{missing}", headers=auth_header(settings, user)), 404, "not_found"
        )
    assert follows(db) == set()


def test_a_blocked_user_cannot_be_followed_but_can_be_unfollowed(make_client, db, settings):
    fan, admin = create_user(db), create_user(db, role="admin")
    blocked = create_user(db, blocked=True)
    add_follows(db, [(admin.id, fan.id)])
    client = make_client("users")
    assert_error(
        client.put(f"/me/following/{blocked.id}", headers=auth_header(settings, fan)), 404, "not_found"
    )
    assert follows(db) == {(admin.id, fan.id)}
    # admins see blocked accounts, so they may follow them
    assert client.put(f"/me/following/{blocked.id}", headers=auth_header(settings, admin)).status_code == 204
    assert (
        client.delete(f"/me/following/{blocked.id}", headers=auth_header(settings, admin)).status_code == 204
    )
    assert follows(db) == {(admin.id, fan.id)}


def test_following_needs_credentials(make_client, db):
    idol = create_user(db)
    client = make_client("users")
    assert_error(client.put(f"/me/following/{idol.id}"), 401, "unauthorized")
    assert_error(client.delete(f"/me/following/{idol.id}"), 401, "unauthorized")


@pytest.mark.postgres_only
def test_simultaneous_follows_make_one_row_and_no_error(make_client, db, settings):
    fan, idol = create_user(db), create_user(db)
    headers = auth_header(settings, fan)
    client = make_client("users")
    responses = race([lambda: client.put(f"/me/following/{idol.id}", headers=headers)] * 10)
    assert [r.status_code for r in responses] == [204] * 10
    assert follows(db) == {(fan.id, idol.id)}


# --- GET /users/<id>/followers and /following ----------------------------------------------------


def test_followers_are_listed_newest_follow_first_then_by_user_id(make_client, db):
    idol = create_user(db)
    a, b, c, d = (create_user(db) for _ in range(4))
    same_time = T0 + dt.timedelta(hours=1)
    add_follows(
        db,
        [(a.id, idol.id), (b.id, idol.id), (c.id, idol.id), (d.id, idol.id), (idol.id, a.id)],
        at=[T0, same_time, same_time, T0 + dt.timedelta(minutes=30), T0],
    )
    client = make_client("users")
    assert ids(client.get(f"/users/{idol.id}/followers")) == [c.id, b.id, d.id, a.id]
    page = client.get(f"/users/{idol.id}/followers?limit=2&offset=1").json
    assert ([u["id"] for u in page["items"]], page["total"], page["limit"], page["offset"]) == (
        [b.id, d.id],
        4,
        2,
        1,
    )
    assert set(page["items"][0]) == {"id", "name", "bio", "photo_url", "role", "created_at"}
    assert ids(client.get(f"/users/{idol.id}/following")) == [a.id]
    assert ids(client.get(f"/users/{a.id}/followers")) == [idol.id]
    assert ids(client.get(f"/users/{b.id}/following")) == [idol.id]
    assert ids(client.get(f"/users/{b.id}/followers")) == []


def test_following_is_listed_newest_first(make_client, db):
    fan = create_user(db)
    idols = [create_user(db) for _ in range(3)]
    add_follows(db, [(fan.id, idol.id) for idol in idols])
    response = make_client("users").get(f"/users/{fan.id}/following")
    assert ids(response) == [idol.id for idol in reversed(idols)]
    assert response.json["total"] == 3


def test_follow_lists_hide_blocked_accounts_from_non_admins(make_client, db, settings):
    idol = create_user(db)
    fan, blocked_fan = create_user(db), create_user(db, blocked=True)
    admin = create_user(db, role="admin")
    add_follows(db, [(fan.id, idol.id), (blocked_fan.id, idol.id)])
    client = make_client("users")
    public = client.get(f"/users/{idol.id}/followers").json
    assert ([u["id"] for u in public["items"]], public["total"]) == ([fan.id], 1)
    as_admin = client.get(f"/users/{idol.id}/followers", headers=auth_header(settings, admin)).json
    assert ([u["id"] for u in as_admin["items"]], as_admin["total"]) == ([blocked_fan.id, fan.id], 2)
    # the blocked account's own lists are as hidden as its profile
    assert_error(client.get(f"/users/{blocked_fan.id}/following"), 404, "not_found")
    assert ids(client.get(f"/users/{blocked_fan.id}/following", headers=auth_header(settings, admin))) == [
        idol.id
    ]


@pytest.mark.parametrize("side", ["followers", "following"])
def test_follow_lists_of_unknown_users_are_404_and_bad_pages_422(make_client, db, side):
    user = create_user(db)
    client = make_client("users")
    for missing in (user.id + 1, 2**31, 10**30):
        assert_error(client.get(f"/users/{missing}/{side}"), 404, "not_found")
    for query in ("limit=-1", "limit=0", "limit=10000", "limit=x", "offset=-1", "q=ann"):
        response = client.get(f"/users/{user.id}/{side}?{query}")
        assert_error(response, 422, "validation_failed")
        assert query.split("=")[0] in response.json["error"]["details"]


# --- every list runs a fixed number of queries ---------------------------------------------------


LISTS = [
    "/users",
    "/users?q=fan",
    "/users/{hub}/followers",
    "/users/{hub}/following",
    "/me/genres",
    "/admin/users",
    "/admin/users?blocked=false&q=example",
]


@pytest.mark.parametrize("path", LISTS)
def test_a_list_costs_the_same_queries_for_1_or_50_items(make_client, db, settings, path):
    hub = create_user(db, role="admin", name="Hub")
    fans = [create_user(db, name=f"Fan {n}") for n in range(55)]
    add_follows(db, [(fan.id, hub.id) for fan in fans] + [(hub.id, fan.id) for fan in fans])
    genres = [create_genre(db) for _ in range(55)]
    with db.session() as session:
        session.add_all(LikedGenre(user_id=hub.id, genre_id=genre.id) for genre in genres)
    client = make_client("users")
    url = path.format(hub=hub.id)
    headers = auth_header(settings, hub)
    separator = "&" if "?" in url else "?"
    client.get(url, headers=headers)  # warm-up: pool checkout and first-use work are not per item

    counts = {}
    for limit in (1, 50):
        with counted_queries(client) as statements:
            response = client.get(f"{url}{separator}limit={limit}", headers=headers)
        assert response.status_code == 200, response.json
        assert len(response.json["items"]) == limit
        counts[limit] = len(statements)
    assert counts[1] == counts[50]
    # auth, the existence check (follow lists), the page, the total; SQLite adds its BEGIN IMMEDIATE
    assert counts[1] <= 5


def test_the_profile_with_its_counts_is_one_query(make_client, db, settings):
    user = create_user(db)
    add_follows(db, [(fan.id, user.id) for fan in (create_user(db) for _ in range(3))])
    client = make_client("users")
    client.get(f"/users/{user.id}")
    with counted_queries(client) as statements:
        assert client.get(f"/users/{user.id}").json["followers_count"] == 3
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1


def test_deleting_a_followed_account_removes_its_follows(make_client, db, settings):
    gone, fan = create_user(db), create_user(db)
    add_follows(db, [(fan.id, gone.id), (gone.id, fan.id)])
    client = make_client("users")
    assert client.delete("/me", headers=auth_header(settings, gone)).status_code == 204
    assert follows(db) == set()
    assert client.get(f"/users/{fan.id}").json["followers_count"] == 0
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
