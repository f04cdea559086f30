"""Content of a blocked account is hidden like the account itself (the users function's rule)."""

from __future__ import annotations

from spotifiuby.models import User
from tests.factories import auth_header, create_album, create_song, create_user


def block(db, user_id: int) -> None:
    with db.session() as session:
        session.get(User, user_id).blocked = True


def test_a_blocked_artists_songs_and_albums_are_hidden_but_not_from_admins(make_client, db, settings):
    artist = create_user(db, role="artist")
    album = create_album(db, artist=artist)
    song = create_song(db, album=album)
    listener, admin = create_user(db), create_user(db, role="admin")
    client = make_client("music")
    as_listener, as_admin = auth_header(settings, listener), auth_header(settings, admin)
    assert client.get(f"/songs/{song.id}", headers=as_listener).status_code == 200

    block(db, artist.id)
    assert client.get(f"/songs/{song.id}", headers=as_listener).status_code == 404
    assert client.get(f"/albums/{album.id}").status_code == 404
    assert client.get("/songs", headers=as_listener).json["total"] == 0
    assert client.get("/albums").json["total"] == 0
    assert client.get(f"/songs/{song.id}", headers=as_admin).status_code == 200
    assert [s["id"] for s in client.get("/songs", headers=as_admin).json["items"]] == [song.id]
