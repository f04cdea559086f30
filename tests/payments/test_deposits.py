"""Deposits through an asynchronous provider and the internal confirmation endpoint."""

from __future__ import annotations

import pytest

from tests.concurrency import race
from tests.factories import create_user
from tests.payments.helpers import ledger_state, money_headers, wallet_minor

TOKEN = "internal-secret-token-for-tests"
PENDING = {"SETTLEMENT_PROVIDER": "pending", "INTERNAL_TOKEN": TOKEN}


def pending_deposit(client, settings, user, amount="0.5"):
    response = client.post(
        "/me/wallet/deposits", json={"amount": amount}, headers=money_headers(settings, user)
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def confirm(client, settlement_id, status="confirmed", token=TOKEN):
    headers = {"X-Internal-Token": token} if token is not None else {}
    return client.post(
        f"/internal/settlements/{settlement_id}/confirm", json={"status": status}, headers=headers
    )


def test_pending_deposit_moves_nothing_until_confirmed(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments", **PENDING)
    settlement = pending_deposit(client, settings, user)
    assert settlement["status"] == "pending"
    assert wallet_minor(db, user.id) == 0
    assert ledger_state(db)["transfers"] == 0

    response = confirm(client, settlement["id"])
    assert response.status_code == 200
    assert response.get_json()["status"] == "confirmed"
    assert wallet_minor(db, user.id) == 500_000_000
    assert ledger_state(db)["transfers"] == 1


def test_second_confirmation_changes_nothing(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments", **PENDING)
    settlement = pending_deposit(client, settings, user)
    first = confirm(client, settlement["id"])
    second = confirm(client, settlement["id"])
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert wallet_minor(db, user.id) == 500_000_000
    assert ledger_state(db)["transfers"] == 1
    # the opposite word on a settled settlement is refused, and moves nothing
    contrary = confirm(client, settlement["id"], status="failed")
    assert contrary.status_code == 409
    assert contrary.get_json()["error"]["code"] == "settlement_settled"
    assert wallet_minor(db, user.id) == 500_000_000


def test_failed_deposit_moves_nothing(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments", **PENDING)
    settlement = pending_deposit(client, settings, user)
    response = confirm(client, settlement["id"], status="failed")
    assert response.status_code == 200 and response.get_json()["status"] == "failed"
    assert confirm(client, settlement["id"]).status_code == 409
    assert wallet_minor(db, user.id) == 0
    assert ledger_state(db)["transfers"] == 0


def test_internal_endpoint_needs_the_token(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments", **PENDING)
    settlement = pending_deposit(client, settings, user)
    assert confirm(client, settlement["id"], token=None).status_code == 401
    assert confirm(client, settlement["id"], token="wrong-token").status_code == 401
    # a user's bearer token is no internal token
    response = client.post(
        f"/internal/settlements/{settlement['id']}/confirm",
        json={"status": "confirmed"},
        headers=money_headers(settings, user),
    )
    assert response.status_code == 401
    assert wallet_minor(db, user.id) == 0


def test_internal_endpoint_is_404_when_no_token_is_configured(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments", SETTLEMENT_PROVIDER="pending")
    settlement = pending_deposit(client, settings, user)
    assert confirm(client, settlement["id"]).status_code == 404
    assert confirm(client, settlement["id"], token="").status_code == 404


def test_confirming_an_unknown_settlement_is_404(make_client, db):
    client = make_client("payments", **PENDING)
    assert confirm(client, 999).status_code == 404


def test_confirm_body_is_validated(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments", **PENDING)
    settlement = pending_deposit(client, settings, user)
    response = confirm(client, settlement["id"], status="done")
    assert response.status_code == 422 and "status" in response.get_json()["error"]["details"]


@pytest.mark.postgres_only
def test_concurrent_double_confirmation_credits_once(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments", **PENDING)
    settlements = [pending_deposit(client, settings, user, "0.1") for _ in range(5)]
    calls = [lambda s=s: confirm(client, s["id"]) for s in settlements for _ in range(10)]
    responses = race(calls)
    assert [r.status_code for r in responses] == [200] * 50
    assert all(r.get_json()["status"] == "confirmed" for r in responses)
    assert wallet_minor(db, user.id) == 500_000_000
    assert ledger_state(db)["transfers"] == 5
