"""Withdrawals: debited at once, refunded when the settlement fails, nothing half-done on a crash."""

from __future__ import annotations

import pytest

from functions.payments import ledger
from functions.payments.wallet.providers import SandboxProvider
from tests.factories import create_user
from tests.payments.helpers import deposit, ledger_state, money_headers, wallet_minor
from tests.payments.test_deposits import PENDING, confirm, pending_deposit


def withdraw(client, settings, user, amount, destination="0xabc", key=None):
    return client.post(
        "/me/wallet/withdrawals",
        json={"amount": amount, "destination": destination},
        headers=money_headers(settings, user, key),
    )


def test_withdrawal_debits_the_wallet(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments")
    deposit(client, settings, user, "1")
    response = withdraw(client, settings, user, "0.4")
    assert response.status_code == 201
    body = response.get_json()
    assert {k: body[k] for k in ("kind", "status", "amount", "destination")} == {
        "kind": "withdrawal",
        "status": "confirmed",
        "amount": "0.4",
        "destination": "0xabc",
    }
    assert wallet_minor(db, user.id) == 600_000_000
    assert ledger_state(db)["balances"]["sandbox"] == -600_000_000


def test_withdrawal_beyond_the_balance_is_402_and_moves_nothing(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments")
    deposit(client, settings, user, "0.1")
    response = withdraw(client, settings, user, "0.100000001")
    assert response.status_code == 402
    error = response.get_json()["error"]
    assert error["code"] == "insufficient_funds"
    assert error["details"] == {"balance": "0.1", "needed": "0.100000001"}
    assert wallet_minor(db, user.id) == 100_000_000
    assert ledger_state(db)["transfers"] == 1


def test_failed_settlement_refunds_in_the_same_request(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments")
    deposit(client, settings, user, "1")
    response = withdraw(client, settings, user, "0.3", destination="fail:unreachable")
    assert response.status_code == 201
    assert response.get_json()["status"] == "failed"
    assert wallet_minor(db, user.id) == 1_000_000_000
    state = ledger_state(db)
    assert state["transfers"] == 3  # deposit, withdrawal, refund
    assert state["balances"]["sandbox"] == -1_000_000_000


def test_pending_withdrawal_failed_later_is_refunded_once(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments", **PENDING)
    confirm(client, pending_deposit(client, settings, user, "1")["id"])
    settlement = withdraw(client, settings, user, "0.7").get_json()
    assert settlement["status"] == "pending"
    assert wallet_minor(db, user.id) == 300_000_000
    assert confirm(client, settlement["id"], status="failed").get_json()["status"] == "failed"
    assert confirm(client, settlement["id"], status="failed").status_code == 200
    assert wallet_minor(db, user.id) == 1_000_000_000
    assert ledger_state(db)["transfers"] == 3


def test_pending_withdrawal_confirmed_later_keeps_the_debit(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments", **PENDING)
    confirm(client, pending_deposit(client, settings, user, "1")["id"])
    settlement = withdraw(client, settings, user, "0.7").get_json()
    assert confirm(client, settlement["id"]).get_json()["status"] == "confirmed"
    assert wallet_minor(db, user.id) == 300_000_000
    assert ledger_state(db)["transfers"] == 2


def assert_nothing_half_done(db, user, before):
    assert wallet_minor(db, user.id) == 500_000_000
    state = ledger_state(db)
    assert state == before
    from sqlalchemy import func, select

    from spotifiuby.models import IdempotencyRecord, Settlement

    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Settlement)) == 1  # the deposit's
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1


def test_provider_crash_after_the_debit_leaves_nothing_half_done(make_client, db, settings, monkeypatch):
    user = create_user(db)
    client = make_client("payments")
    deposit(client, settings, user, "0.5")
    before = ledger_state(db)

    def crash(self, settlement):
        raise RuntimeError("connection reset by provider at db://secret")

    monkeypatch.setattr(SandboxProvider, "withdraw", crash)
    response = withdraw(client, settings, user, "0.2")
    assert response.status_code == 500
    error = response.get_json()["error"]
    assert error["code"] == "internal_error" and error["details"] == {}
    assert "secret" not in response.get_data(as_text=True)
    assert_nothing_half_done(db, user, before)


def test_crash_inside_the_ledger_post_leaves_nothing_half_done(make_client, db, settings, monkeypatch):
    user = create_user(db)
    client = make_client("payments")
    deposit(client, settings, user, "0.5")
    before = ledger_state(db)

    def broken_entry(**kwargs):
        raise RuntimeError("disk full")

    # the transfer row is flushed, then writing its entries fails
    monkeypatch.setattr(ledger, "Entry", broken_entry)
    response = withdraw(client, settings, user, "0.2")
    assert response.status_code == 500
    assert response.get_json()["error"]["details"] == {}
    assert_nothing_half_done(db, user, before)


def test_crash_after_the_balance_updates_leaves_nothing_half_done(make_client, db, settings, monkeypatch):
    user = create_user(db)
    client = make_client("payments")
    deposit(client, settings, user, "0.5")
    before = ledger_state(db)
    real_post = ledger.post

    def post_then_crash(*args, **kwargs):
        real_post(*args, **kwargs)  # the UPDATEs of the balances have run
        raise RuntimeError("crash between steps")

    monkeypatch.setattr(ledger, "post", post_then_crash)
    response = withdraw(client, settings, user, "0.2", key="retry-after-crash")
    assert response.status_code == 500
    assert_nothing_half_done(db, user, before)
    monkeypatch.undo()
    retry = withdraw(client, settings, user, "0.2", key="retry-after-crash")
    assert retry.status_code == 201
    assert wallet_minor(db, user.id) == 300_000_000


@pytest.mark.parametrize("destination", ["", "   ", "x" * 201, None, 12])
def test_destination_is_validated(make_client, db, settings, destination):
    user = create_user(db)
    client = make_client("payments")
    deposit(client, settings, user, "1")
    response = withdraw(client, settings, user, "0.1", destination=destination)
    assert response.status_code == 422
    assert "destination" in response.get_json()["error"]["details"]
    assert wallet_minor(db, user.id) == 1_000_000_000


def test_withdrawal_needs_idempotency_key(make_client, db, settings):
    from tests.factories import auth_header

    user = create_user(db)
    client = make_client("payments")
    deposit(client, settings, user, "1")
    response = client.post(
        "/me/wallet/withdrawals",
        json={"amount": "0.1", "destination": "0xabc"},
        headers=auth_header(settings, user),
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "idempotency_key_required"
    assert wallet_minor(db, user.id) == 1_000_000_000
