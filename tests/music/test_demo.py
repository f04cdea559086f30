"""The demo catalogue ``./dev up`` adds to an empty database."""

from __future__ import annotations

import hashlib
import io
import itertools
import wave
from array import array

from sqlalchemy import func, select

from devtools.run import demo_content
from functions.music.demo import ARTISTS, DemoSummary, ensure_demo_content
from functions.music.media.storage import storage_for
from spotifiuby.models import Album, Genre, Song, User
from tests.factories import create_genre, create_song


def stored_bytes(settings, song: Song) -> bytes:
    return b"".join(storage_for(settings).open_range(song.audio_key, 0, song.audio_size - 1))


def pitch(wav_bytes: bytes) -> float:
    """The frequency of a pure tone, from its zero crossings."""
    with wave.open(io.BytesIO(wav_bytes)) as wav:
        samples = array("h", wav.readframes(wav.getnframes()))
        seconds = wav.getnframes() / wav.getframerate()
    crossings = sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))
    return crossings / 2 / seconds


def test_demo_content_is_added_once_with_audio_in_storage(db, settings):
    storage = storage_for(settings)
    with db.session() as session:
        assert ensure_demo_content(session, storage) == DemoSummary(genres=4, artists=2, albums=2, songs=6)
    with db.session() as session:
        assert ensure_demo_content(session, storage) is None  # idempotent

    with db.session() as session:
        songs = session.scalars(select(Song).order_by(Song.id)).all()
        albums = session.scalars(select(Album).order_by(Album.id)).all()
        artists = session.scalars(select(User).where(User.role == "artist").order_by(User.id)).all()
        genres = set(session.scalars(select(Genre.name)))
    assert len(songs) == 6 and len(albums) == 2
    assert genres == {"Rock", "Jazz", "Cumbia", "Electrónica"}
    assert [a.email for a in artists] == [spec.email for spec in ARTISTS]
    assert all(a.password_hash is None for a in artists)  # nobody can log in as a demo artist
    assert {s.min_plan for s in songs} == {"free", "regular", "gold"}
    assert sorted(s.track_number for s in songs if s.album_id is not None) == [1, 1, 2, 2]
    pitches = []
    for song in songs:
        audio = stored_bytes(settings, song)
        assert song.audio_content_type == "audio/wav"
        assert len(audio) == song.audio_size
        assert hashlib.sha256(audio).hexdigest() == song.audio_etag
        with wave.open(io.BytesIO(audio)) as wav:
            assert wav.getnframes() / wav.getframerate() == song.duration_seconds == 3.0
        pitches.append(pitch(audio))
    assert len({round(p) for p in pitches}) == 6  # a different tone per song
    assert min(pitches) > 215 and max(pitches) < 530


def test_demo_songs_are_listed_to_anonymous_callers_with_their_audio(db, settings, make_client):
    with db.session() as session:
        ensure_demo_content(session, storage_for(settings))
        titles = list(session.scalars(select(Song.title)))
    client = make_client("music")

    for title in titles:
        response = client.get("/search", query_string={"q": title, "type": "song"})
        assert response.status_code == 200
        [found] = [s for s in response.get_json()["songs"] if s["title"] == title]
        assert found["has_audio"] is True and found["duration_seconds"] == 3.0
    artists = client.get("/search", query_string={"q": "o", "type": "artist"}).get_json()["artists"]
    assert {a["name"] for a in artists} == {spec.name for spec in ARTISTS}


def test_a_catalogue_with_content_gets_no_demo(db, settings):
    create_song(db, title="Mine")

    with db.session() as session:
        assert ensure_demo_content(session, storage_for(settings)) is None
        assert session.scalar(select(func.count()).select_from(Song)) == 1
        assert session.scalar(select(User.id).where(User.email.like("demo-artist-%"))) is None


def test_genres_an_admin_made_already_are_reused(db, settings):
    rock = create_genre(db, name="ROCK")

    with db.session() as session:
        ensure_demo_content(session, storage_for(settings))
        assert session.scalar(select(func.count()).select_from(Genre)) == 4
        rock_songs = session.scalars(select(Song).where(Song.genre_id == rock.id)).all()
    assert len(rock_songs) == 2


def test_the_runner_adds_it_unless_turned_off(db, settings):
    assert demo_content(settings.replace(demo_content=False)) == "demo content: off (DEMO_CONTENT=0)"
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Song)) == 0

    assert demo_content(settings).startswith("demo content: added 6 songs")
    assert "nothing added" in demo_content(settings)
