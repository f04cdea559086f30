"""Songs: GET /songs (filters, visibility, playable), GET/POST/PATCH/DELETE /songs/{id}."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from functions.music.media.storage import LocalStorage
from spotifiuby.models import FavoriteSong, Play, PlaylistTrack, Song
from tests.assertions import assert_error
from tests.factories import (
    auth_header,
    create_album,
    create_genre,
    create_playlist,
    create_song,
    create_user,
)
from tests.queries import counted_queries

SONG_FIELDS = {
    "id",
    "title",
    "description",
    "artist",
    "album",
    "track_number",
    "genre",
    "min_plan",
    "playable",
    "duration_seconds",
    "has_audio",
    "play_count",
    "rating",
    "blocked",
    "created_at",
    "updated_at",
}
T0 = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def stored(db, song_id: int) -> Song | None:
    with db.session() as session:
        return session.get(Song, song_id)


def song_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Song))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


@pytest.fixture
def artist(db):
    return create_user(db, role="artist", name="Ann Artist")


@pytest.fixture
def genre(db):
    return create_genre(db, name="Rock")


# --- POST /songs ---------------------------------------------------------------------------------


def test_an_artist_publishes_a_song(make_client, db, settings, artist, genre):
    body = {"title": " Blue Moon ", "description": "A slow one", "genre_id": genre.id, "min_plan": "silver"}
    response = make_client("music").post("/songs", json=body, headers=auth_header(settings, artist))
    assert response.status_code == 201, response.json
    song = response.json
    assert set(song) == SONG_FIELDS
    assert song["title"] == "Blue Moon" and song["description"] == "A slow one"
    assert song["artist"] == {"id": artist.id, "name": "Ann Artist"}
    assert song["genre"] == {"id": genre.id, "name": "Rock"}
    assert (song["album"], song["track_number"], song["min_plan"]) == (None, None, "silver")
    assert (song["playable"], song["has_audio"], song["play_count"], song["blocked"]) == (
        True,
        False,
        0,
        False,
    )
    row = stored(db, song["id"])
    assert (row.artist_id, row.genre_id, row.min_plan, row.blocked) == (artist.id, genre.id, "silver", False)


def test_description_defaults_to_empty_and_an_admin_publishes_as_themself(make_client, db, settings, genre):
    admin = create_user(db, role="admin")
    body = {"title": "Anthem", "genre_id": genre.id, "min_plan": "free"}
    response = make_client("music").post("/songs", json=body, headers=auth_header(settings, admin))
    assert response.status_code == 201, response.json
    assert response.json["description"] == "" and response.json["artist"]["id"] == admin.id


def test_listeners_and_anonymous_callers_cannot_publish(make_client, db, settings, genre):
    client = make_client("music")
    body = {"title": "Nope", "genre_id": genre.id, "min_plan": "free"}
    listener = auth_header(settings, create_user(db))
    assert_error(client.post("/songs", json=body, headers=listener), 403, "artist_required")
    assert_error(client.post("/songs", json=body), 401, "unauthorized")
    assert song_count(db) == 0


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"title": None}, {"title"}),
        ({"title": "   "}, {"title"}),
        ({"title": "x" * 201}, {"title"}),
        ({"description": "x" * 2001}, {"description"}),
        ({"description": None}, {"description"}),
        ({"genre_id": 0}, {"genre_id"}),
        ({"genre_id": -3}, {"genre_id"}),
        ({"genre_id": "1"}, {"genre_id"}),
        ({"genre_id": 1.5}, {"genre_id"}),
        ({"genre_id": True}, {"genre_id"}),
        ({"genre_id": 2**31}, {"genre_id"}),
        ({"genre_id": 4242}, {"genre_id"}),  # names no genre
        ({"genre_id": None}, {"genre_id"}),
        ({"min_plan": "platinum"}, {"min_plan"}),
        ({"min_plan": None}, {"min_plan"}),
        ({"album_id": 0}, {"album_id"}),
        ({"album_id": 4242}, {"album_id"}),  # names no album
        ({"blocked": False}, {"blocked"}),
        ({"artist_id": 1}, {"artist_id"}),
        ({"genre_id": 4242, "album_id": 4242}, {"genre_id", "album_id"}),
    ],
)
def test_invalid_song_bodies_are_422_and_store_nothing(
    make_client, db, settings, artist, genre, change, fields
):
    body = {"title": "Song", "genre_id": genre.id, "min_plan": "free", **change}
    response = make_client("music").post("/songs", json=body, headers=auth_header(settings, artist))
    assert set(assert_error(response, 422, "validation_failed")) == fields
    assert song_count(db) == 0


@pytest.mark.parametrize("missing", ["title", "genre_id", "min_plan"])
def test_required_song_fields(make_client, db, settings, artist, genre, missing):
    body = {"title": "Song", "genre_id": genre.id, "min_plan": "free"}
    del body[missing]
    response = make_client("music").post("/songs", json=body, headers=auth_header(settings, artist))
    assert set(assert_error(response, 422, "validation_failed")) == {missing}


def test_a_song_published_into_an_own_album_becomes_its_last_track(make_client, db, settings, artist, genre):
    album = create_album(db, artist=artist, genre=genre, title="Tides")
    client = make_client("music")
    headers = auth_header(settings, artist)
    numbers = []
    for title in ("One", "Two"):
        body = {"title": title, "genre_id": genre.id, "min_plan": "free", "album_id": album.id}
        response = client.post("/songs", json=body, headers=headers)
        assert response.status_code == 201, response.json
        assert response.json["album"] == {"id": album.id, "title": "Tides"}
        numbers.append(response.json["track_number"])
    assert numbers == [1, 2]


def test_a_song_cannot_go_into_another_artists_album(make_client, db, settings, artist, genre):
    album = create_album(db, genre=genre)
    body = {"title": "Sneaky", "genre_id": genre.id, "min_plan": "free", "album_id": album.id}
    response = make_client("music").post("/songs", json=body, headers=auth_header(settings, artist))
    assert set(assert_error(response, 422, "validation_failed")) == {"album_id"}
    assert song_count(db) == 0


# --- GET /songs/{id} -----------------------------------------------------------------------------


def test_anyone_reads_a_song_and_ids_that_name_none_are_404(make_client, db, genre):
    song = create_song(db, genre=genre, title="Open", description="d", min_plan="free", play_count=3)
    client = make_client("music")
    response = client.get(f"/songs/{song.id}")
    assert response.status_code == 200, response.json
    assert set(response.json) == SONG_FIELDS
    assert (response.json["title"], response.json["play_count"], response.json["playable"]) == (
        "Open",
        3,
        True,
    )
    for path in (
        f"/songs/{song.id + 1}",
        "/songs/0",
        "/songs/-1",
        "/songs/abc",
        "/songs/1.5",
        "/songs/4294967296",
    ):
        assert_error(client.get(path), 404, "not_found")


# --- GET /songs ----------------------------------------------------------------------------------


def test_songs_are_listed_newest_first_then_by_id(make_client, db, genre):
    older = create_song(db, genre=genre, created_at=T0)
    same_a = create_song(db, genre=genre, created_at=T0 + dt.timedelta(hours=1))
    same_b = create_song(db, genre=genre, created_at=T0 + dt.timedelta(hours=1))
    newest = create_song(db, genre=genre, created_at=T0 + dt.timedelta(days=1))
    response = make_client("music").get("/songs")
    assert ids(response) == [newest.id, same_b.id, same_a.id, older.id]
    assert (response.json["total"], response.json["limit"], response.json["offset"]) == (4, 20, 0)


def test_song_pages(make_client, db, genre):
    songs = [create_song(db, genre=genre, created_at=T0 - dt.timedelta(minutes=n)) for n in range(5)]
    client = make_client("music")
    assert ids(client.get("/songs?limit=2&offset=0")) == [songs[0].id, songs[1].id]
    page = client.get("/songs?limit=2&offset=4")
    assert ids(page) == [songs[4].id] and page.json["total"] == 5
    assert ids(client.get("/songs?offset=9")) == []


def test_filters_combine(make_client, db, artist, genre):
    other_genre = create_genre(db, name="Jazz")
    album = create_album(db, artist=artist, genre=genre)
    in_album = create_song(db, album=album, title="Moon River")
    single = create_song(db, artist=artist, genre=genre, title="Moon Walk")
    jazz = create_song(db, artist=artist, genre=other_genre, title="Moon Jazz")
    stranger = create_song(db, genre=genre, title="Moonlight", description="moon")
    client = make_client("music")
    assert sorted(ids(client.get(f"/songs?artist_id={artist.id}"))) == sorted(
        [in_album.id, single.id, jazz.id]
    )
    assert sorted(ids(client.get(f"/songs?genre_id={genre.id}&artist_id={artist.id}"))) == sorted(
        [in_album.id, single.id]
    )
    assert ids(client.get(f"/songs?album_id={album.id}")) == [in_album.id]
    assert ids(client.get(f"/songs?genre_id={other_genre.id}&q=moon")) == [jazz.id]
    assert ids(client.get(f"/songs?genre_id={genre.id}&q=walk")) == [single.id]
    assert ids(client.get(f"/songs?artist_id={stranger.artist_id}&genre_id={other_genre.id}")) == []


@pytest.mark.parametrize("name", ["genre_id", "artist_id", "album_id"])
def test_a_filter_of_0_is_a_filter_that_matches_nothing(make_client, db, name):
    create_song(db, album=create_album(db))
    response = make_client("music").get(f"/songs?{name}=0")
    assert ids(response) == [] and response.json["total"] == 0


def test_q_searches_title_and_description_whatever_the_case(make_client, db, genre):
    by_title = create_song(db, genre=genre, title="Rainy Day Blues", created_at=T0)
    by_description = create_song(db, genre=genre, title="Untitled", description="written on a RAINY night")
    create_song(db, genre=genre, title="Sunny", description="bright")
    client = make_client("music")
    assert sorted(ids(client.get("/songs?q=rainy"))) == sorted([by_title.id, by_description.id])
    assert ids(client.get("/songs?q=RAINY%20blues")) == [by_title.id]
    assert ids(client.get("/songs?q=snow")) == []


@pytest.mark.parametrize(
    "query",
    [
        "limit=-1",
        "limit=0",
        "limit=10000",
        "offset=-1",
        "genre_id=abc",
        "genre_id=-1",
        "artist_id=1.5",
        "album_id=99999999999",
        "q=",
        f"q={'x' * 101}",
        "sort=title",
    ],
)
def test_bad_song_queries_are_422(make_client, db, query):
    response = make_client("music").get(f"/songs?{query}")
    assert set(assert_error(response, 422, "validation_failed")) == {query.split("=")[0]}


def test_blocked_songs_and_songs_of_blocked_albums_show_only_to_their_artist_and_admins(
    make_client, db, settings, artist, genre
):
    blocked_album = create_album(db, artist=artist, genre=genre, blocked=True)
    open_song = create_song(db, artist=artist, genre=genre, created_at=T0)
    blocked_song = create_song(
        db, artist=artist, genre=genre, blocked=True, created_at=T0 + dt.timedelta(hours=1)
    )
    in_blocked_album = create_song(db, album=blocked_album, created_at=T0 + dt.timedelta(hours=2))
    client = make_client("music")
    everything = [in_blocked_album.id, blocked_song.id, open_song.id]
    for headers in (
        {},
        auth_header(settings, create_user(db)),
        auth_header(settings, create_user(db, role="artist")),
    ):
        listed = client.get("/songs", headers=headers)
        assert ids(listed) == [open_song.id] and listed.json["total"] == 1
        for hidden in (blocked_song, in_blocked_album):
            assert_error(client.get(f"/songs/{hidden.id}", headers=headers), 404, "not_found")
        assert ids(client.get(f"/songs?album_id={blocked_album.id}", headers=headers)) == []
    for viewer in (artist, create_user(db, role="admin")):
        headers = auth_header(settings, viewer)
        listed = client.get("/songs", headers=headers)
        assert ids(listed) == everything
        assert [s["blocked"] for s in listed.json["items"]] == [False, True, False]
        assert client.get(f"/songs/{blocked_song.id}", headers=headers).status_code == 200
        assert client.get(f"/songs/{in_blocked_album.id}", headers=headers).status_code == 200


def test_playable_says_whether_the_caller_can_play_the_song(make_client, db, settings, artist, genre):
    gold = create_song(db, artist=artist, genre=genre, min_plan="gold", created_at=T0)
    free = create_song(db, artist=artist, genre=genre, min_plan="free", created_at=T0 - dt.timedelta(hours=1))
    gold_album = create_album(db, artist=artist, genre=genre, min_plan="gold")
    free_in_gold_album = create_song(
        db, album=gold_album, min_plan="free", created_at=T0 - dt.timedelta(hours=2)
    )
    client = make_client("music")
    order = [gold.id, free.id, free_in_gold_album.id]
    cases = [
        ({}, [False, True, False]),  # anonymous: free
        (auth_header(settings, create_user(db)), [False, True, False]),  # a listener on free
        (auth_header(settings, artist), [True, True, True]),  # the owner
        (auth_header(settings, create_user(db, role="admin")), [True, True, True]),
    ]
    for headers, playable in cases:
        listed = client.get("/songs", headers=headers)
        assert ids(listed) == order
        assert [s["playable"] for s in listed.json["items"]] == playable
        assert [client.get(f"/songs/{i}", headers=headers).json["playable"] for i in order] == playable


# --- PATCH /songs/{id} ---------------------------------------------------------------------------


def test_the_artist_changes_only_the_given_fields(make_client, db, settings, artist, genre):
    jazz = create_genre(db, name="Jazz")
    song = create_song(db, artist=artist, genre=genre, title="Old", description="keep", min_plan="free")
    response = make_client("music").patch(
        f"/songs/{song.id}",
        json={"title": " New ", "genre_id": jazz.id},
        headers=auth_header(settings, artist),
    )
    assert response.status_code == 200, response.json
    assert (response.json["title"], response.json["description"]) == ("New", "keep")
    assert response.json["genre"] == {"id": jazz.id, "name": "Jazz"}
    row = stored(db, song.id)
    assert (row.title, row.description, row.genre_id, row.min_plan) == ("New", "keep", jazz.id, "free")
    assert row.updated_at > song.updated_at


def test_an_admin_edits_any_song_and_others_cannot(make_client, db, settings, artist, genre):
    song = create_song(db, artist=artist, genre=genre, title="Mine")
    client = make_client("music")
    admin = auth_header(settings, create_user(db, role="admin"))
    assert (
        client.patch(f"/songs/{song.id}", json={"min_plan": "gold"}, headers=admin).json["min_plan"] == "gold"
    )
    for other in (create_user(db, role="artist"), create_user(db)):
        response = client.patch(
            f"/songs/{song.id}", json={"title": "Stolen"}, headers=auth_header(settings, other)
        )
        assert_error(response, 403, "not_owner")
    assert_error(client.patch(f"/songs/{song.id}", json={"title": "Anon"}), 401, "unauthorized")
    assert stored(db, song.id).title == "Mine"


def test_a_song_hidden_from_the_caller_is_404_to_change(make_client, db, settings, genre):
    song = create_song(db, genre=genre, blocked=True)
    client = make_client("music")
    headers = auth_header(settings, create_user(db, role="artist"))
    assert_error(client.patch(f"/songs/{song.id}", json={"title": "x"}, headers=headers), 404, "not_found")
    assert_error(client.delete(f"/songs/{song.id}", headers=headers), 404, "not_found")
    assert_error(client.patch("/songs/4242", json={"title": "x"}, headers=headers), 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"title": None},
        {"genre_id": None},
        {"min_plan": None},
        {"description": None},
        {"title": ""},
        {"genre_id": 0},
        {"genre_id": 4242},
        {"min_plan": "vip"},
        {"album_id": 4242},
        {"album_id": "1"},
        {"artist_id": 99},
        {"play_count": 1000},
        {"title": "Fine", "genre_id": None},
    ],
)
def test_invalid_changes_are_422_and_change_nothing(make_client, db, settings, artist, genre, body):
    song = create_song(db, artist=artist, genre=genre, title="Same", min_plan="silver")
    response = make_client("music").patch(
        f"/songs/{song.id}", json=body, headers=auth_header(settings, artist)
    )
    assert_error(response, 422, "validation_failed")
    row = stored(db, song.id)
    assert (row.title, row.genre_id, row.min_plan, row.description, row.album_id, row.play_count) == (
        "Same",
        genre.id,
        "silver",
        song.description,
        None,
        0,
    )
    assert row.updated_at == song.updated_at


def test_an_owner_cannot_unblock_their_song_through_an_edit(make_client, db, settings, artist, genre):
    song = create_song(db, artist=artist, genre=genre, blocked=True, blocked_reason="spam")
    response = make_client("music").patch(
        f"/songs/{song.id}", json={"blocked": False}, headers=auth_header(settings, artist)
    )
    assert set(assert_error(response, 422, "validation_failed")) == {"blocked"}
    assert stored(db, song.id).blocked is True


def test_album_id_moves_a_song_between_own_albums_and_null_makes_it_a_single(
    make_client, db, settings, artist, genre
):
    first, second = create_album(db, artist=artist, genre=genre), create_album(db, artist=artist, genre=genre)
    a, b, c = (create_song(db, album=first, track_number=n) for n in (1, 2, 3))
    x = create_song(db, album=second, track_number=1)
    client = make_client("music")
    headers = auth_header(settings, artist)
    moved = client.patch(f"/songs/{a.id}", json={"album_id": second.id}, headers=headers)
    assert moved.status_code == 200, moved.json
    assert (moved.json["album"]["id"], moved.json["track_number"]) == (second.id, 2)
    single = client.patch(f"/songs/{c.id}", json={"album_id": None}, headers=headers)
    assert (single.json["album"], single.json["track_number"]) == (None, None)
    with db.session() as session:
        rows = dict(
            session.execute(select(Song.id, Song.track_number).where(Song.album_id.is_not(None))).all()
        )
        albums = dict(session.execute(select(Song.id, Song.album_id)).all())
    assert rows == {b.id: 1, x.id: 1, a.id: 2}  # the tracks left in the first album moved up
    assert (albums[a.id], albums[b.id], albums[c.id]) == (second.id, first.id, None)
    same = client.patch(f"/songs/{b.id}", json={"album_id": first.id, "title": "B"}, headers=headers)
    assert (same.json["track_number"], same.json["title"]) == (1, "B")  # already there: stays in place


def test_a_song_cannot_move_into_another_artists_album(make_client, db, settings, artist, genre):
    song = create_song(db, artist=artist, genre=genre)
    foreign = create_album(db, genre=genre)
    response = make_client("music").patch(
        f"/songs/{song.id}", json={"album_id": foreign.id}, headers=auth_header(settings, artist)
    )
    assert set(assert_error(response, 422, "validation_failed")) == {"album_id"}
    assert stored(db, song.id).album_id is None


# --- DELETE /songs/{id} --------------------------------------------------------------------------


def store_audio(settings, key: str) -> None:
    LocalStorage(settings.media_dir).put(
        key, io.BytesIO(b"ID3 sound"), content_type="audio/mpeg", max_bytes=100
    )


def test_deleting_a_song_removes_it_everywhere_and_then_its_audio(make_client, db, settings, artist, genre):
    album = create_album(db, artist=artist, genre=genre)
    first = create_song(db, album=album, track_number=1)
    song = create_song(db, album=album, track_number=2, audio_key=f"songs/test/{artist.id}-a")
    last = create_song(db, album=album, track_number=3)
    store_audio(settings, song.audio_key)
    fan = create_user(db)
    playlist = create_playlist(db, owner=fan)
    with db.session() as session:
        session.add_all(
            [
                FavoriteSong(user_id=fan.id, song_id=song.id),
                PlaylistTrack(playlist_id=playlist.id, song_id=song.id, position=1),
                PlaylistTrack(playlist_id=playlist.id, song_id=first.id, position=2),
                Play(song_id=song.id, user_id=fan.id),
            ]
        )
    client = make_client("music")
    response = client.delete(f"/songs/{song.id}", headers=auth_header(settings, artist))
    assert response.status_code == 204 and response.data == b""
    assert stored(db, song.id) is None
    assert not (settings.media_dir / song.audio_key).exists()
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(FavoriteSong)) == 0
        assert list(session.scalars(select(PlaylistTrack.song_id))) == [first.id]
        assert session.scalar(select(func.count()).select_from(Play)) == 0
        numbers = dict(session.execute(select(Song.id, Song.track_number)).all())
    assert numbers == {first.id: 1, last.id: 2}
    assert_error(client.delete(f"/songs/{song.id}", headers=auth_header(settings, artist)), 404, "not_found")


def test_only_the_artist_or_an_admin_deletes_a_song(make_client, db, settings, artist, genre):
    song = create_song(db, artist=artist, genre=genre, audio_key=f"songs/test/{artist.id}-b")
    store_audio(settings, song.audio_key)
    client = make_client("music")
    for other in (create_user(db, role="artist"), create_user(db)):
        assert_error(
            client.delete(f"/songs/{song.id}", headers=auth_header(settings, other)), 403, "not_owner"
        )
    assert_error(client.delete(f"/songs/{song.id}"), 401, "unauthorized")
    assert stored(db, song.id) is not None and (settings.media_dir / song.audio_key).exists()
    admin = auth_header(settings, create_user(db, role="admin"))
    assert client.delete(f"/songs/{song.id}", headers=admin).status_code == 204
    assert stored(db, song.id) is None and not (settings.media_dir / song.audio_key).exists()


# --- a fixed number of queries -------------------------------------------------------------------


def test_listing_songs_costs_the_same_queries_for_1_or_50_songs(make_client, db, settings, genre):
    viewer = auth_header(settings, create_user(db))
    client = make_client("music")

    def queries_for(n: int) -> int:
        tag = f"echo{n}"  # one word per run: the second run does not list the first one's songs
        albums = [create_album(db, genre=genre) for _ in range(3)]  # three artists, three albums
        for i in range(n):
            create_song(db, album=albums[i % 3], title=f"{tag} {i}", track_number=i // 3 + 1)
        with counted_queries(client) as statements:
            response = client.get(f"/songs?genre_id={genre.id}&q={tag}&limit=50", headers=viewer)
        assert len(ids(response)) == n
        return len(statements)

    assert queries_for(1) == queries_for(50)
