"""Favourite songs, albums and playlists: the same rules for the three kinds."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

from spotifiuby.models import Album, FavoriteAlbum, FavoritePlaylist, FavoriteSong, Playlist, Song
from tests.assertions import assert_error
from tests.concurrency import race
from tests.factories import (
    auth_header,
    create_album,
    create_genre,
    create_playlist,
    create_song,
    create_user,
)
from tests.queries import counted_queries

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
KINDS = ("songs", "albums", "playlists")
MODELS = {
    "songs": (Song, FavoriteSong, "song_id"),
    "albums": (Album, FavoriteAlbum, "album_id"),
    "playlists": (Playlist, FavoritePlaylist, "playlist_id"),
}
ITEM_FIELDS = {
    "songs": {"id", "title", "artist", "album", "genre", "playable", "has_audio", "play_count"},
    "albums": {"id", "title", "artist", "genre", "playable", "has_cover", "min_plan"},
    "playlists": {"id", "title", "owner", "track_count", "public", "collaborative"},
}


class Targets:
    """Builds things to favourite of one kind, sharing an artist and a genre."""

    def __init__(self, db, kind: str) -> None:
        self.db, self.kind = db, kind
        self.artist, self.genre = create_user(db, role="artist"), create_genre(db)

    def visible(self, **fields):
        if self.kind == "songs":
            return create_song(self.db, artist=self.artist, genre=self.genre, **fields)
        if self.kind == "albums":
            return create_album(self.db, artist=self.artist, genre=self.genre, **fields)
        return create_playlist(self.db, owner=self.artist, **fields)

    def hidden(self):
        """Something that exists but does not show to anyone but its owner and admins."""
        return self.visible(public=False) if self.kind == "playlists" else self.visible(blocked=True)


def favorites(db, kind: str, user) -> set[int]:
    _, model, column = MODELS[kind]
    with db.session() as session:
        return set(session.scalars(select(getattr(model, column)).where(model.user_id == user.id)))


def add_favorites(db, kind: str, user, targets, *, start: dt.datetime = T0) -> None:
    _, model, column = MODELS[kind]
    with db.session() as session:
        session.add_all(
            model(user_id=user.id, created_at=start + dt.timedelta(minutes=n), **{column: target.id})
            for n, target in enumerate(targets)
        )


@pytest.mark.parametrize("kind", KINDS)
def test_put_get_delete_are_idempotent(make_client, db, settings, kind):
    user = create_user(db)
    target = Targets(db, kind).visible()
    client = make_client("music")
    headers = auth_header(settings, user)
    url = f"/me/favorites/{kind}/{target.id}"
    assert_error(client.get(url, headers=headers), 404, "not_found")
    for _ in range(2):
        response = client.put(url, headers=headers)
        assert response.status_code == 204 and response.data == b""
    assert favorites(db, kind, user) == {target.id}
    status = client.get(url, headers=headers)
    assert status.status_code == 200
    assert status.json["favorite"] is True and set(status.json) == {"favorite", "created_at"}
    for _ in range(2):
        assert client.delete(url, headers=headers).status_code == 204
    assert favorites(db, kind, user) == set()
    assert_error(client.get(url, headers=headers), 404, "not_found")


@pytest.mark.parametrize("kind", KINDS)
def test_put_of_a_missing_or_hidden_target_is_404_and_stores_nothing(make_client, db, settings, kind):
    user = create_user(db)
    hidden = Targets(db, kind).hidden()
    client = make_client("music")
    headers = auth_header(settings, user)
    for target_id in (hidden.id, 999999, 99999999999):
        assert_error(client.put(f"/me/favorites/{kind}/{target_id}", headers=headers), 404, "not_found")
    assert favorites(db, kind, user) == set()


@pytest.mark.parametrize("kind", KINDS)
def test_the_owner_may_favourite_what_is_hidden_from_others(make_client, db, settings, kind):
    targets = Targets(db, kind)
    hidden = targets.hidden()
    response = make_client("music").put(
        f"/me/favorites/{kind}/{hidden.id}", headers=auth_header(settings, targets.artist)
    )
    assert response.status_code == 204
    assert favorites(db, kind, targets.artist) == {hidden.id}


@pytest.mark.parametrize("kind", KINDS)
def test_deleting_what_is_not_a_favourite_is_204(make_client, db, settings, kind):
    user, other = create_user(db), create_user(db)
    target = Targets(db, kind).visible()
    add_favorites(db, kind, other, [target])
    client = make_client("music")
    headers = auth_header(settings, user)
    assert client.delete(f"/me/favorites/{kind}/{target.id}", headers=headers).status_code == 204
    assert client.delete(f"/me/favorites/{kind}/999999", headers=headers).status_code == 204
    assert favorites(db, kind, other) == {target.id}


@pytest.mark.parametrize("kind", KINDS)
def test_favourites_need_a_signed_in_user(make_client, db, kind):
    client = make_client("music")
    for method in (client.get, client.put, client.delete):
        assert_error(method(f"/me/favorites/{kind}/1"), 401, "unauthorized")
    assert_error(client.get(f"/me/favorites/{kind}"), 401, "unauthorized")


@pytest.mark.parametrize("kind", KINDS)
def test_list_is_newest_first_presented_and_leaves_hidden_targets_out(make_client, db, settings, kind):
    user, other = create_user(db), create_user(db)
    targets = Targets(db, kind)
    first, second, third, later_hidden = (targets.visible() for _ in range(4))
    add_favorites(db, kind, user, [second, first, later_hidden, third])
    add_favorites(db, kind, other, [targets.visible()])
    model = MODELS[kind][0]
    change = {"public": False} if kind == "playlists" else {"blocked": True}
    with db.session() as session:
        row = session.get(model, later_hidden.id)
        for field, value in change.items():
            setattr(row, field, value)
    client = make_client("music")
    headers = auth_header(settings, user)
    response = client.get(f"/me/favorites/{kind}", headers=headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert [item["id"] for item in body["items"]] == [third.id, first.id, second.id]
    assert (body["total"], body["limit"], body["offset"]) == (3, 20, 0)
    assert all(ITEM_FIELDS[kind] <= set(item) for item in body["items"])
    page = client.get(f"/me/favorites/{kind}?limit=1&offset=1", headers=headers).json
    assert [item["id"] for item in page["items"]] == [first.id] and page["total"] == 3
    # still stored: it shows again once visible again
    assert later_hidden.id in favorites(db, kind, user)
    assert_error(client.get(f"/me/favorites/{kind}/{later_hidden.id}", headers=headers), 404, "not_found")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "query", ["limit=-1", "limit=0", "limit=101", "limit=10000", "offset=-1", "sort=new"]
)
def test_list_rejects_bad_pagination(make_client, db, settings, kind, query):
    response = make_client("music").get(
        f"/me/favorites/{kind}?{query}", headers=auth_header(settings, create_user(db))
    )
    assert_error(response, 422, "validation_failed")
    assert query.split("=")[0] in response.json["error"]["details"]


@pytest.mark.parametrize("kind", KINDS)
def test_list_costs_the_same_queries_for_1_or_50_favourites(make_client, db, settings, kind):
    user = create_user(db)
    targets = Targets(db, kind)
    items = [targets.visible() for _ in range(55)]
    if kind == "songs":
        items[-1] = create_song(db, album=create_album(db))  # the newest: on both pages
    add_favorites(db, kind, user, items)
    client = make_client("music")
    headers = auth_header(settings, user)
    client.get(f"/me/favorites/{kind}", headers=headers)  # warm-up
    counts = {}
    for limit in (1, 50):
        with counted_queries(client) as statements:
            response = client.get(f"/me/favorites/{kind}?limit={limit}", headers=headers)
        assert len(response.json["items"]) == limit
        counts[limit] = len(statements)
    assert counts[1] == counts[50]
    # auth, the page, the total, then the presenter's queries (at most four: artists, albums,
    # genres, ratings); SQLite adds BEGIN
    assert counts[1] <= 8


@pytest.mark.parametrize("kind", KINDS)
def test_deleting_the_target_removes_the_favourite(make_client, db, settings, kind):
    user = create_user(db)
    target = Targets(db, kind).visible()
    add_favorites(db, kind, user, [target])
    model = MODELS[kind][0]
    with db.session() as session:
        session.execute(delete(model).where(model.id == target.id))
    assert favorites(db, kind, user) == set()
    response = make_client("music").get(f"/me/favorites/{kind}", headers=auth_header(settings, user))
    assert response.json["items"] == [] and response.json["total"] == 0


@pytest.mark.postgres_only
@pytest.mark.parametrize("kind", KINDS)
def test_simultaneous_puts_make_one_favourite(make_client, db, settings, kind):
    user = create_user(db)
    target = Targets(db, kind).visible()
    client = make_client("music")
    headers = auth_header(settings, user)
    responses = race([lambda: client.put(f"/me/favorites/{kind}/{target.id}", headers=headers)] * 10)
    assert [r.status_code for r in responses] == [204] * 10
    _, model, _ = MODELS[kind]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(model)) == 1
