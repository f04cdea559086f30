"""PUT and GET /songs/{id}/audio: who may upload, what is accepted, ranged and conditional streaming,
and counting one play per listen."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import select, update

from functions.music.media import service
from functions.music.media.formats import AUDIO
from functions.music.media.transfer import Upload
from spotifiuby.auth import Caller
from spotifiuby.errors import NotFound
from spotifiuby.models import Play, Song, User
from spotifiuby.tokens import public_pem_of
from tests.concurrency import race
from tests.factories import create_album, create_song, create_user
from tests.gateway.servers import serve_wsgi
from tests.music.media_samples import (
    big_wav_bytes,
    empty_media_dir,
    flac_bytes,
    headers_for,
    mp3_bytes,
    png_bytes,
    put_audio,
    wav_bytes,
)


@pytest.fixture(autouse=True)
def _empty_media(backend):
    empty_media_dir(backend.data_dir)


@pytest.fixture
def client(make_client):
    return make_client("music")


@pytest.fixture
def artist(db):
    return create_user(db, role="artist")


@pytest.fixture
def listener(db):
    return create_user(db)


@pytest.fixture
def audio():
    return wav_bytes(1.0)


@pytest.fixture
def song(db, client, settings, artist, audio):
    """A song of ``artist`` with ``audio`` uploaded."""
    song = create_song(db, artist=artist)
    assert put_audio(client, settings, artist, song.id, audio).status_code == 200
    return song


def row(db, song_id: int) -> Song:
    with db.session() as session:
        return session.get(Song, song_id)


def stored_files(backend, song_id: int) -> list[Path]:
    folder = backend.data_dir / "media" / "songs" / str(song_id)
    return sorted(p for p in folder.glob("*") if p.is_file()) if folder.exists() else []


def fetch(client, settings, user, song_id: int, **headers: str):
    return client.get(f"/songs/{song_id}/audio", headers=headers_for(settings, user, **headers))


# --- upload ---


def test_the_owner_uploads_audio_and_its_duration_is_read(client, db, settings, backend, artist):
    song = create_song(db, artist=artist)
    data = wav_bytes(1.5)
    response = put_audio(client, settings, artist, song.id, data)
    assert response.status_code == 200, response.get_json()
    assert response.json["id"] == song.id
    assert response.json["has_audio"] is True
    assert response.json["duration_seconds"] == pytest.approx(1.5)
    stored = row(db, song.id)
    assert stored.audio_content_type == "audio/wav"
    assert stored.audio_size == len(data)
    assert stored.audio_etag == hashlib.sha256(data).hexdigest()
    assert stored.audio_key.startswith(f"songs/{song.id}/")
    assert [p.read_bytes() for p in stored_files(backend, song.id)] == [data]


@pytest.mark.parametrize(
    ("content_type", "data", "duration"),
    [
        ("audio/mpeg", mp3_bytes(39), pytest.approx(1.016, abs=0.01)),
        ("audio/flac", flac_bytes(2.0), pytest.approx(2.0)),
        ("audio/x-wav", wav_bytes(0.5), pytest.approx(0.5)),
        # the signature of an MP3 (an ID3 tag) and nothing playable after it: accepted, no duration
        ("audio/mpeg", b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(500), None),
        ("audio/ogg", b"OggS" + bytes(100), None),
    ],
    ids=["mp3", "flac", "x-wav", "id3-only", "ogg-garbage"],
)
def test_duration_is_read_where_the_format_allows(client, db, settings, artist, content_type, data, duration):
    song = create_song(db, artist=artist)
    response = put_audio(client, settings, artist, song.id, data, content_type)
    assert response.status_code == 200, response.get_json()
    assert response.json["duration_seconds"] == duration
    assert row(db, song.id).audio_content_type == content_type


def test_only_the_owner_uploads_not_another_artist_nor_an_admin(client, db, settings, backend, artist):
    song = create_song(db, artist=artist)
    for other in (create_user(db, role="artist"), create_user(db, role="admin")):
        response = put_audio(client, settings, other, song.id, wav_bytes())
        assert response.status_code == 403
        assert response.json["error"]["code"] == "not_owner"
    anonymous = client.put(f"/songs/{song.id}/audio", data=wav_bytes(), content_type="audio/wav")
    assert anonymous.status_code == 401
    assert row(db, song.id).audio_key is None
    assert stored_files(backend, song.id) == []


def test_a_song_hidden_from_the_caller_is_404(client, db, settings, artist):
    blocked = create_song(db, artist=artist, blocked=True)
    in_blocked_album = create_song(db, album=create_album(db, artist=artist, blocked=True))
    other = create_user(db, role="artist")
    for song in (blocked, in_blocked_album):
        assert put_audio(client, settings, other, song.id, wav_bytes()).status_code == 404
    assert put_audio(client, settings, other, 999999, wav_bytes()).status_code == 404
    # the owner still sees (and may fix) their blocked song
    assert put_audio(client, settings, artist, blocked.id, wav_bytes()).status_code == 200


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/json", "image/png", "audio/x-unknown", ""]
)
def test_a_type_that_is_not_supported_audio_is_415(client, db, settings, artist, content_type):
    song = create_song(db, artist=artist)
    response = put_audio(client, settings, artist, song.id, wav_bytes(), content_type)
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"
    assert "audio/mpeg" in response.json["error"]["details"]["content_type"]
    assert row(db, song.id).audio_key is None


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("audio/mpeg", b"this is plain text, not audio at all"),
        ("audio/wav", png_bytes()),
        ("audio/flac", wav_bytes()),
        ("audio/mp4", mp3_bytes()),
    ],
)
def test_content_that_is_not_what_its_type_says_is_415(
    client, db, settings, backend, artist, content_type, data
):
    song = create_song(db, artist=artist)
    response = put_audio(client, settings, artist, song.id, data, content_type)
    assert response.status_code == 415
    assert response.json["error"]["code"] == "content_mismatch"
    assert row(db, song.id).audio_key is None
    assert stored_files(backend, song.id) == []


def test_an_empty_body_is_422(client, db, settings, artist):
    song = create_song(db, artist=artist)
    response = put_audio(client, settings, artist, song.id, b"")
    assert response.status_code == 422
    assert "body" in response.json["error"]["details"]
    assert row(db, song.id).audio_key is None


def test_a_file_over_the_limit_is_413_and_the_previous_audio_stays(
    make_client, db, settings, backend, artist
):
    client = make_client("music", MAX_AUDIO_BYTES="100000")
    song = create_song(db, artist=artist)
    first = wav_bytes(1.0)  # 16 kB
    assert put_audio(client, settings, artist, song.id, first).status_code == 200
    before = row(db, song.id)

    too_big = big_wav_bytes(150_000)
    response = put_audio(client, settings, artist, song.id, too_big)
    assert response.status_code == 413
    assert response.json["error"]["details"] == {"max_bytes": 100000}

    # without a Content-Length (a chunked body) the limit cuts the stream off
    chunked = client.put(
        f"/songs/{song.id}/audio",
        input_stream=io.BytesIO(too_big),
        headers=headers_for(settings, artist, **{"Content-Type": "audio/wav"}),
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert chunked.status_code == 413

    after = row(db, song.id)
    assert (after.audio_key, after.audio_etag) == (before.audio_key, before.audio_etag)
    assert [p.read_bytes() for p in stored_files(backend, song.id)] == [first]
    assert fetch(client, settings, artist, song.id).data == first


def test_a_file_at_the_limit_is_accepted(make_client, db, settings, artist):
    data = big_wav_bytes(50_000)
    client = make_client("music", MAX_AUDIO_BYTES=str(len(data)))
    song = create_song(db, artist=artist)
    assert put_audio(client, settings, artist, song.id, data).status_code == 200


def test_a_new_upload_replaces_the_file_and_deletes_the_old_one(
    client, db, settings, backend, artist, song, audio
):
    before = row(db, song.id)
    replacement = wav_bytes(2.0)
    response = put_audio(client, settings, artist, song.id, replacement)
    assert response.status_code == 200
    assert response.json["duration_seconds"] == pytest.approx(2.0)
    after = row(db, song.id)
    assert after.audio_key != before.audio_key
    assert after.audio_etag != before.audio_etag
    assert [p.read_bytes() for p in stored_files(backend, song.id)] == [replacement]
    fetched = fetch(client, settings, artist, song.id)
    assert fetched.data == replacement
    assert fetched.headers["ETag"] == f'"{after.audio_etag}"'


def test_a_song_deleted_while_its_audio_arrives_keeps_no_file(db, settings, backend, artist):
    song = create_song(db, artist=artist)

    class DeletedOnFirstRead(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() == 0:
                with db.session() as session:
                    session.delete(session.get(Song, song.id))
            return super().read(size)

    upload = Upload(DeletedOnFirstRead(wav_bytes()), "audio/wav", AUDIO.get("audio/wav"), "audio", 10**6)
    with db.sessions() as session, pytest.raises(NotFound):
        service.replace_audio(
            session, settings=settings, song_id=song.id, caller=Caller(artist.id, "artist"), upload=upload
        )
    assert stored_files(backend, song.id) == []


def test_the_upload_route_documents_a_binary_body(client):
    operation = client.get("/openapi.json").json["paths"]["/songs/{song_id}/audio"]["put"]
    assert operation["requestBody"]["content"] == {
        "audio/*": {"schema": {"type": "string", "format": "binary"}}
    }


# --- streaming ---


def test_the_whole_file_with_its_headers(client, settings, listener, song, audio):
    response = fetch(client, settings, listener, song.id)
    assert response.status_code == 200
    assert response.data == audio
    assert response.headers["Content-Type"] == "audio/wav"
    assert response.headers["Content-Length"] == str(len(audio))
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"] == f'"{hashlib.sha256(audio).hexdigest()}"'
    assert response.headers["Cache-Control"] == "private"


@pytest.mark.parametrize(
    ("range_header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", -50, None), ("bytes=10-10", 10, 10)],
)
def test_a_single_range_is_206_with_exactly_those_bytes(
    client, settings, listener, song, audio, range_header, first, last
):
    response = fetch(client, settings, listener, song.id, Range=range_header)
    assert response.status_code == 206
    expected = audio[first:] if last is None else audio[first : last + 1]
    start = first % len(audio)
    assert response.data == expected
    assert response.headers["Content-Length"] == str(len(expected))
    assert response.headers["Content-Range"] == f"bytes {start}-{start + len(expected) - 1}/{len(audio)}"


def test_a_range_past_the_end_of_the_file_is_clipped(client, settings, listener, song, audio):
    tail = fetch(client, settings, listener, song.id, Range=f"bytes=100-{len(audio) + 1000}")
    assert tail.status_code == 206
    assert tail.data == audio[100:]
    suffix = fetch(client, settings, listener, song.id, Range="bytes=-99999999")
    assert suffix.status_code == 206
    assert suffix.data == audio
    assert suffix.headers["Content-Range"] == f"bytes 0-{len(audio) - 1}/{len(audio)}"


def test_a_range_starting_past_the_end_is_416(client, settings, listener, song, audio):
    for first in (999999999, len(audio)):
        response = fetch(client, settings, listener, song.id, Range=f"bytes={first}-")
        assert response.status_code == 416
        assert response.headers["Content-Range"] == f"bytes */{len(audio)}"
        assert response.json["error"]["code"] == "range_not_satisfiable"


@pytest.mark.parametrize(
    "range_header",
    ["bytes=5-2", "bytes=abc", "bytes=-0", "items=0-9", "bytes=0-9,20-29", "bytes=0-0,-1"],
    ids=["reversed", "garbage", "empty-suffix", "other-unit", "two-ranges", "first-and-last"],
)
def test_invalid_or_multiple_ranges_get_the_whole_file(client, settings, listener, song, audio, range_header):
    response = fetch(client, settings, listener, song.id, Range=range_header)
    assert response.status_code == 200
    assert response.data == audio
    assert "Content-Range" not in response.headers


def test_if_range_honours_the_range_only_for_the_current_version(client, settings, listener, song, audio):
    etag = hashlib.sha256(audio).hexdigest()
    current = fetch(client, settings, listener, song.id, Range="bytes=0-9", **{"If-Range": f'"{etag}"'})
    assert (current.status_code, current.data) == (206, audio[:10])
    stale = fetch(client, settings, listener, song.id, Range="bytes=0-9", **{"If-Range": '"old"'})
    assert (stale.status_code, stale.data) == (200, audio)


def test_if_none_match_is_304_without_a_body(client, settings, listener, song, audio):
    etag = f'"{hashlib.sha256(audio).hexdigest()}"'
    for condition in (etag, f'"other", {etag}', "*", f"W/{etag}"):
        response = fetch(client, settings, listener, song.id, **{"If-None-Match": condition})
        assert response.status_code == 304, condition
        assert response.data == b""
        assert response.headers["ETag"] == etag
    changed = fetch(client, settings, listener, song.id, **{"If-None-Match": '"other"'})
    assert (changed.status_code, changed.data) == (200, audio)


def test_head_answers_the_headers_only(client, settings, listener, song, audio):
    response = client.head(f"/songs/{song.id}/audio", headers=headers_for(settings, listener))
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(audio))
    assert response.data == b""


def test_a_song_above_the_listeners_plan_is_403_but_its_owner_streams_it(
    client, db, settings, artist, listener
):
    for song in (
        create_song(db, artist=artist, min_plan="gold"),
        create_song(db, album=create_album(db, artist=artist, min_plan="gold")),
    ):
        assert put_audio(client, settings, artist, song.id, wav_bytes()).status_code == 200
        refused = fetch(client, settings, listener, song.id)
        assert refused.status_code == 403
        assert refused.json["error"]["code"] == "plan_required"
        assert refused.json["error"]["details"] == {"min_plan": "gold"}
        admin = create_user(db, role="admin")
        assert fetch(client, settings, artist, song.id).status_code == 200
        assert fetch(client, settings, admin, song.id).status_code == 200
        assert [p.user_id for p in plays(db, song.id)] == [artist.id, admin.id]  # not the refused one


def test_blocked_songs_are_404_except_for_their_owner_and_admins(
    client, db, settings, artist, listener, song, audio
):
    with db.session() as session:
        session.execute(update(Song).where(Song.id == song.id).values(blocked=True))
    assert fetch(client, settings, listener, song.id).status_code == 404
    assert fetch(client, settings, artist, song.id).data == audio
    assert fetch(client, settings, create_user(db, role="admin"), song.id).data == audio


def test_a_blocked_artists_audio_is_404(client, db, settings, artist, listener, song):
    with db.session() as session:
        session.execute(update(User).where(User.id == artist.id).values(blocked=True))
    assert fetch(client, settings, listener, song.id).status_code == 404
    assert fetch(client, settings, create_user(db, role="admin"), song.id).status_code == 200


def test_no_audio_or_no_song_is_404_and_anonymous_is_401(client, db, settings, artist, listener):
    silent = create_song(db, artist=artist)
    assert fetch(client, settings, listener, silent.id).status_code == 404
    assert fetch(client, settings, listener, 424242).status_code == 404
    assert client.get(f"/songs/{silent.id}/audio").status_code == 401


def test_a_5_mb_file_streams_whole(client, db, settings, artist, listener):
    data = big_wav_bytes(5 * 1024 * 1024)
    song = create_song(db, artist=artist)
    assert put_audio(client, settings, artist, song.id, data).status_code == 200
    response = fetch(client, settings, listener, song.id)
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(data))
    assert hashlib.sha256(response.data).digest() == hashlib.sha256(data).digest()


# --- counting plays ---


def plays(db, song_id: int) -> list[Play]:
    with db.session() as session:
        return list(session.scalars(select(Play).where(Play.song_id == song_id).order_by(Play.id)))


def test_one_play_per_listen_not_per_range_request(client, db, settings, artist, listener, song):
    assert fetch(client, settings, listener, song.id).status_code == 200
    assert row(db, song.id).play_count == 1

    # a player probing and requesting again, continuing or seeking back: the same listen
    assert fetch(client, settings, listener, song.id).status_code == 200
    assert fetch(client, settings, listener, song.id, Range="bytes=100-").status_code == 206
    assert fetch(client, settings, listener, song.id, Range="bytes=0-99").status_code == 206
    assert row(db, song.id).play_count == 1

    # another listener, from a range at the first byte: a listen
    other = create_user(db)
    assert fetch(client, settings, other, song.id, Range="bytes=0-1").status_code == 206
    assert row(db, song.id).play_count == 2
    assert [p.user_id for p in plays(db, song.id)] == [listener.id, other.id]


def test_the_same_listener_counts_again_after_the_repeat_window(client, db, settings, listener, song):
    assert fetch(client, settings, listener, song.id).status_code == 200
    with db.session() as session:
        for play in session.scalars(select(Play)):
            play.created_at -= dt.timedelta(seconds=31)
    assert fetch(client, settings, listener, song.id).status_code == 200
    assert row(db, song.id).play_count == 2


def test_conditional_head_and_continuing_requests_never_count(client, db, settings, listener, song, audio):
    etag = f'"{hashlib.sha256(audio).hexdigest()}"'
    assert fetch(client, settings, listener, song.id, **{"If-None-Match": etag}).status_code == 304
    assert client.head(f"/songs/{song.id}/audio", headers=headers_for(settings, listener)).status_code == 200
    assert fetch(client, settings, listener, song.id, Range="bytes=1-").status_code == 206
    assert fetch(client, settings, listener, song.id, Range="bytes=-10").status_code == 206
    assert fetch(client, settings, listener, song.id, Range="bytes=999999-").status_code == 416
    assert row(db, song.id).play_count == 0
    assert plays(db, song.id) == []


def test_counting_keeps_updated_at_and_shows_in_the_song(client, db, settings, listener, song):
    before = row(db, song.id)
    assert fetch(client, settings, listener, song.id).status_code == 200
    after = row(db, song.id)
    assert after.updated_at == before.updated_at
    history = client.get("/me/history", headers=headers_for(settings, listener)).json
    assert history["total"] == 1
    assert history["items"][0]["song"]["id"] == song.id
    assert history["items"][0]["song"]["play_count"] == 1


def test_concurrent_listeners_each_count(client, db, settings, song):
    listeners = [create_user(db) for _ in range(6)]
    responses = race([lambda u=u: fetch(client, settings, u, song.id) for u in listeners])
    assert [r.status_code for r in responses] == [200] * 6
    assert row(db, song.id).play_count == 6
    assert len(plays(db, song.id)) == 6


@pytest.mark.postgres_only
def test_one_listeners_concurrent_first_requests_count_once(client, db, settings, artist, listener):
    for _ in range(3):
        song = create_song(db, artist=artist)
        assert put_audio(client, settings, artist, song.id, wav_bytes(0.1)).status_code == 200
        responses = race([lambda s=song: fetch(client, settings, listener, s.id) for _ in range(8)])
        assert [r.status_code for r in responses] == [200] * 8
        assert row(db, song.id).play_count == 1
        assert len(plays(db, song.id)) == 1


# --- through the gateway ---


@pytest.fixture
def gateway_client(make_client, jwt_private_key):
    with serve_wsgi(make_client("music").application) as music_url:
        yield make_client(
            "gateway",
            JWT_PRIVATE_KEY="",
            JWT_PUBLIC_KEY=public_pem_of(jwt_private_key),
            UPSTREAM_MUSIC_URL=music_url,
            RATE_LIMIT_PER_MINUTE="100000",
            RATE_LIMIT_BURST="100000",
        )


def test_upload_ranges_and_a_5_mb_download_through_the_gateway(
    gateway_client, db, settings, artist, listener
):
    data = big_wav_bytes(5 * 1024 * 1024)
    song = create_song(db, artist=artist)
    uploaded = put_audio(gateway_client, settings, artist, song.id, data)
    assert uploaded.status_code == 200, uploaded.get_data(as_text=True)
    assert uploaded.json["has_audio"] is True

    ranged = fetch(gateway_client, settings, listener, song.id, Range="bytes=1000-1999")
    assert ranged.status_code == 206
    assert ranged.headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    assert ranged.data == data[1000:2000]

    whole = fetch(gateway_client, settings, listener, song.id)
    assert whole.status_code == 200
    assert whole.headers["Content-Length"] == str(len(data))
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert hashlib.sha256(whole.data).digest() == hashlib.sha256(data).digest()

    unchanged = fetch(gateway_client, settings, listener, song.id, **{"If-None-Match": whole.headers["ETag"]})
    assert (unchanged.status_code, unchanged.data) == (304, b"")
    assert row(db, song.id).play_count == 1
