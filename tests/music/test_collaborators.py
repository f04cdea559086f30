"""Playlist collaborators: who manages them, what they may do, and what they see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from spotifiuby.models import PlaylistCollaborator, PlaylistTrack
from tests.assertions import assert_error
from tests.concurrency import race
from tests.factories import auth_header, create_playlist, create_song, create_user


def collaborators(db, playlist) -> set[int]:
    with db.session() as session:
        return set(
            session.scalars(
                select(PlaylistCollaborator.user_id).where(PlaylistCollaborator.playlist_id == playlist.id)
            )
        )


def url(playlist, user) -> str:
    return f"/playlists/{playlist.id}/collaborators/{user.id}"


def test_owner_adds_and_removes_collaborators_idempotently(make_client, db, settings):
    owner, friend = create_user(db), create_user(db, name="Friend")
    playlist = create_playlist(db, owner=owner)
    client = make_client("music")
    headers = auth_header(settings, owner)
    for _ in range(2):
        response = client.put(url(playlist, friend), headers=headers)
        assert response.status_code == 204 and response.data == b""
    assert collaborators(db, playlist) == {friend.id}
    assert client.get(f"/playlists/{playlist.id}").json["collaborators"] == [
        {"id": friend.id, "name": "Friend"}
    ]
    for _ in range(2):
        assert client.delete(url(playlist, friend), headers=headers).status_code == 204
    assert collaborators(db, playlist) == set()
    assert client.get(f"/playlists/{playlist.id}").json["collaborators"] == []


def test_unknown_users_are_404_and_the_owner_is_422(make_client, db, settings):
    owner = create_user(db)
    blocked = create_user(db, blocked=True)
    playlist = create_playlist(db, owner=owner)
    client = make_client("music")
    headers = auth_header(settings, owner)
    for method in (client.put, client.delete):
        assert_error(
            method(f"/playlists/{playlist.id}/collaborators/999999", headers=headers), 404, "not_found"
        )
        assert_error(method(url(playlist, owner), headers=headers), 422, "validation_failed")
        assert "user_id" in method(url(playlist, owner), headers=headers).json["error"]["details"]
    # a blocked account is hidden: it cannot be added, but an old collaboration can be removed
    assert_error(client.put(url(playlist, blocked), headers=headers), 404, "not_found")
    assert client.delete(url(playlist, blocked), headers=headers).status_code == 204
    assert collaborators(db, playlist) == set()


def test_only_the_owner_manages_collaborators(make_client, db, settings):
    owner, friend, stranger = create_user(db), create_user(db), create_user(db)
    admin = create_user(db, role="admin")
    playlist = create_playlist(db, owner=owner, collaborative=True)
    private = create_playlist(db, owner=owner, public=False)
    with db.session() as session:
        session.add(PlaylistCollaborator(playlist_id=playlist.id, user_id=friend.id))
    client = make_client("music")
    for user in (friend, stranger, admin):
        assert_error(
            client.put(url(playlist, stranger), headers=auth_header(settings, user)), 403, "not_owner"
        )
    assert_error(
        client.delete(url(playlist, friend), headers=auth_header(settings, stranger)), 403, "not_owner"
    )
    assert_error(
        client.put(url(private, stranger), headers=auth_header(settings, stranger)), 404, "not_found"
    )
    assert_error(client.put(url(playlist, stranger)), 401, "unauthorized")
    assert collaborators(db, playlist) == {friend.id}
    assert collaborators(db, private) == set()


def test_a_collaborator_may_leave(make_client, db, settings):
    owner, friend = create_user(db), create_user(db)
    playlist = create_playlist(db, owner=owner, public=False)
    with db.session() as session:
        session.add(PlaylistCollaborator(playlist_id=playlist.id, user_id=friend.id))
    client = make_client("music")
    headers = auth_header(settings, friend)
    assert client.delete(url(playlist, friend), headers=headers).status_code == 204
    assert collaborators(db, playlist) == set()
    # the playlist is private: once gone, the former collaborator no longer sees it
    assert_error(client.get(f"/playlists/{playlist.id}", headers=headers), 404, "not_found")


def test_collaborators_see_a_private_playlist_in_lists_and_by_id(make_client, db, settings):
    owner, friend = create_user(db), create_user(db)
    playlist = create_playlist(db, owner=owner, public=False)
    client = make_client("music")
    headers = auth_header(settings, friend)
    assert_error(client.get(f"/playlists/{playlist.id}", headers=headers), 404, "not_found")
    assert client.put(url(playlist, friend), headers=auth_header(settings, owner)).status_code == 204
    assert client.get(f"/playlists/{playlist.id}", headers=headers).status_code == 200
    assert [item["id"] for item in client.get("/playlists", headers=headers).json["items"]] == [playlist.id]


def test_collaborators_edit_tracks_of_a_collaborative_playlist_but_nothing_else(make_client, db, settings):
    owner, friend = create_user(db), create_user(db)
    playlist = create_playlist(db, owner=owner, title="Ours", collaborative=True)
    song, other = create_song(db), create_song(db)
    client = make_client("music")
    assert client.put(url(playlist, friend), headers=auth_header(settings, owner)).status_code == 204
    headers = auth_header(settings, friend)
    tracks = f"/playlists/{playlist.id}/tracks"
    assert client.post(tracks, json={"song_id": song.id}, headers=headers).status_code == 201
    assert client.post(tracks, json={"song_id": other.id, "position": 0}, headers=headers).status_code == 201
    assert client.put(tracks, json={"song_ids": [song.id, other.id]}, headers=headers).status_code == 200
    assert client.delete(f"{tracks}/{song.id}", headers=headers).status_code == 204
    assert_error(
        client.patch(f"/playlists/{playlist.id}", json={"title": "Mine"}, headers=headers), 403, "not_owner"
    )
    assert_error(
        client.patch(f"/playlists/{playlist.id}", json={"public": False}, headers=headers), 403, "not_owner"
    )
    assert_error(client.delete(f"/playlists/{playlist.id}", headers=headers), 403, "not_owner")
    assert client.get(f"/playlists/{playlist.id}").json["title"] == "Ours"
    with db.session() as session:
        assert session.scalars(select(PlaylistTrack.song_id)).all() == [other.id]


def test_collaborators_of_a_playlist_that_stops_being_collaborative_can_no_longer_edit(
    make_client, db, settings
):
    owner, friend = create_user(db), create_user(db)
    playlist = create_playlist(db, owner=owner, collaborative=True)
    song = create_song(db)
    client = make_client("music")
    client.put(url(playlist, friend), headers=auth_header(settings, owner))
    response = client.patch(
        f"/playlists/{playlist.id}", json={"collaborative": False}, headers=auth_header(settings, owner)
    )
    assert response.status_code == 200
    response = client.post(
        f"/playlists/{playlist.id}/tracks", json={"song_id": song.id}, headers=auth_header(settings, friend)
    )
    assert_error(response, 403, "not_owner")


def test_blocked_collaborators_are_hidden_except_from_admins(make_client, db, settings):
    owner, blocked = create_user(db), create_user(db, blocked=True)
    admin = create_user(db, role="admin")
    playlist = create_playlist(db, owner=owner)
    with db.session() as session:
        session.add(PlaylistCollaborator(playlist_id=playlist.id, user_id=blocked.id))
    client = make_client("music")
    assert client.get(f"/playlists/{playlist.id}").json["collaborators"] == []
    as_admin = client.get(f"/playlists/{playlist.id}", headers=auth_header(settings, admin)).json
    assert [c["id"] for c in as_admin["collaborators"]] == [blocked.id]


@pytest.mark.postgres_only
def test_simultaneous_adds_of_one_collaborator_make_one_row(make_client, db, settings):
    owner, friend = create_user(db), create_user(db)
    playlist = create_playlist(db, owner=owner)
    client = make_client("music")
    headers = auth_header(settings, owner)
    responses = race([lambda: client.put(url(playlist, friend), headers=headers)] * 10)
    assert [r.status_code for r in responses] == [204] * 10
    assert collaborators(db, playlist) == {friend.id}
