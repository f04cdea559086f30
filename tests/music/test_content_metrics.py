"""GET /admin/metrics/content: per UTC day new songs, new albums and plays; by genre, by plan; most played."""

from __future__ import annotations

import datetime as dt

import pytest

from spotifiuby.models import Play
from tests.assertions import assert_error
from tests.factories import auth_header, create_album, create_genre, create_song, create_user
from tests.queries import counted_queries

UTC = dt.UTC


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0, micro: int = 0, tz: dt.tzinfo = UTC):
    return dt.datetime(2026, 3, day, hour, minute, second, micro, tzinfo=tz)


def day(date: str, songs: int = 0, albums: int = 0, plays: int = 0) -> dict:
    return {"date": date, "new_songs": songs, "new_albums": albums, "plays": plays}


def add_plays(db, song, *moments: dt.datetime) -> None:
    with db.session() as session:
        session.add_all(Play(song_id=song.id, created_at=when) for when in moments)


@pytest.fixture
def admin(db, settings):
    return auth_header(settings, create_user(db, role="admin"))


def test_counts_each_utc_day_of_the_range_zeros_included(make_client, db, admin):
    rock, jazz, empty = (
        create_genre(db, name="rock"),
        create_genre(db, name="Jazz"),
        create_genre(db, name="Ambient"),
    )
    artist = create_user(db, role="artist", name="Ann")
    album = create_album(db, artist=artist, genre=rock, min_plan="gold", created_at=at(1, 0, 0))
    create_album(db, artist=artist, genre=jazz, blocked=True, created_at=at(5))  # the day after the range
    hit = create_song(db, album=album, title="Hit", created_at=at(1, 0, 0) - dt.timedelta(microseconds=1))
    b_side = create_song(
        db, album=album, title="B-side", min_plan="silver", created_at=at(1, 23, 59, 59, 999999)
    )
    # 01:30 in Moscow is still the 1st in UTC
    late = create_song(
        db,
        artist=artist,
        genre=jazz,
        min_plan="regular",
        created_at=at(2, 1, 30, tz=dt.timezone(dt.timedelta(hours=3))),
    )
    create_song(db, artist=artist, genre=jazz, blocked=True, created_at=at(3, 8))
    add_plays(
        db, hit, at(1, 0, 0), at(1, 5), at(4, 23, 59), at(5, 0, 0), at(1, 0, 0) - dt.timedelta(seconds=1)
    )
    add_plays(db, b_side, at(2), at(2, 13))
    add_plays(db, late, at(3))
    response = make_client("music").get("/admin/metrics/content?from=2026-03-01&to=2026-03-04", headers=admin)
    assert response.status_code == 200, response.json
    assert response.json == {
        "from": "2026-03-01",
        "to": "2026-03-04",
        "days": [
            day("2026-03-01", songs=2, albums=1, plays=2),
            day("2026-03-02", plays=2),
            day("2026-03-03", songs=1, plays=1),
            day("2026-03-04", plays=1),
        ],
        # the catalogue as it is now, every genre by name
        "by_genre": [
            {"genre": {"id": empty.id, "name": "Ambient"}, "songs": 0, "albums": 0},
            {"genre": {"id": jazz.id, "name": "Jazz"}, "songs": 2, "albums": 1},
            {"genre": {"id": rock.id, "name": "rock"}, "songs": 2, "albums": 1},
        ],
        "by_plan": [
            {"plan": "free", "songs": 2, "albums": 1},
            {"plan": "regular", "songs": 1, "albums": 0},
            {"plan": "silver", "songs": 1, "albums": 0},
            {"plan": "gold", "songs": 0, "albums": 1},
        ],
        "most_played": [
            {"id": hit.id, "title": "Hit", "artist": {"id": artist.id, "name": "Ann"}, "plays": 3},
            {"id": b_side.id, "title": "B-side", "artist": {"id": artist.id, "name": "Ann"}, "plays": 2},
            {"id": late.id, "title": late.title, "artist": {"id": artist.id, "name": "Ann"}, "plays": 1},
        ],
    }


def test_most_played_keeps_the_ten_most_played_songs_ties_by_id(make_client, db, admin):
    genre = create_genre(db)
    songs = [create_song(db, genre=genre) for _ in range(12)]
    for n, song in enumerate(songs):
        add_plays(db, song, *[at(2)] * (1 + n // 2))  # 1, 1, 2, 2, ... 6, 6 plays
    response = make_client("music").get("/admin/metrics/content?from=2026-03-01&to=2026-03-02", headers=admin)
    most = response.json["most_played"]
    assert [(m["id"], m["plays"]) for m in most] == [
        (song.id, 1 + n // 2) for n, song in sorted(enumerate(songs), key=lambda p: (-(p[0] // 2), p[1].id))
    ][:10]
    assert response.json["days"][1]["plays"] == sum(1 + n // 2 for n in range(12))


def test_the_default_range_is_the_last_7_utc_days(make_client, db, admin):
    create_song(db)
    body = make_client("music").get("/admin/metrics/content", headers=admin).json
    today = dt.datetime.now(UTC).date()
    assert (body["from"], body["to"]) == ((today - dt.timedelta(days=6)).isoformat(), today.isoformat())
    assert [d["date"] for d in body["days"]] == [
        (today - dt.timedelta(days=n)).isoformat() for n in range(6, -1, -1)
    ]
    assert body["days"][-1]["new_songs"] == 1


def test_one_bound_alone_makes_a_7_day_range(make_client, db, admin):
    client = make_client("music")
    body = client.get("/admin/metrics/content?from=2026-02-26", headers=admin).json
    assert (body["from"], body["to"]) == ("2026-02-26", "2026-03-04")
    body = client.get("/admin/metrics/content?to=2026-03-04", headers=admin).json
    assert (body["from"], body["to"]) == ("2026-02-26", "2026-03-04")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-03-05&to=2026-03-04", "from"),
        ("from=2024-01-01&to=2025-01-01", "to"),  # 367 days
        ("from=2026-02-30", "from"),
        ("from=yesterday", "from"),
        ("days=7", "days"),
    ],
)
def test_bad_ranges_are_422(make_client, db, admin, query, field):
    response = make_client("music").get(f"/admin/metrics/content?{query}", headers=admin)
    assert field in assert_error(response, 422, "validation_failed")


def test_a_full_year_is_allowed(make_client, db, admin):
    body = (
        make_client("music").get("/admin/metrics/content?from=2024-01-01&to=2024-12-31", headers=admin).json
    )
    assert len(body["days"]) == 366


def test_only_admins_see_content_metrics(make_client, db, settings):
    client = make_client("music")
    for role in ("listener", "artist"):
        headers = auth_header(settings, create_user(db, role=role))
        assert_error(client.get("/admin/metrics/content", headers=headers), 403, "admin_required")
    assert_error(client.get("/admin/metrics/content"), 401, "unauthorized")


def test_metrics_cost_the_same_queries_whatever_the_content(make_client, db, admin):
    client = make_client("music")

    def queries() -> int:
        with counted_queries(client) as statements:
            assert (
                client.get("/admin/metrics/content?from=2026-03-01&to=2026-03-31", headers=admin).status_code
                == 200
            )
        return len(statements)

    before = queries()
    for n in range(12):
        genre = create_genre(db)
        song = create_song(db, album=create_album(db, genre=genre), created_at=at(1 + n), min_plan="gold")
        add_plays(db, song, at(1 + n), at(2 + n))
    assert queries() == before
