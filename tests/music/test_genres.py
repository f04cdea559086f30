"""Genres: GET /genres (anyone), POST/PATCH/DELETE (admins), names unique whatever the letter case."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from spotifiuby.models import Genre, LikedGenre, Song
from tests.assertions import assert_error
from tests.concurrency import race
from tests.factories import auth_header, create_album, create_genre, create_song, create_user


def genre_rows(db) -> list[tuple[int, str, str]]:
    with db.session() as session:
        return [
            tuple(row)
            for row in session.execute(select(Genre.id, Genre.name, Genre.name_key).order_by(Genre.id))
        ]


@pytest.fixture
def admin(db, settings):
    return auth_header(settings, create_user(db, role="admin"))


# --- reading -------------------------------------------------------------------------------------


def test_anyone_lists_genres_by_name_whatever_the_case(make_client, db):
    rock, jazz, blues = (
        create_genre(db, name="rock"),
        create_genre(db, name="Jazz"),
        create_genre(db, name="Blues"),
    )
    response = make_client("music").get("/genres")
    assert response.status_code == 200, response.json
    body = response.json
    assert [g["name"] for g in body["items"]] == ["Blues", "Jazz", "rock"]
    assert [g["id"] for g in body["items"]] == [blues.id, jazz.id, rock.id]
    assert (body["total"], body["limit"], body["offset"]) == (3, 20, 0)
    assert set(body["items"][0]) == {"id", "name", "created_at", "updated_at"}


def test_genre_pages_are_bounded_and_cover_every_genre_once(make_client, db):
    names = [f"G{n:02d}" for n in range(7)]
    for name in reversed(names):
        create_genre(db, name=name)
    client = make_client("music")
    seen = []
    for offset in range(0, 7, 3):
        body = client.get(f"/genres?limit=3&offset={offset}").json
        assert body["total"] == 7 and len(body["items"]) <= 3
        seen += [g["name"] for g in body["items"]]
    assert seen == names


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=-1", "limit=101", "limit=10000", "offset=-1", "limit=abc", "sort=name"]
)
def test_bad_page_parameters_are_422(make_client, db, query):
    create_genre(db)
    response = make_client("music").get(f"/genres?{query}")
    details = assert_error(response, 422, "validation_failed")
    assert set(details) == {query.split("=")[0]}


def test_one_genre_and_ids_that_name_none(make_client, db):
    genre = create_genre(db, name="Folk")
    client = make_client("music")
    response = client.get(f"/genres/{genre.id}")
    assert response.status_code == 200
    assert (response.json["id"], response.json["name"]) == (genre.id, "Folk")
    for path in (f"/genres/{genre.id + 1}", "/genres/0", "/genres/-1", "/genres/abc", "/genres/99999999999"):
        assert_error(client.get(path), 404, "not_found")


# --- creating ------------------------------------------------------------------------------------


def test_admin_creates_a_genre(make_client, db, admin):
    response = make_client("music").post("/genres", json={"name": "  Hip   Hop "}, headers=admin)
    assert response.status_code == 201, response.json
    assert response.json["name"] == "Hip Hop"
    assert genre_rows(db) == [(response.json["id"], "Hip Hop", "hip hop")]


def test_a_name_taken_in_any_letter_case_is_409(make_client, db, admin):
    create_genre(db, name="Straße")
    client = make_client("music")
    for name in ("STRASSE", "straße", "strasse"):
        assert_error(client.post("/genres", json={"name": name}, headers=admin), 409, "genre_exists")
    assert len(genre_rows(db)) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"name": 7}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"name": "ß" * 30}, "name"),  # 30 characters, 60 once casefolded
        ({"name": "Rock", "id": 3}, "id"),
    ],
)
def test_invalid_genre_bodies_are_422_and_store_nothing(make_client, db, admin, body, field):
    response = make_client("music").post("/genres", json=body, headers=admin)
    assert field in assert_error(response, 422, "validation_failed")
    assert genre_rows(db) == []


def test_only_admins_manage_genres(make_client, db, settings):
    genre = create_genre(db, name="Pop")
    client = make_client("music")
    artist = auth_header(settings, create_user(db, role="artist"))
    for method, path in (
        ("post", "/genres"),
        ("patch", f"/genres/{genre.id}"),
        ("delete", f"/genres/{genre.id}"),
    ):
        call = getattr(client, method)
        assert_error(call(path, json={"name": "Punk"}, headers=artist), 403, "admin_required")
        assert_error(call(path, json={"name": "Punk"}), 401, "unauthorized")
    assert genre_rows(db) == [(genre.id, "Pop", "pop")]


def test_malformed_json_and_wrong_content_type(make_client, db, admin):
    client = make_client("music")
    bad = client.post("/genres", data="{name", headers={**admin, "Content-Type": "application/json"})
    assert_error(bad, 400, "malformed_json")
    assert_error(client.post("/genres", data="name=Pop", headers=admin), 415, "unsupported_media_type")
    assert genre_rows(db) == []


# --- renaming ------------------------------------------------------------------------------------


def test_admin_renames_a_genre_even_to_another_case_of_its_name(make_client, db, admin):
    genre = create_genre(db, name="drum and bass")
    client = make_client("music")
    response = client.patch(f"/genres/{genre.id}", json={"name": "Drum and Bass"}, headers=admin)
    assert response.status_code == 200, response.json
    assert response.json["name"] == "Drum and Bass"
    assert genre_rows(db) == [(genre.id, "Drum and Bass", "drum and bass")]
    assert client.patch(f"/genres/{genre.id}", json={"name": "DnB"}, headers=admin).json["name"] == "DnB"


def test_renaming_to_a_taken_name_or_null_changes_nothing(make_client, db, admin):
    rock, jazz = create_genre(db, name="Rock"), create_genre(db, name="Jazz")
    client = make_client("music")
    assert_error(
        client.patch(f"/genres/{jazz.id}", json={"name": "ROCK"}, headers=admin), 409, "genre_exists"
    )
    for body in ({"name": None}, {}, {"name": ""}):
        assert_error(client.patch(f"/genres/{jazz.id}", json=body, headers=admin), 422, "validation_failed")
    assert genre_rows(db) == [(rock.id, "Rock", "rock"), (jazz.id, "Jazz", "jazz")]
    assert_error(
        client.patch(f"/genres/{jazz.id + 5}", json={"name": "Soul"}, headers=admin), 404, "not_found"
    )


# --- deleting ------------------------------------------------------------------------------------


def test_deleting_an_unused_genre_drops_it_from_liked_genres(make_client, db, admin):
    genre, other = create_genre(db), create_genre(db)
    fan = create_user(db)
    with db.session() as session:
        session.add_all(
            [LikedGenre(user_id=fan.id, genre_id=genre.id), LikedGenre(user_id=fan.id, genre_id=other.id)]
        )
    client = make_client("music")
    response = client.delete(f"/genres/{genre.id}", headers=admin)
    assert response.status_code == 204 and response.data == b""
    assert [row[0] for row in genre_rows(db)] == [other.id]
    with db.session() as session:
        assert list(session.scalars(select(LikedGenre.genre_id))) == [other.id]
    assert_error(client.delete(f"/genres/{genre.id}", headers=admin), 404, "not_found")


@pytest.mark.parametrize("user", ["song", "album"])
def test_a_genre_in_use_cannot_be_deleted(make_client, db, admin, user):
    genre = create_genre(db)
    (create_song if user == "song" else create_album)(db, genre=genre)
    response = make_client("music").delete(f"/genres/{genre.id}", headers=admin)
    assert_error(response, 409, "genre_in_use")
    assert [row[0] for row in genre_rows(db)] == [genre.id]


# --- races (PostgreSQL) --------------------------------------------------------------------------


@pytest.mark.postgres_only
def test_simultaneous_creates_of_one_name_in_two_cases_make_one_genre(make_client, db, admin):
    client = make_client("music")
    names = ["Reggaeton", "REGGAETON"] * 5
    responses = race(
        [lambda name=name: client.post("/genres", json={"name": name}, headers=admin) for name in names]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9
    assert all(r.json["error"]["code"] == "genre_exists" for r in responses if r.status_code == 409)
    assert len(genre_rows(db)) == 1


@pytest.mark.postgres_only
def test_deleting_a_genre_while_a_song_is_created_with_it_never_breaks(make_client, db, settings, admin):
    client = make_client("music")
    artist = auth_header(settings, create_user(db, role="artist"))
    for _ in range(5):
        genre = create_genre(db)
        body = {"title": "Race", "genre_id": genre.id, "min_plan": "free"}
        deleted, created = race(
            [
                lambda genre=genre: client.delete(f"/genres/{genre.id}", headers=admin),
                lambda body=body: client.post("/songs", json=body, headers=artist),
            ]
        )
        # either the delete won (the song names no genre: 422) or the song did (the genre is in use)
        assert (deleted.status_code, created.status_code) in {(204, 422), (409, 201)}, (
            deleted.json,
            created.json,
        )
        with db.session() as session:
            genre_left = session.get(Genre, genre.id) is not None
            songs = session.scalar(select(func.count()).select_from(Song).where(Song.genre_id == genre.id))
        assert genre_left == (created.status_code == 201) and songs == int(genre_left)


def wait_until_blocked(db, timeout: float = 10) -> None:
    """Until a statement of this database waits for a row lock (another test request)."""
    deadline = time.monotonic() + timeout
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while time.monotonic() < deadline:
        with db.engine.connect() as conn:
            if conn.scalar(waiting):
                return
        time.sleep(0.01)
    raise AssertionError("no statement waits for a lock")


@pytest.mark.postgres_only
def test_a_song_committed_while_the_delete_waits_makes_the_delete_409(make_client, db, admin):
    genre, artist = create_genre(db), create_user(db, role="artist")
    client = make_client("music")
    with Session(db.engine) as other, ThreadPoolExecutor(1) as pool:
        other.add(Song(artist_id=artist.id, genre_id=genre.id, title="Late"))
        other.flush()  # uncommitted: the delete's in-use check cannot see it, its foreign key can
        deleting = pool.submit(client.delete, f"/genres/{genre.id}", headers=admin)
        wait_until_blocked(db)
        other.commit()
        assert_error(deleting.result(timeout=30), 409, "genre_in_use")
    assert [row[0] for row in genre_rows(db)] == [genre.id]


@pytest.mark.postgres_only
def test_a_delete_committed_while_a_song_waits_for_its_genre_makes_the_song_422(make_client, db, settings):
    genre, artist = create_genre(db), create_user(db, role="artist")
    client = make_client("music")
    body = {"title": "Late", "genre_id": genre.id, "min_plan": "free"}
    with Session(db.engine) as other, ThreadPoolExecutor(1) as pool:
        other.execute(sql_delete(Genre).where(Genre.id == genre.id))
        creating = pool.submit(client.post, "/songs", json=body, headers=auth_header(settings, artist))
        wait_until_blocked(db)
        other.commit()
        details = assert_error(creating.result(timeout=30), 422, "validation_failed")
    assert set(details) == {"genre_id"}
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Song)) == 0


@pytest.mark.postgres_only
def test_liking_a_genre_an_admin_is_deleting_is_404_not_500(make_client, db, settings):
    genre, fan = create_genre(db), create_user(db)
    client = make_client("users")
    with Session(db.engine) as other, ThreadPoolExecutor(1) as pool:
        other.execute(sql_delete(Genre).where(Genre.id == genre.id))
        liking = pool.submit(client.put, f"/me/genres/{genre.id}", headers=auth_header(settings, fan))
        wait_until_blocked(db)
        other.commit()
        assert_error(liking.result(timeout=30), 404, "not_found")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(LikedGenre)) == 0
