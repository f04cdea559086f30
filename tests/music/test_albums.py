"""Albums: GET /albums, GET/POST/PATCH/DELETE /albums/{id}, PUT/DELETE /albums/{id}/songs/{song_id}."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from functions.music.media.storage import LocalStorage
from spotifiuby.models import Album, FavoriteAlbum, Song
from tests.assertions import assert_error
from tests.concurrency import race
from tests.factories import auth_header, create_album, create_genre, create_song, create_user
from tests.queries import counted_queries

ALBUM_FIELDS = {
    "id",
    "title",
    "description",
    "artist",
    "genre",
    "min_plan",
    "playable",
    "has_cover",
    "rating",
    "blocked",
    "created_at",
    "updated_at",
}
T0 = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def tracks(response) -> list[tuple[int, int]]:
    """(song id, track number) of an album answer, in order."""
    assert response.status_code in (200, 201), response.json
    return [(t["id"], t["track_number"]) for t in response.json["tracks"]]


def stored_tracks(db, album_id: int) -> list[tuple[int, int]]:
    with db.session() as session:
        rows = session.execute(
            select(Song.id, Song.track_number).where(Song.album_id == album_id).order_by(Song.track_number)
        )
        return [tuple(row) for row in rows]


def stored(db, album_id: int) -> Album | None:
    with db.session() as session:
        return session.get(Album, album_id)


def album_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Album))


@pytest.fixture
def artist(db):
    return create_user(db, role="artist", name="Ann Artist")


@pytest.fixture
def genre(db):
    return create_genre(db, name="Rock")


# --- POST /albums --------------------------------------------------------------------------------


def test_an_artist_publishes_an_album_with_songs_in_the_given_order(make_client, db, settings, artist, genre):
    a, b, c = (create_song(db, artist=artist, genre=genre) for _ in range(3))
    body = {"title": "Tides", "genre_id": genre.id, "min_plan": "regular", "song_ids": [c.id, a.id, b.id]}
    response = make_client("music").post("/albums", json=body, headers=auth_header(settings, artist))
    assert response.status_code == 201, response.json
    album = response.json
    assert set(album) == ALBUM_FIELDS | {"tracks"}
    assert (album["title"], album["description"], album["min_plan"]) == ("Tides", "", "regular")
    assert album["artist"] == {"id": artist.id, "name": "Ann Artist"}
    assert album["genre"] == {"id": genre.id, "name": "Rock"}
    assert (album["playable"], album["has_cover"], album["blocked"]) == (True, False, False)
    assert tracks(response) == [(c.id, 1), (a.id, 2), (b.id, 3)]
    assert all(t["album"] == {"id": album["id"], "title": "Tides"} for t in album["tracks"])
    assert stored_tracks(db, album["id"]) == [(c.id, 1), (a.id, 2), (b.id, 3)]


def test_an_album_without_songs(make_client, db, settings, artist, genre):
    body = {"title": "Empty", "description": "soon", "genre_id": genre.id, "min_plan": "free"}
    response = make_client("music").post("/albums", json=body, headers=auth_header(settings, artist))
    assert response.status_code == 201 and response.json["tracks"] == []


def test_listeners_cannot_publish_albums(make_client, db, settings, genre):
    body = {"title": "Nope", "genre_id": genre.id, "min_plan": "free"}
    client = make_client("music")
    assert_error(
        client.post("/albums", json=body, headers=auth_header(settings, create_user(db))),
        403,
        "artist_required",
    )
    assert_error(client.post("/albums", json=body), 401, "unauthorized")
    assert album_count(db) == 0


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"title": None}, {"title"}),
        ({"title": " "}, {"title"}),
        ({"genre_id": 0}, {"genre_id"}),
        ({"genre_id": 4242}, {"genre_id"}),
        ({"min_plan": "diamond"}, {"min_plan"}),
        ({"min_plan": None}, {"min_plan"}),
        ({"song_ids": None}, {"song_ids"}),
        ({"song_ids": "1,2"}, {"song_ids"}),
        ({"song_ids": [0]}, {"song_ids"}),
        ({"song_ids": [4242]}, {"song_ids"}),
        ({"blocked": True}, {"blocked"}),
        ({"genre_id": 4242, "song_ids": [4242]}, {"genre_id", "song_ids"}),
    ],
)
def test_invalid_album_bodies_are_422_and_store_nothing(
    make_client, db, settings, artist, genre, change, fields
):
    body = {"title": "Album", "genre_id": genre.id, "min_plan": "free", **change}
    response = make_client("music").post("/albums", json=body, headers=auth_header(settings, artist))
    assert set(assert_error(response, 422, "validation_failed")) == fields
    assert album_count(db) == 0


def test_song_ids_must_be_distinct_own_singles(make_client, db, settings, artist, genre):
    mine = create_song(db, artist=artist, genre=genre)
    in_album = create_song(db, album=create_album(db, artist=artist, genre=genre), track_number=1)
    foreign = create_song(db, genre=genre)
    client = make_client("music")
    headers = auth_header(settings, artist)
    body = {"title": "Mixed", "genre_id": genre.id, "min_plan": "free"}
    response = client.post(
        "/albums", json={**body, "song_ids": [mine.id, in_album.id, foreign.id]}, headers=headers
    )
    details = assert_error(response, 422, "validation_failed")
    assert set(details["song_ids"]) == {"1", "2"}  # by position in the list
    response = client.post("/albums", json={**body, "song_ids": [mine.id, mine.id]}, headers=headers)
    assert set(assert_error(response, 422, "validation_failed")) == {"song_ids"}
    assert album_count(db) == 1  # the album in_album is in
    with db.session() as session:
        assert session.get(Song, mine.id).album_id is None


# --- GET /albums and /albums/{id} ----------------------------------------------------------------


def test_albums_are_listed_newest_first_and_filters_combine(make_client, db, artist, genre):
    jazz = create_genre(db, name="Jazz")
    old = create_album(db, artist=artist, genre=genre, title="Harbour Lights", created_at=T0)
    new = create_album(
        db, artist=artist, genre=jazz, title="Night Harbour", created_at=T0 + dt.timedelta(days=1)
    )
    other = create_album(
        db, genre=genre, title="Harbour", description="x", created_at=T0 + dt.timedelta(days=2)
    )
    client = make_client("music")
    response = client.get("/albums")
    assert ids(response) == [other.id, new.id, old.id] and response.json["total"] == 3
    assert set(response.json["items"][0]) == ALBUM_FIELDS
    assert ids(client.get(f"/albums?artist_id={artist.id}")) == [new.id, old.id]
    assert ids(client.get(f"/albums?artist_id={artist.id}&genre_id={genre.id}")) == [old.id]
    assert ids(client.get("/albums?q=harbour")) == [other.id, new.id, old.id]
    assert ids(client.get(f"/albums?q=lights&genre_id={genre.id}")) == [old.id]
    assert ids(client.get("/albums?limit=1&offset=1")) == [new.id]
    for name in ("artist_id", "genre_id"):
        assert ids(client.get(f"/albums?{name}=0")) == []


@pytest.mark.parametrize("query", ["limit=-1", "limit=10000", "offset=-1", "genre_id=x", "album_id=1", "q="])
def test_bad_album_queries_are_422(make_client, db, query):
    response = make_client("music").get(f"/albums?{query}")
    assert set(assert_error(response, 422, "validation_failed")) == {query.split("=")[0]}


def test_an_album_answers_its_visible_tracks_in_order(make_client, db, settings, artist, genre):
    album = create_album(db, artist=artist, genre=genre)
    third = create_song(db, album=album, track_number=3, created_at=T0)
    first = create_song(db, album=album, track_number=1, created_at=T0 + dt.timedelta(days=1))
    blocked = create_song(db, album=album, track_number=2, blocked=True)
    client = make_client("music")
    response = client.get(f"/albums/{album.id}")
    assert set(response.json) == ALBUM_FIELDS | {"tracks"}
    assert tracks(response) == [(first.id, 1), (third.id, 3)]
    assert tracks(client.get(f"/albums/{album.id}", headers=auth_header(settings, artist))) == [
        (first.id, 1),
        (blocked.id, 2),
        (third.id, 3),
    ]
    for path in (f"/albums/{album.id + 1}", "/albums/0", "/albums/abc", "/albums/99999999999"):
        assert_error(client.get(path), 404, "not_found")


def test_a_blocked_album_and_its_songs_show_only_to_its_artist_and_admins(
    make_client, db, settings, artist, genre
):
    album = create_album(db, artist=artist, genre=genre, blocked=True)
    song = create_song(db, album=album, track_number=1)
    client = make_client("music")
    for headers in ({}, auth_header(settings, create_user(db))):
        assert ids(client.get("/albums", headers=headers)) == []
        assert ids(client.get("/songs", headers=headers)) == []
        assert_error(client.get(f"/albums/{album.id}", headers=headers), 404, "not_found")
        assert_error(client.get(f"/songs/{song.id}", headers=headers), 404, "not_found")
    for viewer in (artist, create_user(db, role="admin")):
        headers = auth_header(settings, viewer)
        assert ids(client.get("/albums", headers=headers)) == [album.id]
        assert ids(client.get("/songs", headers=headers)) == [song.id]
        detail = client.get(f"/albums/{album.id}", headers=headers)
        assert detail.json["blocked"] is True and tracks(detail) == [(song.id, 1)]


def test_a_song_in_a_gold_album_is_gold(make_client, db, settings, artist, genre):
    album = create_album(db, artist=artist, genre=genre, min_plan="gold")
    song = create_song(db, album=album, track_number=1, min_plan="free")
    client = make_client("music")
    for headers, playable in (
        ({}, False),
        (auth_header(settings, create_user(db)), False),
        (auth_header(settings, artist), True),
        (auth_header(settings, create_user(db, role="admin")), True),
    ):
        detail = client.get(f"/albums/{album.id}", headers=headers).json
        assert (detail["playable"], detail["tracks"][0]["playable"]) == (playable, playable)
        assert client.get(f"/songs/{song.id}", headers=headers).json["playable"] is playable
        assert client.get("/albums", headers=headers).json["items"][0]["playable"] is playable


# --- PATCH /albums/{id} --------------------------------------------------------------------------


def test_the_artist_or_an_admin_changes_only_the_given_fields(make_client, db, settings, artist, genre):
    jazz = create_genre(db, name="Jazz")
    album = create_album(db, artist=artist, genre=genre, title="Old", description="keep", min_plan="free")
    client = make_client("music")
    response = client.patch(
        f"/albums/{album.id}", json={"title": "New"}, headers=auth_header(settings, artist)
    )
    assert response.status_code == 200, response.json
    assert (response.json["title"], response.json["description"], response.json["min_plan"]) == (
        "New",
        "keep",
        "free",
    )
    admin = auth_header(settings, create_user(db, role="admin"))
    response = client.patch(
        f"/albums/{album.id}", json={"genre_id": jazz.id, "min_plan": "gold"}, headers=admin
    )
    assert response.json["genre"]["id"] == jazz.id and response.json["min_plan"] == "gold"
    row = stored(db, album.id)
    assert (row.title, row.description, row.genre_id, row.min_plan) == ("New", "keep", jazz.id, "gold")


@pytest.mark.parametrize(
    "body",
    [
        {"title": None},
        {"genre_id": None},
        {"min_plan": None},
        {"description": None},
        {"genre_id": 0},
        {"genre_id": 4242},
        {"blocked": False},
        {"song_ids": []},
        {"title": "Fine", "min_plan": None},
    ],
)
def test_invalid_album_changes_are_422_and_change_nothing(make_client, db, settings, artist, genre, body):
    album = create_album(db, artist=artist, genre=genre, title="Same", min_plan="silver", blocked=True)
    response = make_client("music").patch(
        f"/albums/{album.id}", json=body, headers=auth_header(settings, artist)
    )
    assert_error(response, 422, "validation_failed")
    row = stored(db, album.id)
    assert (row.title, row.genre_id, row.min_plan, row.blocked) == ("Same", genre.id, "silver", True)


def test_others_cannot_change_or_delete_an_album(make_client, db, settings, artist, genre):
    album = create_album(db, artist=artist, genre=genre, title="Mine")
    hidden = create_album(db, artist=artist, genre=genre, blocked=True)
    client = make_client("music")
    other = auth_header(settings, create_user(db, role="artist"))
    assert_error(client.patch(f"/albums/{album.id}", json={"title": "x"}, headers=other), 403, "not_owner")
    assert_error(client.delete(f"/albums/{album.id}", headers=other), 403, "not_owner")
    assert_error(client.patch(f"/albums/{hidden.id}", json={"title": "x"}, headers=other), 404, "not_found")
    assert_error(client.delete(f"/albums/{hidden.id}", headers=other), 404, "not_found")
    assert_error(client.delete(f"/albums/{album.id}"), 401, "unauthorized")
    assert stored(db, album.id).title == "Mine" and stored(db, hidden.id) is not None


# --- DELETE /albums/{id} -------------------------------------------------------------------------


def test_deleting_an_album_keeps_its_songs_as_singles_and_removes_its_cover(
    make_client, db, settings, artist, genre
):
    album = create_album(db, artist=artist, genre=genre, cover_key=f"covers/test/{artist.id}")
    LocalStorage(settings.media_dir).put(
        album.cover_key, io.BytesIO(b"\x89PNG"), content_type="image/png", max_bytes=99
    )
    songs = [create_song(db, album=album, track_number=n) for n in (1, 2)]
    fan = create_user(db)
    with db.session() as session:
        session.add(FavoriteAlbum(user_id=fan.id, album_id=album.id))
    client = make_client("music")
    response = client.delete(f"/albums/{album.id}", headers=auth_header(settings, artist))
    assert response.status_code == 204 and response.data == b""
    assert stored(db, album.id) is None
    assert not (settings.media_dir / album.cover_key).exists()
    with db.session() as session:
        rows = session.execute(select(Song.id, Song.album_id, Song.track_number).order_by(Song.id)).all()
        assert session.scalar(select(func.count()).select_from(FavoriteAlbum)) == 0
    assert [tuple(row) for row in rows] == [(songs[0].id, None, None), (songs[1].id, None, None)]
    assert_error(
        client.delete(f"/albums/{album.id}", headers=auth_header(settings, artist)), 404, "not_found"
    )


# --- PUT and DELETE /albums/{id}/songs/{song_id} -------------------------------------------------


def test_adding_a_single_appends_it_and_adding_it_again_changes_nothing(
    make_client, db, settings, artist, genre
):
    album = create_album(db, artist=artist, genre=genre)
    first = create_song(db, album=album, track_number=1)
    single = create_song(db, artist=artist, genre=genre)
    client = make_client("music")
    headers = auth_header(settings, artist)
    response = client.put(f"/albums/{album.id}/songs/{single.id}", headers=headers)
    assert set(response.json) == ALBUM_FIELDS | {"tracks"}
    assert tracks(response) == [(first.id, 1), (single.id, 2)]
    assert tracks(client.put(f"/albums/{album.id}/songs/{single.id}", headers=headers)) == [
        (first.id, 1),
        (single.id, 2),
    ]
    assert tracks(client.put(f"/albums/{album.id}/songs/{first.id}", headers=headers)) == [
        (first.id, 1),
        (single.id, 2),
    ]
    assert stored_tracks(db, album.id) == [(first.id, 1), (single.id, 2)]


def test_what_cannot_be_added_to_an_album(make_client, db, settings, artist, genre):
    album = create_album(db, artist=artist, genre=genre)
    other_album = create_album(db, artist=artist, genre=genre)
    elsewhere = create_song(db, album=other_album, track_number=1)
    foreign = create_song(db, genre=genre)
    single = create_song(db, artist=artist, genre=genre)
    client = make_client("music")
    headers = auth_header(settings, artist)
    assert_error(
        client.put(f"/albums/{album.id}/songs/{elsewhere.id}", headers=headers), 409, "song_in_other_album"
    )
    assert_error(client.put(f"/albums/{album.id}/songs/{foreign.id}", headers=headers), 403, "not_owner")
    assert_error(client.put(f"/albums/{album.id}/songs/4242", headers=headers), 404, "not_found")
    assert_error(client.put(f"/albums/4242/songs/{single.id}", headers=headers), 404, "not_found")
    stranger = auth_header(settings, create_user(db, role="artist"))
    assert_error(client.put(f"/albums/{album.id}/songs/{single.id}", headers=stranger), 403, "not_owner")
    assert_error(client.put(f"/albums/{album.id}/songs/{single.id}"), 401, "unauthorized")
    assert stored_tracks(db, album.id) == [] and stored_tracks(db, other_album.id) == [(elsewhere.id, 1)]


def test_removing_a_track_makes_it_a_single_and_renumbers_the_rest(make_client, db, settings, artist, genre):
    album = create_album(db, artist=artist, genre=genre)
    a, b, c, d = (create_song(db, album=album, track_number=n) for n in (1, 2, 3, 4))
    client = make_client("music")
    headers = auth_header(settings, artist)
    assert client.delete(f"/albums/{album.id}/songs/{b.id}", headers=headers).status_code == 204
    assert stored_tracks(db, album.id) == [(a.id, 1), (c.id, 2), (d.id, 3)]
    assert client.delete(f"/albums/{album.id}/songs/{b.id}", headers=headers).status_code == 204  # idempotent
    assert client.delete(f"/albums/{album.id}/songs/{d.id}", headers=headers).status_code == 204
    assert tracks(client.get(f"/albums/{album.id}")) == [(a.id, 1), (c.id, 2)]
    with db.session() as session:
        assert (session.get(Song, b.id).album_id, session.get(Song, b.id).track_number) == (None, None)
    assert_error(client.delete(f"/albums/{album.id}/songs/4242", headers=headers), 404, "not_found")
    stranger = auth_header(settings, create_user(db, role="artist"))
    assert_error(client.delete(f"/albums/{album.id}/songs/{a.id}", headers=stranger), 403, "not_owner")
    assert stored_tracks(db, album.id) == [(a.id, 1), (c.id, 2)]


# --- a fixed number of queries -------------------------------------------------------------------


def test_listing_albums_costs_the_same_queries_for_1_or_50_albums(make_client, db, settings):
    client = make_client("music")
    viewer = auth_header(settings, create_user(db))

    def queries_for(n: int) -> int:
        genre = create_genre(db)
        for _ in range(n):
            create_album(db, genre=genre)  # each with its own artist
        with counted_queries(client) as statements:
            response = client.get(f"/albums?genre_id={genre.id}&limit=50", headers=viewer)
        assert len(ids(response)) == n
        return len(statements)

    assert queries_for(1) == queries_for(50)


def test_an_album_costs_the_same_queries_with_1_or_50_tracks(make_client, db, settings, artist, genre):
    client = make_client("music")
    viewer = auth_header(settings, create_user(db))

    def queries_for(n: int) -> int:
        album = create_album(db, artist=artist, genre=genre)
        for number in range(1, n + 1):
            create_song(db, album=album, track_number=number, genre=create_genre(db))
        with counted_queries(client) as statements:
            response = client.get(f"/albums/{album.id}", headers=viewer)
        assert len(tracks(response)) == n
        return len(statements)

    assert queries_for(1) == queries_for(50)


# --- races (PostgreSQL) --------------------------------------------------------------------------


@pytest.mark.postgres_only
def test_one_single_added_to_two_albums_at_once_lands_in_one(make_client, db, settings, artist, genre):
    client = make_client("music")
    headers = auth_header(settings, artist)
    for _ in range(5):
        albums = [create_album(db, artist=artist, genre=genre) for _ in range(2)]
        song = create_song(db, artist=artist, genre=genre)
        responses = race(
            [lambda a=a, s=song: client.put(f"/albums/{a.id}/songs/{s.id}", headers=headers) for a in albums]
        )
        assert sorted(r.status_code for r in responses) == [200, 409], [r.json for r in responses]
        winner = albums[[r.status_code for r in responses].index(200)]
        assert [stored_tracks(db, a.id) for a in albums].count([(song.id, 1)]) == 1
        assert stored_tracks(db, winner.id) == [(song.id, 1)]


@pytest.mark.postgres_only
def test_tracks_added_at_once_get_distinct_numbers(make_client, db, settings, artist, genre):
    album = create_album(db, artist=artist, genre=genre)
    songs = [create_song(db, artist=artist, genre=genre) for _ in range(10)]
    client = make_client("music")
    headers = auth_header(settings, artist)
    calls = [lambda s=s: client.put(f"/albums/{album.id}/songs/{s.id}", headers=headers) for s in songs]
    calls += [
        lambda: client.post(
            "/songs",
            json={"title": "New", "genre_id": genre.id, "min_plan": "free", "album_id": album.id},
            headers=headers,
        )
    ] * 5
    responses = race(calls)
    assert sorted({r.status_code for r in responses}) == [200, 201]
    assert [number for _, number in stored_tracks(db, album.id)] == list(range(1, 16))
