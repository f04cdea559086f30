"""GET /admin/metrics/users: per UTC day sign-ups, logins and resets from recorded events; totals."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from spotifiuby.models import UserEvent
from tests.factories import PASSWORD, auth_header, create_user

UTC = dt.UTC


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0, micro: int = 0, tz: dt.tzinfo = UTC):
    return dt.datetime(2026, 3, day, hour, minute, second, micro, tzinfo=tz)


def add_events(db, events: list[tuple[str, str | None, dt.datetime]]) -> None:
    with db.session() as session:
        session.add_all(UserEvent(kind=kind, method=method, created_at=when) for kind, method, when in events)


def day(date: str, signups=(0, 0), logins=(0, 0), resets: int = 0) -> dict:
    return {
        "date": date,
        "signups": {"password": signups[0], "federated": signups[1]},
        "logins": {"password": logins[0], "federated": logins[1]},
        "password_resets": resets,
    }


@pytest.fixture
def admin_headers(db, settings):
    return auth_header(settings, create_user(db, role="admin"))


def test_counts_each_utc_day_of_the_range_zeros_included(make_client, db, admin_headers):
    create_user(db, blocked=True)
    create_user(db, role="artist")
    add_events(
        db,
        [
            ("signup", "password", at(1, 0, 0) - dt.timedelta(microseconds=1)),  # the day before
            ("signup", "password", at(1, 0, 0)),
            ("signup", "federated", at(1, 10)),
            ("login", "password", at(1, 23, 59, 59, 999999)),
            # 01:30 in Moscow is still the 1st in UTC
            ("login", "password", at(2, 1, 30, tz=dt.timezone(dt.timedelta(hours=3)))),
            ("login", "federated", at(2, 0, 0)),
            ("login", "federated", at(2, 18)),
            ("login_failed", "password", at(2, 9)),  # failures are not logins
            ("password_reset", None, at(4, 8)),
            ("password_reset", None, at(4, 9)),
            ("signup", "password", at(5, 0, 0)),  # the day after
        ],
    )
    response = make_client("users").get(
        "/admin/metrics/users?from=2026-03-01&to=2026-03-04", headers=admin_headers
    )
    assert response.status_code == 200, response.json
    assert response.json == {
        "from": "2026-03-01",
        "to": "2026-03-04",
        "days": [
            day("2026-03-01", signups=(1, 1), logins=(2, 0)),
            day("2026-03-02", logins=(0, 2)),
            day("2026-03-03"),
            day("2026-03-04", resets=2),
        ],
        "totals": {"users": 3, "active": 2, "blocked": 1},
    }


def test_events_recorded_by_the_routes_count_today_and_outlive_their_account(make_client, db, admin_headers):
    client = make_client("users")
    body = {"email": "new@example.com", "password": PASSWORD, "name": "New"}
    signup = client.post("/auth/signup", json=body).json
    client.post("/auth/login", json={"email": body["email"], "password": PASSWORD})
    client.post("/auth/login", json={"email": body["email"], "password": "Wrong-pass1"})
    assert (
        client.delete("/me", headers={"Authorization": f"Bearer {signup['access_token']}"}).status_code == 204
    )

    response = client.get("/admin/metrics/users", headers=admin_headers)
    assert response.status_code == 200
    today = dt.datetime.now(UTC).date()
    days = response.json["days"]
    assert [d["date"] for d in days] == [(today - dt.timedelta(days=n)).isoformat() for n in range(6, -1, -1)]
    assert (response.json["from"], response.json["to"]) == (days[0]["date"], today.isoformat())
    assert days[-1] == day(today.isoformat(), signups=(1, 0), logins=(1, 0))
    assert all(d == day(d["date"]) for d in days[:-1])
    assert response.json["totals"] == {"users": 1, "active": 1, "blocked": 0}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("from=2026-03-01", ("2026-03-01", "2026-03-07")),
        ("to=2026-03-07", ("2026-03-01", "2026-03-07")),
        ("from=2026-03-01&to=2026-03-01", ("2026-03-01", "2026-03-01")),
        ("from=2025-03-02&to=2026-03-02", ("2025-03-02", "2026-03-02")),  # 366 days
    ],
)
def test_range_from_one_or_both_bounds(make_client, db, admin_headers, query, expected):
    response = make_client("users").get(f"/admin/metrics/users?{query}", headers=admin_headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["from"], body["to"]) == expected
    first, last = (dt.date.fromisoformat(d) for d in expected)
    assert len(body["days"]) == (last - first).days + 1
    assert (body["days"][0]["date"], body["days"][-1]["date"]) == expected


@pytest.mark.parametrize(
    ("query", "bad_field"),
    [
        ("from=2026-03-05&to=2026-03-01", "from"),
        ("from=2025-03-01&to=2026-03-02", "to"),  # 367 days
        ("from=2026-13-01", "from"),
        ("from=yesterday", "from"),
        ("to=2026-03-01T00:00:00", "to"),
        ("from=", "from"),
        ("days=7", "days"),
    ],
)
def test_bad_ranges_are_422(make_client, db, admin_headers, query, bad_field):
    response = make_client("users").get(f"/admin/metrics/users?{query}", headers=admin_headers)
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_failed"
    assert bad_field in response.json["error"]["details"]


def test_a_year_costs_the_same_queries_as_a_day(make_client, db, admin_headers):
    add_events(db, [("login", "password", at(n % 28 + 1)) for n in range(60)])
    client = make_client("users")
    engine = client.application.spotifiuby_app.extensions["spotifiuby"].database.engine
    counts = {}
    for query in ("from=2026-03-01&to=2026-03-01", "from=2025-03-02&to=2026-03-02"):
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args, statements=statements) -> None:
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(f"/admin/metrics/users?{query}", headers=admin_headers).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        counts[query] = len(statements)
    assert len(set(counts.values())) == 1, counts
