"""PATCH /admin/songs/{id} and /admin/albums/{id}: only admins block or unblock content."""

from __future__ import annotations

import pytest

from spotifiuby.models import Album, Song
from tests.assertions import assert_error
from tests.factories import auth_header, create_album, create_song, create_user


def state(db, model, item_id: int) -> tuple[bool, str | None]:
    with db.session() as session:
        item = session.get(model, item_id)
        return item.blocked, item.blocked_reason


@pytest.fixture
def admin(db, settings):
    return auth_header(settings, create_user(db, role="admin"))


@pytest.fixture
def artist(db):
    return create_user(db, role="artist")


def test_an_admin_blocks_a_song_which_then_hides_from_everyone_but_its_artist_and_admins(
    make_client, db, settings, admin, artist
):
    song = create_song(db, artist=artist, title="Spam")
    client = make_client("music")
    response = client.patch(
        f"/admin/songs/{song.id}", json={"blocked": True, "reason": " spam "}, headers=admin
    )
    assert response.status_code == 200, response.json
    assert (response.json["id"], response.json["blocked"], response.json["blocked_reason"]) == (
        song.id,
        True,
        "spam",
    )
    assert response.json["title"] == "Spam" and response.json["artist"]["id"] == artist.id
    assert state(db, Song, song.id) == (True, "spam")
    listener = auth_header(settings, create_user(db))
    assert_error(client.get(f"/songs/{song.id}", headers=listener), 404, "not_found")
    assert client.get("/songs", headers=listener).json["total"] == 0
    owner = auth_header(settings, artist)
    assert client.get(f"/songs/{song.id}", headers=owner).json["blocked"] is True
    assert client.get(f"/songs/{song.id}", headers=admin).json["blocked"] is True


def test_unblocking_clears_the_reason_and_shows_the_song_again(make_client, db, admin):
    song = create_song(db, blocked=True, blocked_reason="spam")
    client = make_client("music")
    response = client.patch(f"/admin/songs/{song.id}", json={"blocked": False}, headers=admin)
    assert (response.json["blocked"], response.json["blocked_reason"]) == (False, None)
    assert state(db, Song, song.id) == (False, None)
    assert client.get(f"/songs/{song.id}").status_code == 200


def test_an_owner_can_never_unblock_their_own_content(make_client, db, settings, artist):
    song = create_song(db, artist=artist, blocked=True, blocked_reason="spam")
    album = create_album(db, artist=artist, blocked=True, blocked_reason="spam")
    client = make_client("music")
    owner = auth_header(settings, artist)
    for path, model, item in ((f"/songs/{song.id}", Song, song), (f"/albums/{album.id}", Album, album)):
        assert set(
            assert_error(client.patch(path, json={"blocked": False}, headers=owner), 422, "validation_failed")
        ) == {"blocked"}
        response = client.patch(f"/admin{path}", json={"blocked": False}, headers=owner)
        assert_error(response, 403, "admin_required")
        assert_error(client.patch(f"/admin{path}", json={"blocked": False}), 401, "unauthorized")
        assert state(db, model, item.id) == (True, "spam")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "blocked"),
        ({"blocked": None}, "blocked"),
        ({"blocked": "true"}, "blocked"),
        ({"blocked": 1}, "blocked"),
        ({"blocked": 0}, "blocked"),
        ({"blocked": True, "reason": ""}, "reason"),
        ({"blocked": True, "reason": "x" * 501}, "reason"),
        ({"blocked": True, "reason": 5}, "reason"),
        ({"blocked": True, "title": "x"}, "title"),
    ],
)
@pytest.mark.parametrize("kind", ["songs", "albums"])
def test_invalid_moderation_bodies_are_422_and_change_nothing(make_client, db, admin, kind, body, field):
    model, item = (Song, create_song(db)) if kind == "songs" else (Album, create_album(db))
    response = make_client("music").patch(f"/admin/{kind}/{item.id}", json=body, headers=admin)
    assert field in assert_error(response, 422, "validation_failed")
    assert state(db, model, item.id) == (False, None)


@pytest.mark.parametrize("kind", ["songs", "albums"])
def test_moderating_what_does_not_exist_is_404(make_client, db, admin, kind):
    client = make_client("music")
    for item_id in ("4242", "0", "abc", "99999999999"):
        assert_error(
            client.patch(f"/admin/{kind}/{item_id}", json={"blocked": True}, headers=admin), 404, "not_found"
        )


def test_blocking_an_album_hides_it_and_its_songs_from_others(make_client, db, settings, admin, artist):
    album = create_album(db, artist=artist, title="Loud")
    song = create_song(db, album=album, track_number=1)
    client = make_client("music")
    response = client.patch(
        f"/admin/albums/{album.id}", json={"blocked": True, "reason": "copyright"}, headers=admin
    )
    assert response.status_code == 200, response.json
    assert (response.json["title"], response.json["blocked"], response.json["blocked_reason"]) == (
        "Loud",
        True,
        "copyright",
    )
    assert [t["id"] for t in response.json["tracks"]] == [song.id]
    listener = auth_header(settings, create_user(db))
    assert_error(client.get(f"/albums/{album.id}", headers=listener), 404, "not_found")
    assert_error(client.get(f"/songs/{song.id}", headers=listener), 404, "not_found")
    assert client.get("/albums", headers=listener).json["total"] == 0
    owner = auth_header(settings, artist)
    assert client.get(f"/albums/{album.id}", headers=owner).json["blocked"] is True
    assert client.get(f"/songs/{song.id}", headers=owner).status_code == 200
    # the song itself is not blocked: it shows again once the album is unblocked
    assert (
        client.patch(f"/admin/albums/{album.id}", json={"blocked": False}, headers=admin).status_code == 200
    )
    assert client.get(f"/songs/{song.id}", headers=listener).status_code == 200
    assert state(db, Album, album.id) == (False, None) and state(db, Song, song.id) == (False, None)
