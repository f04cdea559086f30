"""Races on PostgreSQL: real concurrent requests, decided by database constraints and row updates."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from spotifiuby.models import RefreshToken, User
from tests.concurrency import race
from tests.factories import PASSWORD

pytestmark = pytest.mark.postgres_only


def test_twenty_simultaneous_signups_with_one_email_make_one_account(make_client, db):
    client = make_client("users")
    bodies = [
        {"email": "Same@Example.com" if i % 2 else "same@example.com", "password": PASSWORD, "name": f"N{i}"}
        for i in range(20)
    ]
    responses = race([lambda body=body: client.post("/auth/signup", json=body) for body in bodies])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19
    assert all(r.json["error"]["code"] == "email_taken" for r in responses if r.status_code == 409)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_simultaneous_refreshes_with_one_token_rotate_once(make_client, db):
    client = make_client("users")
    refresh = client.post(
        "/auth/signup", json={"email": "r@example.com", "password": PASSWORD, "name": "R"}
    ).json["refresh_token"]
    responses = race([lambda: client.post("/auth/refresh", json={"refresh_token": refresh})] * 10)
    statuses = sorted(r.status_code for r in responses)
    assert statuses[0] == 200 and statuses.count(200) == 1
    assert set(statuses[1:]) == {401}
    with db.session() as session:
        # the reuse revoked the family, including the token the winner got
        assert session.scalar(select(func.count()).where(RefreshToken.revoked_at.is_(None))) == 0
