"""The music function as a client sees it: real processes, real HTTP, everything through the gateway."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.client import Client, ok, token_of
from tests.factories import PASSWORD, create_user
from tests.music.media_samples import png_bytes, wav_bytes

pytestmark = pytest.mark.e2e


def test_artist_publishes_listener_plays_and_shares(gateway: Client, db: Any) -> None:
    for role, email in (
        ("admin", "root@example.com"),
        ("artist", "art@example.com"),
        ("listener", "lis@example.com"),
        ("listener", "pal@example.com"),
    ):
        create_user(db, role=role, email=email)
    admin, artist, listener, pal = (
        token_of(gateway, e, PASSWORD)
        for e in ("root@example.com", "art@example.com", "lis@example.com", "pal@example.com")
    )

    genre = ok(gateway.post("/genres", {"name": "Cumbia"}, token=admin), 201)
    album = ok(
        gateway.post(
            "/albums", {"title": "Noches de Humo", "genre_id": genre["id"], "min_plan": "free"}, token=artist
        ),
        201,
    )
    cover = gateway.request(
        "PUT",
        f"/albums/{album['id']}/cover",
        data=png_bytes(),
        token=artist,
        headers={"Content-Type": "image/png"},
    )
    assert cover.status in (200, 204), cover.body
    free_song = ok(
        gateway.post(
            "/songs",
            {"title": "Humo libre", "genre_id": genre["id"], "min_plan": "free", "album_id": album["id"]},
            token=artist,
        ),
        201,
    )
    gold_song = ok(
        gateway.post(
            "/songs", {"title": "Oro puro", "genre_id": genre["id"], "min_plan": "gold"}, token=artist
        ),
        201,
    )
    audio = wav_bytes()
    for song in (free_song, gold_song):
        uploaded = gateway.request(
            "PUT",
            f"/songs/{song['id']}/audio",
            data=audio,
            token=artist,
            headers={"Content-Type": "audio/wav"},
        )
        assert uploaded.status == 200, uploaded.body
        assert uploaded.body["has_audio"] is True
        assert uploaded.body["duration_seconds"] == pytest.approx(1.0, abs=0.05)

    # the listener on free lists everything, but may only play the free song
    listed = {s["id"]: s for s in ok(gateway.get("/songs?limit=100", token=listener))["items"]}
    assert listed[free_song["id"]]["playable"] is True
    assert listed[gold_song["id"]]["playable"] is False
    refused = gateway.get(f"/songs/{gold_song['id']}/audio", token=listener)
    assert refused.status == 403 and refused.error_code() == "plan_required"
    ranged = gateway.get(f"/songs/{free_song['id']}/audio", token=listener, headers={"Range": "bytes=0-99"})
    assert ranged.status == 206
    assert ranged.headers["Content-Range"] == f"bytes 0-99/{len(audio)}"
    assert ranged.body == audio[:100]
    assert ok(gateway.get(f"/albums/{album['id']}"))["tracks"][0]["id"] == free_song["id"]
    cover_bytes = gateway.get(f"/albums/{album['id']}/cover")
    assert cover_bytes.status == 200 and cover_bytes.headers["Content-Type"] == "image/png"

    # a collaborative playlist built by two people, favourited, and found by search
    pal_id = ok(gateway.get("/me", token=pal))["id"]
    playlist = ok(
        gateway.post("/playlists", {"title": "Viaje nocturno", "collaborative": True}, token=listener), 201
    )
    assert (
        gateway.request("PUT", f"/playlists/{playlist['id']}/collaborators/{pal_id}", token=listener).status
        == 204
    )
    ok(gateway.post(f"/playlists/{playlist['id']}/tracks", {"song_id": free_song["id"]}, token=listener), 201)
    ok(
        gateway.post(
            f"/playlists/{playlist['id']}/tracks", {"song_id": gold_song["id"], "position": 0}, token=pal
        ),
        201,
    )
    tracks = ok(gateway.get(f"/playlists/{playlist['id']}", token=listener))["tracks"]
    assert [t["song"]["id"] for t in tracks] == [gold_song["id"], free_song["id"]]
    assert gateway.request("PUT", f"/me/favorites/playlists/{playlist['id']}", token=pal).status == 204
    favorites = ok(gateway.get("/me/favorites/playlists", token=pal))["items"]
    assert [f["id"] for f in favorites] == [playlist["id"]]
    found = ok(gateway.get("/search?q=nocturno&type=playlist"))
    assert [p["id"] for p in found["playlists"]] == [playlist["id"]]
    found = ok(gateway.get("/search?q=humo"))
    assert {s["id"] for s in found["songs"]} == {free_song["id"]}
    assert [a["id"] for a in found["albums"]] == [album["id"]]
    history = ok(gateway.get("/me/history", token=listener))["items"]
    assert [h["song"]["id"] for h in history] == [free_song["id"]]
