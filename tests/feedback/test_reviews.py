"""Reviews: PUT/DELETE /{kind}/{id}/review and GET /{kind}/{id}/reviews."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from spotifiuby.models import Review, User
from tests.assertions import assert_error
from tests.factories import auth_header, create_user
from tests.feedback.helpers import each_kind, make_target, sql_queries
from tests.queries import counted_queries


@each_kind
def test_put_creates_then_replaces_the_one_review(make_client, db, settings, kind):
    target, _ = make_target(db, kind)
    user = create_user(db, name="Ana")
    headers = auth_header(settings, user)
    client = make_client("feedback")
    first = client.put(f"/{kind}/{target.id}/review", json={"text": "  Great record.  "}, headers=headers)
    assert first.status_code == 200, first.json
    assert set(first.json) == {"id", "user", "text", "created_at", "updated_at"}
    assert first.json["user"] == {"id": user.id, "name": "Ana"}
    assert first.json["text"] == "Great record."
    second = client.put(f"/{kind}/{target.id}/review", json={"text": "Changed my mind."}, headers=headers)
    assert second.status_code == 200, second.json
    assert second.json["id"] == first.json["id"]
    assert second.json["text"] == "Changed my mind."
    assert second.json["created_at"] == first.json["created_at"]
    listed = client.get(f"/{kind}/{target.id}/reviews").json
    assert listed["total"] == 1 and listed["items"] == [second.json]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Review)) == 1


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001, None, 5, ["a"]])
def test_review_text_is_1_to_5000_characters(make_client, db, settings, text):
    target, _ = make_target(db, "albums")
    response = make_client("feedback").put(
        f"/albums/{target.id}/review", json={"text": text}, headers=auth_header(settings, create_user(db))
    )
    assert "text" in assert_error(response, 422, "validation_failed")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Review)) == 0


def test_a_5000_character_review_is_fine(make_client, db, settings):
    target, _ = make_target(db, "songs")
    response = make_client("feedback").put(
        f"/songs/{target.id}/review",
        json={"text": "x" * 5000},
        headers=auth_header(settings, create_user(db)),
    )
    assert response.status_code == 200 and len(response.json["text"]) == 5000


@each_kind
def test_delete_is_204_and_removes_only_the_callers_review(make_client, db, settings, kind):
    target, _ = make_target(db, kind)
    me, other = create_user(db), create_user(db)
    client = make_client("feedback")
    for user in (me, other):
        client.put(f"/{kind}/{target.id}/review", json={"text": "ok"}, headers=auth_header(settings, user))
    assert client.delete(f"/{kind}/{target.id}/review", headers=auth_header(settings, me)).status_code == 204
    assert client.delete(f"/{kind}/{target.id}/review", headers=auth_header(settings, me)).status_code == 204
    items = client.get(f"/{kind}/{target.id}/reviews").json["items"]
    assert [item["user"]["id"] for item in items] == [other.id]


def test_reviews_list_newest_first_paginated_without_blocked_authors(make_client, db, settings):
    album, _ = make_target(db, "albums")
    users = [create_user(db) for _ in range(5)]
    client = make_client("feedback")
    for user in users:
        client.put(
            f"/albums/{album.id}/review", json={"text": f"by {user.id}"}, headers=auth_header(settings, user)
        )
    base = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with db.session() as session:  # distinct, known creation times; two equal ones tie by id
        for n, user in enumerate(users):
            stamp = base + dt.timedelta(hours=min(n, 3))
            session.execute(update(Review).where(Review.user_id == user.id).values(created_at=stamp))
    with db.session() as session:
        newest_first = session.scalars(
            select(Review.id).order_by(Review.created_at.desc(), Review.id.desc())
        ).all()
    page = client.get(f"/albums/{album.id}/reviews?limit=2&offset=1").json
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 1
    assert [item["id"] for item in page["items"]] == newest_first[1:3]

    blocked = users[0]
    with db.session() as session:
        session.execute(update(User).where(User.id == blocked.id).values(blocked=True))
    listed = client.get(f"/albums/{album.id}/reviews?limit=100").json
    assert listed["total"] == 4 and blocked.id not in [item["user"]["id"] for item in listed["items"]]
    admin = create_user(db, role="admin")
    as_admin = client.get(f"/albums/{album.id}/reviews", headers=auth_header(settings, admin)).json
    assert as_admin["total"] == 5


@pytest.mark.parametrize("query", ["limit=-1", "limit=0", "limit=10000", "offset=-1", "limit=x", "sort=new"])
def test_bad_pagination_is_422(make_client, db, query):
    target, _ = make_target(db, "songs")
    response = make_client("feedback").get(f"/songs/{target.id}/reviews?{query}")
    assert_error(response, 422, "validation_failed")


def test_listing_reviews_costs_the_same_queries_for_1_or_50(make_client, db, settings):
    album, _ = make_target(db, "albums")
    client = make_client("feedback")
    counts = []
    for wanted in (1, 50):
        while client.get(f"/albums/{album.id}/reviews").json["total"] < wanted:
            client.put(
                f"/albums/{album.id}/review",
                json={"text": "hi"},
                headers=auth_header(settings, create_user(db)),
            )
        with counted_queries(client) as statements:
            response = client.get(f"/albums/{album.id}/reviews?limit=100")
        assert len(response.json["items"]) == wanted
        counts.append(sql_queries(statements))
    assert counts[0] == counts[1] == 3, counts  # target, page with authors, total


@each_kind
def test_reviews_of_unknown_or_hidden_targets_are_404(make_client, db, settings, kind):
    hidden, _ = make_target(db, kind, blocked=True)
    client = make_client("feedback")
    headers = auth_header(settings, create_user(db))
    for target_id in (hidden.id, 12345):
        assert_error(client.get(f"/{kind}/{target_id}/reviews"), 404, "not_found")
        assert_error(
            client.put(f"/{kind}/{target_id}/review", json={"text": "x"}, headers=headers), 404, "not_found"
        )
        assert_error(client.delete(f"/{kind}/{target_id}/review", headers=headers), 404, "not_found")
