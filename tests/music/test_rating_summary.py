"""Songs and albums carry their rating summary (the feedback function's ratings), for any page size."""

from __future__ import annotations

from spotifiuby.models import Rating
from tests.factories import create_album, create_song, create_user


def rate(db, target, value: int, *, album: bool = False) -> None:
    with db.session() as session:
        key = {"album_id": target.id} if album else {"song_id": target.id}
        session.add(Rating(user_id=create_user(db).id, value=value, **key))


def test_songs_and_albums_show_count_and_average(make_client, db):
    album = create_album(db)
    rated, unrated = create_song(db, album=album), create_song(db, album=album)
    for value in (5, 4, 4):
        rate(db, rated, value)
    rate(db, album, 2, album=True)
    client = make_client("music")
    songs = {s["id"]: s["rating"] for s in client.get("/songs").json["items"]}
    assert songs == {rated.id: {"count": 3, "average": 4.33}, unrated.id: {"count": 0, "average": None}}
    detail = client.get(f"/albums/{album.id}").json
    assert detail["rating"] == {"count": 1, "average": 2.0}
    assert [t["rating"]["count"] for t in detail["tracks"]] == [3, 0]
