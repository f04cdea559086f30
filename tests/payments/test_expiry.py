"""POST /internal/subscriptions/expire: the scheduled job marking lapsed subscriptions expired."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from spotifiuby.models import Subscription
from tests.factories import auth_header, create_user

TOKEN = "internal-secret-token-123"
DAY = dt.timedelta(days=1)


def add(db, user, *, status: str = "active", ends_in: dt.timedelta) -> int:
    now = dt.datetime.now(dt.UTC)
    with db.session() as session:
        row = Subscription(
            user_id=user.id,
            plan="gold",
            status=status,
            started_at=now + ends_in - 30 * DAY,
            expires_at=now + ends_in,
            price=3_000_000,
        )
        session.add(row)
    return row.id


def statuses(db) -> dict[int, str]:
    with db.session() as session:
        return {row.id: row.status for row in session.scalars(select(Subscription))}


def test_lapsed_active_subscriptions_are_marked_expired(make_client, db):
    user, other = create_user(db), create_user(db)
    lapsed = add(db, user, ends_in=-DAY)
    just_lapsed = add(db, other, ends_in=-dt.timedelta(seconds=1))
    running = add(db, user, ends_in=DAY)
    replaced = add(db, other, status="replaced", ends_in=-DAY)
    client = make_client("payments", INTERNAL_TOKEN=TOKEN)
    # a PingSource posts a CloudEvent: any body, any content type, is accepted and ignored
    response = client.post(
        "/internal/subscriptions/expire",
        json={"specversion": "1.0", "type": "dev.knative.sources.ping", "data": {"x": 1}},
        headers={"X-Internal-Token": TOKEN, "Ce-Id": "1", "Ce-Source": "ping"},
    )
    assert response.status_code == 200, response.json
    assert response.json == {"expired": 2}
    assert statuses(db) == {
        lapsed: "expired",
        just_lapsed: "expired",
        running: "active",
        replaced: "replaced",
    }

    again = client.post("/internal/subscriptions/expire", headers={"X-Internal-Token": TOKEN})
    assert again.json == {"expired": 0}
    odd_body = client.post(
        "/internal/subscriptions/expire",
        data=b"\x00not json",
        headers={"X-Internal-Token": TOKEN, "Content-Type": "application/cloudevents+json"},
    )
    assert odd_body.status_code == 200 and odd_body.json == {"expired": 0}


def test_without_a_configured_token_the_route_does_not_exist(make_client, db):
    user = create_user(db)
    lapsed = add(db, user, ends_in=-DAY)
    client = make_client("payments")
    for headers in ({}, {"X-Internal-Token": TOKEN}, {"X-Internal-Token": ""}):
        response = client.post("/internal/subscriptions/expire", headers=headers)
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"
    assert statuses(db) == {lapsed: "active"}


def test_a_missing_or_wrong_token_is_refused(make_client, db, settings):
    user = create_user(db)
    lapsed = add(db, user, ends_in=-DAY)
    client = make_client("payments", INTERNAL_TOKEN=TOKEN)
    for headers in (
        {},
        {"X-Internal-Token": "wrong"},
        {"X-Internal-Token": TOKEN + "x"},
        auth_header(settings, user),
    ):
        response = client.post("/internal/subscriptions/expire", headers=headers)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "invalid_internal_token"
    assert statuses(db) == {lapsed: "active"}


def test_an_expired_subscription_no_longer_counts(make_client, db, settings):
    user = create_user(db)
    add(db, user, ends_in=-DAY)
    client = make_client("payments", INTERNAL_TOKEN=TOKEN)
    client.post("/internal/subscriptions/expire", headers={"X-Internal-Token": TOKEN})
    current = client.get("/me/subscription", headers=auth_header(settings, user)).json
    assert current["plan"] == "free"
