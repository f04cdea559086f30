"""PUT and GET /albums/{id}/cover: owner-only upload of real images, public conditional serving."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import update

from spotifiuby.models import Album, User
from tests.factories import create_album, create_user
from tests.music.media_samples import empty_media_dir, headers_for, png_bytes, put_cover, wav_bytes

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(100) + b"\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"  # noqa: E501
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"


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
def album(db, artist):
    return create_album(db, artist=artist)


def row(db, album_id: int) -> Album:
    with db.session() as session:
        return session.get(Album, album_id)


def cover_files(backend, album_id: int) -> list[bytes]:
    folder = backend.data_dir / "media" / "albums" / str(album_id)
    return sorted(p.read_bytes() for p in folder.glob("*")) if folder.exists() else []


def test_the_owner_uploads_a_cover_and_anyone_gets_it(client, db, settings, backend, artist, album):
    image = png_bytes(3, 2)
    response = put_cover(client, settings, artist, album.id, image)
    assert response.status_code == 200, response.get_json()
    assert response.json["id"] == album.id
    assert response.json["has_cover"] is True
    stored = row(db, album.id)
    assert (stored.cover_content_type, stored.cover_size) == ("image/png", len(image))
    assert stored.cover_etag == hashlib.sha256(image).hexdigest()
    assert cover_files(backend, album.id) == [image]

    served = client.get(f"/albums/{album.id}/cover")  # anonymous
    assert served.status_code == 200
    assert served.data == image
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["Content-Length"] == str(len(image))
    assert served.headers["Cache-Control"] == "public, max-age=300"
    assert served.headers["ETag"] == f'"{stored.cover_etag}"'
    with_token = client.get(f"/albums/{album.id}/cover", headers=headers_for(settings, create_user(db)))
    assert with_token.data == image


@pytest.mark.parametrize(
    ("content_type", "data"),
    [("image/jpeg", JPEG), ("image/gif", GIF), ("image/webp", WEBP), ("image/png", png_bytes(1, 1))],
    ids=["jpeg", "gif", "webp", "png"],
)
def test_each_supported_image_type_is_accepted(client, settings, artist, album, content_type, data):
    assert put_cover(client, settings, artist, album.id, data, content_type).status_code == 200
    served = client.get(f"/albums/{album.id}/cover")
    assert (served.data, served.headers["Content-Type"]) == (data, content_type)


def test_only_the_owner_uploads_a_cover(client, db, settings, backend, album):
    for other in (create_user(db, role="artist"), create_user(db, role="admin")):
        response = put_cover(client, settings, other, album.id, png_bytes())
        assert response.status_code == 403
        assert response.json["error"]["code"] == "not_owner"
    assert (
        client.put(f"/albums/{album.id}/cover", data=png_bytes(), content_type="image/png").status_code == 401
    )
    assert put_cover(client, settings, create_user(db), 999999, png_bytes()).status_code == 404
    assert row(db, album.id).cover_key is None
    assert cover_files(backend, album.id) == []


@pytest.mark.parametrize(
    "content_type", ["text/plain", "image/svg+xml", "audio/wav", "application/octet-stream"]
)
def test_other_types_are_415(client, db, settings, artist, album, content_type):
    response = put_cover(client, settings, artist, album.id, png_bytes(), content_type)
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"
    assert row(db, album.id).cover_key is None


@pytest.mark.parametrize(
    ("content_type", "data"),
    [("image/png", b"plain text pretending"), ("image/jpeg", png_bytes()), ("image/webp", wav_bytes(0.01))],
)
def test_a_lying_content_type_is_415(client, db, settings, backend, artist, album, content_type, data):
    response = put_cover(client, settings, artist, album.id, data, content_type)
    assert response.status_code == 415
    assert response.json["error"]["code"] == "content_mismatch"
    assert row(db, album.id).cover_key is None
    assert cover_files(backend, album.id) == []


def test_an_empty_cover_is_422(client, db, settings, artist, album):
    response = put_cover(client, settings, artist, album.id, b"")
    assert response.status_code == 422
    assert row(db, album.id).cover_key is None


def test_a_cover_over_the_limit_is_413_and_the_old_one_stays(
    make_client, db, settings, backend, artist, album
):
    client = make_client("music", MAX_IMAGE_BYTES="2000")
    small = png_bytes(2, 2)
    assert put_cover(client, settings, artist, album.id, small).status_code == 200
    large = png_bytes(40, 40, level=0)
    assert len(large) > 2000
    response = put_cover(client, settings, artist, album.id, large)
    assert response.status_code == 413
    assert response.json["error"]["details"] == {"max_bytes": 2000}
    assert cover_files(backend, album.id) == [small]
    assert client.get(f"/albums/{album.id}/cover").data == small


def test_a_new_cover_replaces_and_deletes_the_old_file(client, db, settings, backend, artist, album):
    assert put_cover(client, settings, artist, album.id, png_bytes(1, 1)).status_code == 200
    first_etag = client.get(f"/albums/{album.id}/cover").headers["ETag"]
    replacement = png_bytes(4, 4)
    assert put_cover(client, settings, artist, album.id, replacement).status_code == 200
    assert cover_files(backend, album.id) == [replacement]
    served = client.get(f"/albums/{album.id}/cover", headers={"If-None-Match": first_etag})
    assert (served.status_code, served.data) == (200, replacement)


def test_if_none_match_and_ranges_work_as_for_audio(client, settings, artist, album):
    image = png_bytes(8, 8)
    assert put_cover(client, settings, artist, album.id, image).status_code == 200
    etag = client.get(f"/albums/{album.id}/cover").headers["ETag"]
    unchanged = client.get(f"/albums/{album.id}/cover", headers={"If-None-Match": etag})
    assert (unchanged.status_code, unchanged.data) == (304, b"")
    assert unchanged.headers["Cache-Control"] == "public, max-age=300"
    part = client.get(f"/albums/{album.id}/cover", headers={"Range": "bytes=0-7"})
    assert (part.status_code, part.data) == (206, image[:8])
    assert part.headers["Content-Range"] == f"bytes 0-7/{len(image)}"
    beyond = client.get(f"/albums/{album.id}/cover", headers={"Range": f"bytes={len(image)}-"})
    assert beyond.status_code == 416


def test_a_blocked_albums_cover_is_hidden_but_its_owner_gets_it_privately(
    client, db, settings, artist, album
):
    image = png_bytes()
    assert put_cover(client, settings, artist, album.id, image).status_code == 200
    with db.session() as session:
        session.execute(update(Album).where(Album.id == album.id).values(blocked=True))
    assert client.get(f"/albums/{album.id}/cover").status_code == 404
    assert (
        client.get(f"/albums/{album.id}/cover", headers=headers_for(settings, create_user(db))).status_code
        == 404
    )
    own = client.get(f"/albums/{album.id}/cover", headers=headers_for(settings, artist))
    assert (own.status_code, own.data) == (200, image)
    assert own.headers["Cache-Control"] == "private"


def test_a_blocked_artists_cover_is_hidden_and_never_public(client, db, settings, artist, album):
    assert put_cover(client, settings, artist, album.id, png_bytes()).status_code == 200
    with db.session() as session:
        session.execute(update(User).where(User.id == artist.id).values(blocked=True))
    assert client.get(f"/albums/{album.id}/cover").status_code == 404
    seen_by_admin = client.get(
        f"/albums/{album.id}/cover", headers=headers_for(settings, create_user(db, role="admin"))
    )
    assert seen_by_admin.status_code == 200
    assert seen_by_admin.headers["Cache-Control"] == "private"


def test_no_cover_or_no_album_is_404(client, album):
    assert client.get(f"/albums/{album.id}/cover").status_code == 404
    assert client.get("/albums/424242/cover").status_code == 404


def test_a_bad_token_is_401_even_where_anonymous_is_allowed(client, album):
    assert (
        client.get(f"/albums/{album.id}/cover", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
