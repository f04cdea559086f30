"""GET /admin/metrics/feedback: ratings, reviews and comments created per UTC day."""

from __future__ import annotations

import datetime as dt

from spotifiuby.models import Comment, Rating, Review
from tests.assertions import assert_error
from tests.factories import auth_header, create_album, create_song, create_user


def at(day: int, hour: int = 12, *rest: int, tz: dt.tzinfo = dt.UTC) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, *rest, tzinfo=tz)


def test_counts_each_utc_day_of_the_range_zeros_included(make_client, db, settings):
    admin = create_user(db, role="admin")
    album, song = create_album(db), create_song(db)
    users = [create_user(db) for _ in range(4)]
    with db.session() as session:
        session.add_all(
            [
                Rating(user_id=users[0].id, album_id=album.id, value=5, created_at=at(1, 0, 0)),
                Rating(user_id=users[1].id, album_id=album.id, value=3, created_at=at(1, 23, 59, 59)),
                Rating(user_id=users[0].id, song_id=song.id, value=1, created_at=at(3)),
                # 01:30 on the 5th at UTC+3 is 22:30 on the 4th in UTC
                Rating(
                    user_id=users[2].id,
                    song_id=song.id,
                    value=2,
                    created_at=at(5, 1, 30, tz=dt.timezone(dt.timedelta(hours=3))),
                ),
                Rating(user_id=users[3].id, song_id=song.id, value=2, created_at=at(5, 3)),  # after the range
                Review(user_id=users[0].id, album_id=album.id, text="x", created_at=at(2)),
                Review(user_id=users[1].id, album_id=album.id, text="x", created_at=at(2, 13)),
                Review(
                    user_id=users[0].id,
                    song_id=song.id,
                    text="x",
                    created_at=at(1, 0, 0) - dt.timedelta(seconds=1),
                ),
                Comment(user_id=users[0].id, album_id=album.id, text="x", created_at=at(4, 23, 59)),
                Comment(user_id=users[1].id, song_id=song.id, text="x", created_at=at(1)),
            ]
        )
    response = make_client("feedback").get(
        "/admin/metrics/feedback?from=2026-03-01&to=2026-03-04", headers=auth_header(settings, admin)
    )
    assert response.status_code == 200, response.json
    assert response.json == {
        "from": "2026-03-01",
        "to": "2026-03-04",
        "days": [
            {"date": "2026-03-01", "ratings": 2, "reviews": 0, "comments": 1},
            {"date": "2026-03-02", "ratings": 0, "reviews": 2, "comments": 0},
            {"date": "2026-03-03", "ratings": 1, "reviews": 0, "comments": 0},
            {"date": "2026-03-04", "ratings": 1, "reviews": 0, "comments": 1},
        ],
    }


def test_the_default_range_is_the_last_7_days_and_bad_ranges_are_422(make_client, db, settings):
    headers = auth_header(settings, create_user(db, role="admin"))
    client = make_client("feedback")
    body = client.get("/admin/metrics/feedback", headers=headers).json
    today = dt.datetime.now(dt.UTC).date()
    assert [d["date"] for d in body["days"]] == [
        (today - dt.timedelta(days=n)).isoformat() for n in range(6, -1, -1)
    ]
    for query in ("from=2026-03-05&to=2026-03-01", "from=2024-01-01&to=2026-01-01", "from=yesterday", "x=1"):
        assert_error(
            client.get(f"/admin/metrics/feedback?{query}", headers=headers), 422, "validation_failed"
        )


def test_admins_only(make_client, db, settings):
    client = make_client("feedback")
    assert_error(client.get("/admin/metrics/feedback"), 401, "unauthorized")
    response = client.get(
        "/admin/metrics/feedback", headers=auth_header(settings, create_user(db, role="artist"))
    )
    assert_error(response, 403, "admin_required")
