"""GET /me/history: the caller's plays, newest first, paginated, without songs hidden since."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from spotifiuby.db import utcnow
from spotifiuby.models import Album, Play, Song
from tests.factories import create_album, create_song, create_user
from tests.music.media_samples import headers_for
from tests.queries import counted_queries


@pytest.fixture
def client(make_client):
    return make_client("music")


@pytest.fixture
def listener(db):
    return create_user(db)


def record_plays(db, user, songs) -> None:
    """One play per song, a minute apart, the last song played most recently."""
    start = utcnow() - dt.timedelta(days=1)
    with db.session() as session:
        for minutes, song in enumerate(songs):
            session.add(
                Play(song_id=song.id, user_id=user.id, created_at=start + dt.timedelta(minutes=minutes))
            )


def history(client, settings, user, **query):
    return client.get("/me/history", query_string=query, headers=headers_for(settings, user))


def test_plays_newest_first_with_the_presented_song(client, db, settings, listener):
    artist = create_user(db, role="artist", name="Band")
    album = create_album(db, artist=artist, title="Record")
    first, second = create_song(db, album=album, title="One"), create_song(db, artist=artist, title="Two")
    record_plays(db, listener, [first, second, first])
    record_plays(db, create_user(db), [second])  # someone else's

    response = history(client, settings, listener)
    assert response.status_code == 200
    body = response.json
    assert (body["total"], body["limit"], body["offset"]) == (3, 20, 0)
    assert [item["song"]["id"] for item in body["items"]] == [first.id, second.id, first.id]
    played = [dt.datetime.fromisoformat(item["played_at"]) for item in body["items"]]
    assert played == sorted(played, reverse=True)
    assert played[0].utcoffset() == dt.timedelta(0)
    song = body["items"][0]["song"]
    assert song["title"] == "One"
    assert song["artist"] == {"id": artist.id, "name": "Band"}
    assert song["album"] == {"id": album.id, "title": "Record"}
    assert song["playable"] is True


def test_pages_are_ordered_and_complete(client, db, settings, listener):
    songs = [create_song(db) for _ in range(7)]
    record_plays(db, listener, songs)
    # two plays at the same instant: the later recorded comes first
    now = utcnow()
    with db.session() as session:
        session.add_all(Play(song_id=s.id, user_id=listener.id, created_at=now) for s in songs[:2])
    seen = []
    for offset in range(0, 9, 4):
        page = history(client, settings, listener, limit=4, offset=offset).json
        assert page["total"] == 9
        seen += [item["song"]["id"] for item in page["items"]]
    assert seen == [songs[1].id, songs[0].id] + [s.id for s in reversed(songs)]


def test_songs_hidden_from_the_caller_since_are_left_out(client, db, settings, listener):
    artist = create_user(db, role="artist")
    album = create_album(db, artist=artist)
    kept, blocked, in_blocked_album = (
        create_song(db, artist=artist),
        create_song(db, artist=artist),
        create_song(db, album=album),
    )
    record_plays(db, listener, [kept, blocked, in_blocked_album])
    record_plays(db, artist, [blocked])
    with db.session() as session:
        session.execute(update(Song).where(Song.id == blocked.id).values(blocked=True))
        session.execute(update(Album).where(Album.id == album.id).values(blocked=True))

    page = history(client, settings, listener).json
    assert [item["song"]["id"] for item in page["items"]] == [kept.id]
    assert page["total"] == 1
    # the owner still sees their own blocked song
    assert [item["song"]["id"] for item in history(client, settings, artist).json["items"]] == [blocked.id]


def test_a_deleted_song_leaves_the_history(client, db, settings, listener):
    gone, kept = create_song(db), create_song(db)
    record_plays(db, listener, [gone, kept])
    with db.session() as session:
        session.delete(session.get(Song, gone.id))
    assert [item["song"]["id"] for item in history(client, settings, listener).json["items"]] == [kept.id]


def test_a_fixed_number_of_queries_whatever_the_page_size(client, db, settings):
    few, many = create_user(db), create_user(db)
    artists = [create_user(db, role="artist") for _ in range(3)]
    songs = [create_song(db, album=create_album(db, artist=artists[i % 3])) for i in range(12)]
    record_plays(db, few, songs[:2])
    record_plays(db, many, songs * 2)
    with counted_queries(client) as small:
        assert len(history(client, settings, few).json["items"]) == 2
    with counted_queries(client) as large:
        assert len(history(client, settings, many, limit=24).json["items"]) == 24
    assert len(large) == len(small)


@pytest.mark.parametrize(
    ("query", "field"),
    [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"offset": -1}, "offset"), ({"x": 1}, "x")],
)
def test_bad_paging_is_422(client, settings, listener, query, field):
    response = history(client, settings, listener, **query)
    assert response.status_code == 422
    assert field in response.json["error"]["details"]


def test_history_needs_a_user(client):
    assert client.get("/me/history").status_code == 401
