"""Playlists: create, list, read, update, delete, and their tracks (add, remove, reorder, races)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

from functions.music.playlists import schemas as playlist_schemas
from spotifiuby.models import (
    FavoritePlaylist,
    Playlist,
    PlaylistCollaborator,
    PlaylistTrack,
    Song,
)
from tests.assertions import assert_error
from tests.concurrency import race
from tests.factories import (
    auth_header,
    create_album,
    create_genre,
    create_playlist,
    create_song,
    create_user,
)
from tests.queries import counted_queries

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
ITEM_FIELDS = {
    "id",
    "title",
    "description",
    "public",
    "collaborative",
    "owner",
    "track_count",
    "created_at",
    "updated_at",
}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def add_tracks(db, playlist, songs) -> None:
    with db.session() as session:
        session.add_all(
            PlaylistTrack(playlist_id=playlist.id, song_id=song.id, position=n)
            for n, song in enumerate(songs)
        )


def stored_tracks(db, playlist) -> list[tuple[int, int]]:
    """(position, song_id) of every stored track, in order."""
    with db.session() as session:
        return [
            tuple(row)
            for row in session.execute(
                select(PlaylistTrack.position, PlaylistTrack.song_id)
                .where(PlaylistTrack.playlist_id == playlist.id)
                .order_by(PlaylistTrack.position, PlaylistTrack.song_id)
            )
        ]


def stored(db, playlist) -> Playlist | None:
    with db.session() as session:
        return session.get(Playlist, playlist.id)


def song_ids(response) -> list[int]:
    assert response.status_code in (200, 201), response.json
    return [track["song"]["id"] for track in response.json["tracks"]]


def make_songs(db, n: int, **fields) -> list[Song]:
    artist, genre = create_user(db, role="artist"), create_genre(db)
    return [create_song(db, artist=artist, genre=genre, **fields) for _ in range(n)]


# --- POST /playlists ------------------------------------------------------------------------------


def test_create_answers_201_with_the_whole_playlist_and_defaults(make_client, db, settings):
    user = create_user(db, name="Ann")
    response = make_client("music").post(
        "/playlists", json={"title": "  Road trip  "}, headers=auth_header(settings, user)
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == ITEM_FIELDS | {"tracks", "collaborators"}
    assert body["title"] == "Road trip" and body["description"] == ""
    assert (body["public"], body["collaborative"]) == (True, False)
    assert body["owner"] == {"id": user.id, "name": "Ann"}
    assert (body["track_count"], body["tracks"], body["collaborators"]) == (0, [], [])
    playlist = stored(db, Playlist(id=body["id"]))
    assert (playlist.owner_id, playlist.title, playlist.public) == (user.id, "Road trip", True)


def test_create_private_collaborative_playlist(make_client, db, settings):
    user = create_user(db)
    response = make_client("music").post(
        "/playlists",
        json={"title": "Mine", "description": "d", "public": False, "collaborative": True},
        headers=auth_header(settings, user),
    )
    assert response.status_code == 201
    assert (response.json["public"], response.json["collaborative"], response.json["description"]) == (
        False,
        True,
        "d",
    )


@pytest.mark.parametrize(
    ("body", "bad_field"),
    [
        ({}, "title"),
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 5}, "title"),
        ({"title": "ok", "description": None}, "description"),
        ({"title": "ok", "description": "x" * 2001}, "description"),
        ({"title": "ok", "public": None}, "public"),
        ({"title": "ok", "public": "true"}, "public"),
        ({"title": "ok", "collaborative": 1}, "collaborative"),
        ({"title": "ok", "owner_id": 1}, "owner_id"),
        ([{"title": "ok"}], "body"),
    ],
)
def test_create_rejects_bad_input_and_stores_nothing(make_client, db, settings, body, bad_field):
    user = create_user(db)
    response = make_client("music").post("/playlists", json=body, headers=auth_header(settings, user))
    assert_error(response, 422, "validation_failed")
    assert bad_field in response.json["error"]["details"]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Playlist)) == 0


def test_create_needs_a_signed_in_user(make_client, db):
    assert_error(make_client("music").post("/playlists", json={"title": "x"}), 401, "unauthorized")


# --- GET /playlists -------------------------------------------------------------------------------


def test_list_shows_public_ones_and_the_callers_private_and_shared_ones(make_client, db, settings):
    me, other, admin = create_user(db), create_user(db), create_user(db, role="admin")
    public = create_playlist(db, owner=other, created_at=T0)
    mine_private = create_playlist(db, owner=me, public=False, created_at=T0 + dt.timedelta(minutes=1))
    shared_private = create_playlist(db, owner=other, public=False, created_at=T0 + dt.timedelta(minutes=2))
    hidden_private = create_playlist(db, owner=other, public=False, created_at=T0 + dt.timedelta(minutes=3))
    with db.session() as session:
        session.add(PlaylistCollaborator(playlist_id=shared_private.id, user_id=me.id))
    client = make_client("music")
    assert ids(client.get("/playlists")) == [public.id]
    assert ids(client.get("/playlists", headers=auth_header(settings, me))) == [
        shared_private.id,
        mine_private.id,
        public.id,
    ]
    assert ids(client.get("/playlists", headers=auth_header(settings, admin))) == [
        hidden_private.id,
        shared_private.id,
        mine_private.id,
        public.id,
    ]


def test_list_items_have_the_owner_and_the_visible_track_count(make_client, db, settings):
    owner = create_user(db, name="Owner")
    playlist = create_playlist(db, owner=owner, title="Mix", description="songs")
    songs = make_songs(db, 3)
    blocked = create_song(db, blocked=True)
    in_blocked_album = create_song(db, album=create_album(db, blocked=True))
    add_tracks(db, playlist, [*songs, blocked, in_blocked_album])
    client = make_client("music")
    (item,) = client.get("/playlists").json["items"]
    assert set(item) == ITEM_FIELDS
    assert item["owner"] == {"id": owner.id, "name": "Owner"}
    assert (item["title"], item["description"], item["track_count"]) == ("Mix", "songs", 3)
    admin = create_user(db, role="admin")
    assert client.get("/playlists", headers=auth_header(settings, admin)).json["items"][0]["track_count"] == 5


def test_list_hides_playlists_of_blocked_accounts_except_from_admins(make_client, db, settings):
    blocked_owner = create_user(db, blocked=True)
    playlist = create_playlist(db, owner=blocked_owner)
    admin = create_user(db, role="admin")
    client = make_client("music")
    assert ids(client.get("/playlists")) == []
    assert_error(client.get(f"/playlists/{playlist.id}"), 404, "not_found")
    assert ids(client.get("/playlists", headers=auth_header(settings, admin))) == [playlist.id]


def test_list_is_newest_first_with_id_breaking_ties(make_client, db):
    owner = create_user(db)
    old = create_playlist(db, owner=owner, created_at=T0)
    tied_a = create_playlist(db, owner=owner, created_at=T0 + dt.timedelta(hours=1))
    tied_b = create_playlist(db, owner=owner, created_at=T0 + dt.timedelta(hours=1))
    new = create_playlist(db, owner=owner, created_at=T0 + dt.timedelta(hours=2))
    client = make_client("music")
    assert ids(client.get("/playlists")) == [new.id, tied_b.id, tied_a.id, old.id]
    page = client.get("/playlists?limit=2&offset=1").json
    assert [item["id"] for item in page["items"]] == [tied_b.id, tied_a.id]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    assert client.get("/playlists?offset=10").json == {"items": [], "total": 4, "limit": 20, "offset": 10}


def test_owner_id_filter_and_zero_is_a_real_filter(make_client, db, settings):
    ann, bob = create_user(db), create_user(db)
    ann_list = create_playlist(db, owner=ann)
    ann_private = create_playlist(db, owner=ann, public=False)
    create_playlist(db, owner=bob)
    client = make_client("music")
    assert ids(client.get(f"/playlists?owner_id={ann.id}")) == [ann_list.id]
    assert ids(client.get(f"/playlists?owner_id={ann.id}", headers=auth_header(settings, ann))) == [
        ann_private.id,
        ann_list.id,
    ]
    response = client.get("/playlists?owner_id=0")
    assert ids(response) == [] and response.json["total"] == 0


def test_q_matches_title_and_description_words(make_client, db):
    owner = create_user(db)
    road = create_playlist(db, owner=owner, title="Road Trip", created_at=T0)
    described = create_playlist(db, owner=owner, title="Misc", description="for a long road", created_at=T0)
    create_playlist(db, owner=owner, title="Sleep")
    client = make_client("music")
    assert sorted(ids(client.get("/playlists?q=road"))) == sorted([road.id, described.id])
    assert ids(client.get("/playlists?q=ROAD%20trip")) == [road.id]
    assert ids(client.get("/playlists?q=100%25")) == []


@pytest.mark.parametrize(
    "query",
    [
        "limit=-1",
        "limit=0",
        "limit=101",
        "limit=10000",
        "offset=-1",
        "limit=abc",
        "owner_id=-1",
        "owner_id=x",
        "owner_id=99999999999",
        "q=",
        f"q={'x' * 101}",
        "sort=title",
    ],
)
def test_list_rejects_bad_query_parameters(make_client, db, query):
    response = make_client("music").get(f"/playlists?{query}")
    assert_error(response, 422, "validation_failed")
    assert query.split("=")[0] in response.json["error"]["details"]


def test_list_costs_the_same_queries_for_1_or_50_playlists(make_client, db, settings):
    me = create_user(db)
    owners = [create_user(db) for _ in range(5)]
    songs = make_songs(db, 3)
    playlists = [
        create_playlist(db, owner=owners[n % 5], public=n % 3 != 0, created_at=T0 + dt.timedelta(minutes=n))
        for n in range(80)
    ]
    with db.session() as session:
        session.add_all(
            PlaylistCollaborator(playlist_id=p.id, user_id=me.id) for p in playlists if not p.public
        )
    for playlist in playlists:
        add_tracks(db, playlist, songs[: playlist.id % 4])
    client = make_client("music")
    headers = auth_header(settings, me)
    client.get("/playlists", headers=headers)  # warm-up
    counts = {}
    for limit in (1, 50):
        with counted_queries(client) as statements:
            response = client.get(f"/playlists?limit={limit}", headers=headers)
        assert len(response.json["items"]) == limit
        assert all(item["track_count"] == item["id"] % 4 for item in response.json["items"])
        counts[limit] = len(statements)
    assert counts[1] == counts[50]
    # auth, the page, the total, owners, track counts; SQLite adds its BEGIN IMMEDIATE
    assert counts[1] <= 6


# --- GET /playlists/<id> --------------------------------------------------------------------------


def test_a_playlist_has_its_tracks_in_order_and_its_collaborators(make_client, db, settings):
    owner, friend = create_user(db), create_user(db, name="Friend")
    playlist = create_playlist(db, owner=owner)
    album = create_album(db)
    first, second = create_song(db, album=album, title="First"), create_song(db, title="Second")
    with db.session() as session:
        session.add_all(
            [
                PlaylistTrack(playlist_id=playlist.id, song_id=second.id, position=1, created_at=T0),
                PlaylistTrack(playlist_id=playlist.id, song_id=first.id, position=0, created_at=T0),
                PlaylistCollaborator(playlist_id=playlist.id, user_id=friend.id),
            ]
        )
    body = make_client("music").get(f"/playlists/{playlist.id}").json
    assert [(t["position"], t["song"]["title"]) for t in body["tracks"]] == [(0, "First"), (1, "Second")]
    track = body["tracks"][0]
    assert set(track) == {"position", "added_at", "song"}
    assert track["added_at"].startswith("2026-03-01T12:00:00")
    assert track["song"]["album"] == {"id": album.id, "title": album.title}
    assert {"artist", "genre", "playable", "has_audio", "min_plan"} <= set(track["song"])
    assert body["collaborators"] == [{"id": friend.id, "name": "Friend"}]
    assert body["track_count"] == 2


def test_hidden_songs_are_left_out_of_the_playlist_but_not_for_their_artist(make_client, db, settings):
    owner, artist = create_user(db), create_user(db, role="artist")
    playlist = create_playlist(db, owner=owner)
    visible = create_song(db)
    blocked = create_song(db, artist=artist, blocked=True)
    in_blocked_album = create_song(db, album=create_album(db, blocked=True))
    add_tracks(db, playlist, [blocked, visible, in_blocked_album])
    client = make_client("music")
    body = client.get(f"/playlists/{playlist.id}", headers=auth_header(settings, owner)).json
    assert [(t["position"], t["song"]["id"]) for t in body["tracks"]] == [(1, visible.id)]
    assert body["track_count"] == 1
    assert song_ids(client.get(f"/playlists/{playlist.id}", headers=auth_header(settings, artist))) == [
        blocked.id,
        visible.id,
    ]


def test_a_private_playlist_is_404_to_everyone_but_owner_collaborators_and_admins(make_client, db, settings):
    owner, friend, stranger = create_user(db), create_user(db), create_user(db)
    admin = create_user(db, role="admin")
    playlist = create_playlist(db, owner=owner, public=False)
    with db.session() as session:
        session.add(PlaylistCollaborator(playlist_id=playlist.id, user_id=friend.id))
    client = make_client("music")
    url = f"/playlists/{playlist.id}"
    assert_error(client.get(url), 404, "not_found")
    assert_error(client.get(url, headers=auth_header(settings, stranger)), 404, "not_found")
    for user in (owner, friend, admin):
        assert client.get(url, headers=auth_header(settings, user)).status_code == 200
    assert_error(client.get("/playlists/999999"), 404, "not_found")
    assert_error(client.get("/playlists/99999999999"), 404, "not_found")


def test_a_playlist_costs_the_same_queries_for_1_or_50_tracks(make_client, db, settings):
    owner = create_user(db)
    songs = make_songs(db, 50)
    album = create_album(db, artist=create_user(db, role="artist"))
    songs[0] = create_song(db, album=album)
    small, big = create_playlist(db, owner=owner), create_playlist(db, owner=owner)
    add_tracks(db, small, songs[:1])
    add_tracks(db, big, songs)
    with db.session() as session:
        session.add_all(
            PlaylistCollaborator(playlist_id=p.id, user_id=create_user(db).id) for p in (small, big)
        )
    client = make_client("music")
    headers = auth_header(settings, owner)
    client.get(f"/playlists/{small.id}", headers=headers)  # warm-up
    counts = {}
    for playlist, n in ((small, 1), (big, 50)):
        with counted_queries(client) as statements:
            response = client.get(f"/playlists/{playlist.id}", headers=headers)
        assert len(response.json["tracks"]) == n
        counts[n] = len(statements)
    assert counts[1] == counts[50]
    # auth, playlist, tracks, artists, albums, genres, ratings, owner, collaborators (+ SQLite's BEGIN)
    assert counts[1] <= 10


# --- PATCH and DELETE /playlists/<id> -------------------------------------------------------------


def test_owner_updates_only_the_given_fields(make_client, db, settings):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner, title="Old", description="keep", created_at=T0, updated_at=T0)
    response = make_client("music").patch(
        f"/playlists/{playlist.id}",
        json={"title": " New ", "public": False, "collaborative": True},
        headers=auth_header(settings, owner),
    )
    assert response.status_code == 200, response.json
    assert (response.json["title"], response.json["description"]) == ("New", "keep")
    after = stored(db, playlist)
    assert (after.title, after.description, after.public, after.collaborative) == ("New", "keep", False, True)
    assert after.updated_at > T0


@pytest.mark.parametrize(
    ("body", "bad_field"),
    [
        ({"title": None}, "title"),
        ({"public": None}, "public"),
        ({"collaborative": None}, "collaborative"),
        ({"description": None}, "description"),
        ({"title": ""}, "title"),
        ({"title": "ok", "public": "no"}, "public"),
        ({"owner_id": 5}, "owner_id"),
    ],
)
def test_update_rejects_null_and_bad_fields_and_changes_nothing(make_client, db, settings, body, bad_field):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner, title="Old", description="d")
    response = make_client("music").patch(
        f"/playlists/{playlist.id}", json=body, headers=auth_header(settings, owner)
    )
    assert_error(response, 422, "validation_failed")
    assert bad_field in response.json["error"]["details"]
    after = stored(db, playlist)
    assert (after.title, after.description, after.public, after.collaborative, after.owner_id) == (
        "Old",
        "d",
        True,
        False,
        owner.id,
    )
    # the list that a stored null used to break still answers
    assert make_client("music").get("/playlists").status_code == 200


def test_an_empty_update_changes_nothing(make_client, db, settings):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner, title="Same")
    response = make_client("music").patch(
        f"/playlists/{playlist.id}", json={}, headers=auth_header(settings, owner)
    )
    assert response.status_code == 200 and response.json["title"] == "Same"


def test_nobody_but_the_owner_edits_a_playlist(make_client, db, settings):
    owner, stranger, friend = create_user(db), create_user(db), create_user(db)
    admin = create_user(db, role="admin")
    playlist = create_playlist(db, owner=owner, title="Mine", collaborative=True)
    private = create_playlist(db, owner=owner, public=False)
    with db.session() as session:
        session.add(PlaylistCollaborator(playlist_id=playlist.id, user_id=friend.id))
    client = make_client("music")
    for user in (stranger, friend, admin):
        response = client.patch(
            f"/playlists/{playlist.id}", json={"title": "Hacked"}, headers=auth_header(settings, user)
        )
        assert_error(response, 403, "not_owner")
    response = client.patch(
        f"/playlists/{private.id}", json={"title": "Hacked"}, headers=auth_header(settings, stranger)
    )
    assert_error(response, 404, "not_found")
    assert_error(client.patch(f"/playlists/{playlist.id}", json={"title": "Hacked"}), 401, "unauthorized")
    assert stored(db, playlist).title == "Mine"


def test_owner_deletes_a_playlist_with_its_tracks_collaborators_and_favourites(make_client, db, settings):
    owner, friend = create_user(db), create_user(db)
    playlist = create_playlist(db, owner=owner)
    kept = create_playlist(db, owner=owner)
    song = create_song(db)
    add_tracks(db, playlist, [song])
    add_tracks(db, kept, [song])
    with db.session() as session:
        session.add_all(
            [
                PlaylistCollaborator(playlist_id=playlist.id, user_id=friend.id),
                FavoritePlaylist(user_id=friend.id, playlist_id=playlist.id),
            ]
        )
    client = make_client("music")
    response = client.delete(f"/playlists/{playlist.id}", headers=auth_header(settings, owner))
    assert response.status_code == 204 and response.data == b""
    assert stored(db, playlist) is None
    with db.session() as session:
        for model in (PlaylistTrack, PlaylistCollaborator, FavoritePlaylist):
            remaining = session.scalars(select(model.playlist_id)).all()
            assert playlist.id not in remaining
    assert stored_tracks(db, kept) == [(0, song.id)]
    assert_error(client.get(f"/playlists/{playlist.id}"), 404, "not_found")


def test_an_admin_may_delete_any_playlist(make_client, db, settings):
    playlist = create_playlist(db, public=False)
    admin = create_user(db, role="admin")
    response = make_client("music").delete(f"/playlists/{playlist.id}", headers=auth_header(settings, admin))
    assert response.status_code == 204
    assert stored(db, playlist) is None


def test_nobody_else_deletes_a_playlist(make_client, db, settings):
    owner, stranger, friend = create_user(db), create_user(db), create_user(db)
    playlist = create_playlist(db, owner=owner, collaborative=True)
    private = create_playlist(db, owner=owner, public=False)
    with db.session() as session:
        session.add(PlaylistCollaborator(playlist_id=playlist.id, user_id=friend.id))
    client = make_client("music")
    for user in (stranger, friend):
        assert_error(
            client.delete(f"/playlists/{playlist.id}", headers=auth_header(settings, user)), 403, "not_owner"
        )
    assert_error(
        client.delete(f"/playlists/{private.id}", headers=auth_header(settings, stranger)), 404, "not_found"
    )
    assert_error(client.delete(f"/playlists/{playlist.id}"), 401, "unauthorized")
    assert stored(db, playlist) is not None and stored(db, private) is not None


# --- POST /playlists/<id>/tracks ------------------------------------------------------------------


def test_add_appends_by_default_and_inserts_at_a_position(make_client, db, settings):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner, updated_at=T0)
    a, b, c, d = make_songs(db, 4)
    client = make_client("music")
    headers = auth_header(settings, owner)
    url = f"/playlists/{playlist.id}/tracks"
    response = client.post(url, json={"song_id": a.id}, headers=headers)
    assert response.status_code == 201
    assert set(response.json) == ITEM_FIELDS | {"tracks", "collaborators"}
    assert song_ids(response) == [a.id]
    assert song_ids(client.post(url, json={"song_id": b.id}, headers=headers)) == [a.id, b.id]
    assert song_ids(client.post(url, json={"song_id": c.id, "position": 0}, headers=headers)) == [
        c.id,
        a.id,
        b.id,
    ]
    response = client.post(url, json={"song_id": d.id, "position": 2}, headers=headers)
    assert song_ids(response) == [c.id, a.id, d.id, b.id]
    assert [t["position"] for t in response.json["tracks"]] == [0, 1, 2, 3]
    assert response.json["track_count"] == 4
    assert stored_tracks(db, playlist) == [(0, c.id), (1, a.id), (2, d.id), (3, b.id)]
    assert stored(db, playlist).updated_at > T0
    with db.session() as session:
        assert set(session.scalars(select(PlaylistTrack.added_by))) == {owner.id}


def test_a_position_past_the_end_is_the_end(make_client, db, settings):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner)
    a, b = make_songs(db, 2)
    add_tracks(db, playlist, [a])
    response = make_client("music").post(
        f"/playlists/{playlist.id}/tracks",
        json={"song_id": b.id, "position": 2_000_000_000},
        headers=auth_header(settings, owner),
    )
    assert song_ids(response) == [a.id, b.id]
    assert stored_tracks(db, playlist) == [(0, a.id), (1, b.id)]


def test_a_song_appears_once_per_playlist(make_client, db, settings):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner)
    a, b = make_songs(db, 2)
    add_tracks(db, playlist, [a, b])
    response = make_client("music").post(
        f"/playlists/{playlist.id}/tracks",
        json={"song_id": b.id, "position": 0},
        headers=auth_header(settings, owner),
    )
    assert_error(response, 409, "already_in_playlist")
    assert stored_tracks(db, playlist) == [(0, a.id), (1, b.id)]


@pytest.mark.parametrize(
    ("body", "bad_field"),
    [
        ({}, "song_id"),
        ({"song_id": None}, "song_id"),
        ({"song_id": "1"}, "song_id"),
        ({"song_id": True}, "song_id"),
        ({"song_id": 0}, "song_id"),
        ({"song_id": 99999999999}, "song_id"),
        ({"song_id": 999999}, "song_id"),
        ({"song_id": "SONG", "position": 0}, "song_id"),
        ({"song_id": "SONG", "position": -1}, "position"),
        ({"song_id": "SONG", "position": None}, "position"),
        ({"song_id": "SONG", "position": 1.5}, "position"),
        ({"song_id": "SONG", "at": 1}, "at"),
    ],
)
def test_add_rejects_bad_input_and_changes_nothing(make_client, db, settings, body, bad_field):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner)
    song, existing = make_songs(db, 2)
    add_tracks(db, playlist, [existing])
    body = {key: song.id if value == "SONG" else value for key, value in body.items()}
    if body.get("song_id") == song.id and bad_field == "song_id":
        body["song_id"] = create_song(db, blocked=True).id  # exists, but hidden from the caller
    response = make_client("music").post(
        f"/playlists/{playlist.id}/tracks", json=body, headers=auth_header(settings, owner)
    )
    assert_error(response, 422, "validation_failed")
    assert bad_field in response.json["error"]["details"]
    assert stored_tracks(db, playlist) == [(0, existing.id)]


def test_adding_a_hidden_song_is_422_but_its_artist_may(make_client, db, settings):
    artist = create_user(db, role="artist")
    blocked = create_song(db, artist=artist, blocked=True)
    playlist = create_playlist(db, owner=artist)
    other = create_playlist(db)
    client = make_client("music")
    response = client.post(
        f"/playlists/{other.id}/tracks",
        json={"song_id": blocked.id},
        headers=auth_header(settings, other.owner_id),
    )
    assert_error(response, 422, "validation_failed")
    assert "song_id" in response.json["error"]["details"]
    response = client.post(
        f"/playlists/{playlist.id}/tracks",
        json={"song_id": blocked.id},
        headers=auth_header(settings, artist),
    )
    assert song_ids(response) == [blocked.id]


def test_only_the_owner_or_collaborators_of_a_collaborative_playlist_edit_tracks(make_client, db, settings):
    owner, friend, stranger = create_user(db), create_user(db), create_user(db)
    admin = create_user(db, role="admin")
    closed = create_playlist(db, owner=owner, collaborative=False)
    shared = create_playlist(db, owner=owner, collaborative=True)
    private = create_playlist(db, owner=owner, public=False, collaborative=True)
    with db.session() as session:
        session.add_all(PlaylistCollaborator(playlist_id=p.id, user_id=friend.id) for p in (closed, shared))
    song = create_song(db)
    client = make_client("music")

    def add(playlist, user):
        return client.post(
            f"/playlists/{playlist.id}/tracks", json={"song_id": song.id}, headers=auth_header(settings, user)
        )

    for user in (stranger, friend, admin):
        assert_error(add(closed, user), 403, "not_owner")
    for user in (stranger, admin):
        assert_error(add(shared, user), 403, "not_owner")
    assert_error(add(private, stranger), 404, "not_found")
    assert_error(
        client.post(f"/playlists/{shared.id}/tracks", json={"song_id": song.id}), 401, "unauthorized"
    )
    assert stored_tracks(db, closed) == [] and stored_tracks(db, shared) == []
    assert add(shared, friend).status_code == 201
    assert stored_tracks(db, shared) == [(0, song.id)]
    with db.session() as session:
        assert (
            session.scalar(select(PlaylistTrack.added_by).where(PlaylistTrack.playlist_id == shared.id))
            == friend.id
        )


def test_a_playlist_has_a_size_limit(make_client, db, settings, monkeypatch):
    monkeypatch.setattr(playlist_schemas, "MAX_TRACKS", 2)
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner)
    a, b, c = make_songs(db, 3)
    add_tracks(db, playlist, [a, b])
    response = make_client("music").post(
        f"/playlists/{playlist.id}/tracks", json={"song_id": c.id}, headers=auth_header(settings, owner)
    )
    assert_error(response, 409, "playlist_full")
    assert stored_tracks(db, playlist) == [(0, a.id), (1, b.id)]


def test_gaps_left_by_deleted_songs_are_closed_by_the_next_edit(make_client, db, settings):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner)
    a, gone, b, c = make_songs(db, 4)
    add_tracks(db, playlist, [a, gone, b])
    with db.session() as session:
        session.execute(delete(Song).where(Song.id == gone.id))  # cascades its track away
    assert stored_tracks(db, playlist) == [(0, a.id), (2, b.id)]
    response = make_client("music").post(
        f"/playlists/{playlist.id}/tracks",
        json={"song_id": c.id, "position": 2},
        headers=auth_header(settings, owner),
    )
    assert song_ids(response) == [a.id, b.id, c.id]
    assert stored_tracks(db, playlist) == [(0, a.id), (1, b.id), (2, c.id)]


# --- DELETE /playlists/<id>/tracks/<song_id> ------------------------------------------------------


def test_remove_renumbers_the_later_tracks(make_client, db, settings):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner)
    a, b, c = make_songs(db, 3)
    add_tracks(db, playlist, [a, b, c])
    client = make_client("music")
    headers = auth_header(settings, owner)
    response = client.delete(f"/playlists/{playlist.id}/tracks/{b.id}", headers=headers)
    assert response.status_code == 204
    assert stored_tracks(db, playlist) == [(0, a.id), (1, c.id)]
    assert_error(client.delete(f"/playlists/{playlist.id}/tracks/{b.id}", headers=headers), 404, "not_found")
    assert_error(
        client.delete(f"/playlists/{playlist.id}/tracks/99999999999", headers=headers), 404, "not_found"
    )


def test_remove_works_on_a_song_hidden_from_the_editor(make_client, db, settings):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner)
    (song,) = make_songs(db, 1)
    hidden = create_song(db, blocked=True)
    add_tracks(db, playlist, [hidden, song])
    response = make_client("music").delete(
        f"/playlists/{playlist.id}/tracks/{hidden.id}", headers=auth_header(settings, owner)
    )
    assert response.status_code == 204
    assert stored_tracks(db, playlist) == [(0, song.id)]


def test_remove_follows_the_edit_permissions(make_client, db, settings):
    owner, friend, stranger = create_user(db), create_user(db), create_user(db)
    playlist = create_playlist(db, owner=owner, collaborative=True)
    closed = create_playlist(db, owner=owner)
    a, b = make_songs(db, 2)
    add_tracks(db, playlist, [a, b])
    add_tracks(db, closed, [a])
    with db.session() as session:
        session.add_all(PlaylistCollaborator(playlist_id=p.id, user_id=friend.id) for p in (playlist, closed))
    client = make_client("music")
    assert_error(
        client.delete(f"/playlists/{playlist.id}/tracks/{a.id}", headers=auth_header(settings, stranger)),
        403,
        "not_owner",
    )
    assert_error(
        client.delete(f"/playlists/{closed.id}/tracks/{a.id}", headers=auth_header(settings, friend)),
        403,
        "not_owner",
    )
    assert stored_tracks(db, closed) == [(0, a.id)]
    response = client.delete(f"/playlists/{playlist.id}/tracks/{a.id}", headers=auth_header(settings, friend))
    assert response.status_code == 204
    assert stored_tracks(db, playlist) == [(0, b.id)]


# --- PUT /playlists/<id>/tracks (reorder) ---------------------------------------------------------


def test_reorder_takes_a_permutation_and_answers_the_playlist(make_client, db, settings):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner)
    a, b, c = make_songs(db, 3)
    add_tracks(db, playlist, [a, b, c])
    response = make_client("music").put(
        f"/playlists/{playlist.id}/tracks",
        json={"song_ids": [c.id, a.id, b.id]},
        headers=auth_header(settings, owner),
    )
    assert response.status_code == 200
    assert song_ids(response) == [c.id, a.id, b.id]
    assert [t["position"] for t in response.json["tracks"]] == [0, 1, 2]
    assert stored_tracks(db, playlist) == [(0, c.id), (1, a.id), (2, b.id)]


def test_reorder_of_an_empty_playlist(make_client, db, settings):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner)
    response = make_client("music").put(
        f"/playlists/{playlist.id}/tracks", json={"song_ids": []}, headers=auth_header(settings, owner)
    )
    assert response.status_code == 200 and response.json["tracks"] == []


@pytest.mark.parametrize(
    ("order", "problems"),
    [
        ("ab", ["Missing song ids: {c}."]),
        ("abcx", ["Song ids not in the playlist: {x}."]),
        ("abcc", ["Repeated song ids: {c}."]),
        ("aab", ["Missing song ids: {c}.", "Repeated song ids: {a}."]),
        ("", ["Missing song ids: {a}, {b}, {c}."]),
    ],
)
def test_reorder_names_missing_extra_and_repeated_ids_and_changes_nothing(
    make_client, db, settings, order, problems
):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner)
    a, b, c = make_songs(db, 3)
    outsider = create_song(db)
    add_tracks(db, playlist, [a, b, c])
    by_letter = {"a": a.id, "b": b.id, "c": c.id, "x": outsider.id}
    response = make_client("music").put(
        f"/playlists/{playlist.id}/tracks",
        json={"song_ids": [by_letter[letter] for letter in order]},
        headers=auth_header(settings, owner),
    )
    assert_error(response, 422, "validation_failed")
    expected = [problem.format(**by_letter) for problem in problems]
    assert response.json["error"]["details"]["song_ids"] == expected
    assert stored_tracks(db, playlist) == [(0, a.id), (1, b.id), (2, c.id)]


@pytest.mark.parametrize(
    "body", [{}, {"song_ids": None}, {"song_ids": "1,2"}, {"song_ids": ["a"]}, {"song_ids": [0]}]
)
def test_reorder_rejects_a_malformed_body(make_client, db, settings, body):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner)
    response = make_client("music").put(
        f"/playlists/{playlist.id}/tracks", json=body, headers=auth_header(settings, owner)
    )
    assert_error(response, 422, "validation_failed")
    assert "song_ids" in response.json["error"]["details"]


def test_reorder_keeps_hidden_songs_in_their_places(make_client, db, settings):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner)
    a, b = make_songs(db, 2)
    hidden = create_song(db, blocked=True)
    add_tracks(db, playlist, [a, hidden, b])
    client = make_client("music")
    headers = auth_header(settings, owner)
    response = client.put(
        f"/playlists/{playlist.id}/tracks", json={"song_ids": [b.id, a.id]}, headers=headers
    )
    assert [(t["position"], t["song"]["id"]) for t in response.json["tracks"]] == [(0, b.id), (2, a.id)]
    assert stored_tracks(db, playlist) == [(0, b.id), (1, hidden.id), (2, a.id)]
    response = client.put(
        f"/playlists/{playlist.id}/tracks", json={"song_ids": [a.id, hidden.id, b.id]}, headers=headers
    )
    assert response.json["error"]["details"]["song_ids"] == [f"Song ids not in the playlist: {hidden.id}."]


def test_reorder_follows_the_edit_permissions(make_client, db, settings):
    owner, stranger = create_user(db), create_user(db)
    playlist = create_playlist(db, owner=owner)
    a, b = make_songs(db, 2)
    add_tracks(db, playlist, [a, b])
    response = make_client("music").put(
        f"/playlists/{playlist.id}/tracks",
        json={"song_ids": [b.id, a.id]},
        headers=auth_header(settings, stranger),
    )
    assert_error(response, 403, "not_owner")
    assert stored_tracks(db, playlist) == [(0, a.id), (1, b.id)]


# --- races (PostgreSQL) ---------------------------------------------------------------------------


@pytest.mark.postgres_only
def test_simultaneous_adds_of_one_song_make_one_track(make_client, db, settings):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner)
    (song,) = make_songs(db, 1)
    client = make_client("music")
    headers = auth_header(settings, owner)
    responses = race(
        [lambda: client.post(f"/playlists/{playlist.id}/tracks", json={"song_id": song.id}, headers=headers)]
        * 10
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9
    assert all(r.json["error"]["code"] == "already_in_playlist" for r in responses if r.status_code == 409)
    assert stored_tracks(db, playlist) == [(0, song.id)]


@pytest.mark.postgres_only
def test_simultaneous_adds_of_different_songs_keep_positions_contiguous(make_client, db, settings):
    owner = create_user(db)
    playlist = create_playlist(db, owner=owner, collaborative=True)
    songs = make_songs(db, 10)
    client = make_client("music")
    headers = auth_header(settings, owner)
    responses = race(
        [
            lambda song=song, n=n: client.post(
                f"/playlists/{playlist.id}/tracks",
                json={"song_id": song.id, "position": n % 3},
                headers=headers,
            )
            for n, song in enumerate(songs)
        ]
    )
    assert [r.status_code for r in responses] == [201] * 10
    tracks = stored_tracks(db, playlist)
    assert [position for position, _ in tracks] == list(range(10))
    assert {song_id for _, song_id in tracks} == {song.id for song in songs}
