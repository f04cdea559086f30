"""GET /me/wallet and deposits through the sandbox provider."""

from __future__ import annotations

from tests.factories import auth_header, create_user
from tests.payments.helpers import deposit, ledger_state, money_headers


def test_wallet_is_created_on_first_need_and_empty(make_client, db, settings):
    user = create_user(db)
    response = make_client("payments").get("/me/wallet", headers=auth_header(settings, user))
    assert response.status_code == 200
    assert response.get_json() == {
        "balance": "0",
        "currency": "ETH",
        "deposit": {"provider": "sandbox", "instructions": response.get_json()["deposit"]["instructions"]},
    }
    assert "Sandbox" in response.get_json()["deposit"]["instructions"]


def test_wallet_needs_credentials(make_client, db):
    response = make_client("payments").get("/me/wallet")
    assert response.status_code == 401


def test_deposit_credits_the_wallet_at_once(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments")
    response = deposit(client, settings, user, "0.25")
    body = response.get_json()
    assert body["kind"] == "deposit" and body["status"] == "confirmed" and body["amount"] == "0.25"
    assert body["destination"] is None and isinstance(body["id"], int)
    wallet = client.get("/me/wallet", headers=auth_header(settings, user)).get_json()
    assert wallet["balance"] == "0.25"
    state = ledger_state(db)
    assert state["transfers"] == 1
    assert state["balances"] == {"sandbox": -250_000_000, f"user:{user.id}": 250_000_000}


def test_currency_is_configurable(make_client, db, settings):
    user = create_user(db)
    response = make_client("payments", CURRENCY="USDC").get("/me/wallet", headers=auth_header(settings, user))
    assert response.get_json()["currency"] == "USDC"


def test_deposit_answers_exact_decimal_strings(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments")
    deposit(client, settings, user, "0.000000001")
    deposit(client, settings, user, "999999.999999999")
    wallet = client.get("/me/wallet", headers=auth_header(settings, user)).get_json()
    assert wallet["balance"] == "1000000"


def test_deposit_without_idempotency_key_is_400(make_client, db, settings):
    user = create_user(db)
    response = make_client("payments").post(
        "/me/wallet/deposits", json={"amount": "1"}, headers=auth_header(settings, user)
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "idempotency_key_required"
    assert ledger_state(db)["transfers"] == 0


def test_deposit_with_bad_idempotency_key_is_400(make_client, db, settings):
    user = create_user(db)
    response = make_client("payments").post(
        "/me/wallet/deposits", json={"amount": "1"}, headers=money_headers(settings, user, key="bad key!")
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "idempotency_key_invalid"
