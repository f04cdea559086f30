"""Donations: from the caller's own wallet only; the race proof on PostgreSQL; bad input."""

from __future__ import annotations

import time

import pytest

from tests.concurrency import race
from tests.factories import auth_header, create_user
from tests.payments.helpers import deposit, ledger_state, money_headers, wallet_minor


def donate(client, settings, payer, to_user_id, amount, key=None, **extra):
    return client.post(
        f"/users/{to_user_id}/donations",
        json={"amount": amount, **extra},
        headers=money_headers(settings, payer, key),
    )


def test_donation_moves_money_between_wallets(make_client, db, settings):
    fan, artist = create_user(db), create_user(db, role="artist")
    client = make_client("payments")
    deposit(client, settings, fan, "1")
    response = donate(client, settings, fan, artist.id, "0.25", message="  great album  ")
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "donation" and body["amount"] == "0.25"
    assert body["memo"] == "great album" and body["initiated_by"] == fan.id
    assert wallet_minor(db, fan.id) == 750_000_000
    assert wallet_minor(db, artist.id) == 250_000_000
    ledger_state(db)


def test_donation_to_oneself_is_422(make_client, db, settings):
    fan = create_user(db)
    client = make_client("payments")
    deposit(client, settings, fan, "1")
    response = donate(client, settings, fan, fan.id, "0.1")
    assert response.status_code == 422
    assert "user_id" in response.get_json()["error"]["details"]
    assert wallet_minor(db, fan.id) == 1_000_000_000


@pytest.mark.parametrize("user_id", [999_999, 2**31, 2**40])
def test_donation_to_unknown_user_is_404(make_client, db, settings, user_id):
    fan = create_user(db)
    client = make_client("payments")
    deposit(client, settings, fan, "1")
    assert donate(client, settings, fan, user_id, "0.1").status_code == 404
    assert wallet_minor(db, fan.id) == 1_000_000_000
    assert ledger_state(db)["transfers"] == 1


def test_donation_to_blocked_user_is_404(make_client, db, settings):
    fan, blocked = create_user(db), create_user(db, blocked=True)
    client = make_client("payments")
    deposit(client, settings, fan, "1")
    assert donate(client, settings, fan, blocked.id, "0.1").status_code == 404


def test_donation_beyond_the_balance_is_402(make_client, db, settings):
    fan, artist = create_user(db), create_user(db)
    client = make_client("payments")
    response = donate(client, settings, fan, artist.id, "0.1")
    assert response.status_code == 402
    assert response.get_json()["error"]["code"] == "insufficient_funds"
    assert wallet_minor(db, artist.id) == 0


def test_donation_moves_money_only_out_of_the_callers_wallet(make_client, db, settings):
    """There is no route naming the payer: the path names the recipient, the token the payer. A body
    naming another payer is refused, and a client identity header is ignored."""
    rich, thief, artist = create_user(db), create_user(db), create_user(db)
    client = make_client("payments")
    deposit(client, settings, rich, "1")
    attempt = donate(client, settings, thief, artist.id, "0.5", from_user_id=rich.id)
    assert attempt.status_code == 422 and "from_user_id" in attempt.get_json()["error"]["details"]
    headers = {**money_headers(settings, thief), "X-User-Id": str(rich.id)}
    spoofed = client.post(f"/users/{artist.id}/donations", json={"amount": "0.5"}, headers=headers)
    assert spoofed.status_code == 402  # the thief's own (empty) wallet
    # "donating" to the rich user takes money from the thief's wallet, never the rich one's
    assert donate(client, settings, thief, rich.id, "0.5").status_code == 402
    assert wallet_minor(db, rich.id) == 1_000_000_000
    assert wallet_minor(db, artist.id) == 0


def test_donation_needs_credentials_and_idempotency_key(make_client, db, settings):
    fan, artist = create_user(db), create_user(db)
    client = make_client("payments")
    deposit(client, settings, fan, "1")
    assert client.post(f"/users/{artist.id}/donations", json={"amount": "0.1"}).status_code == 401
    response = client.post(
        f"/users/{artist.id}/donations", json={"amount": "0.1"}, headers=auth_header(settings, fan)
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "idempotency_key_required"
    assert wallet_minor(db, fan.id) == 1_000_000_000


BAD_AMOUNTS = [
    -1,
    0,
    0.5,
    1,
    "-0.1",
    "0",
    "0.0",
    "0.000000000",
    "abc",
    "",
    " 1",
    "1e3",
    "NaN",
    "Infinity",
    "0x10",
    "01",
    "1.",
    ".5",
    "0.0000000001",  # 10 decimals
    "1000000.000000001",  # above the maximum
    "99999999999999999999",
    None,
    True,
    [],
    {},
]


@pytest.mark.parametrize("amount", BAD_AMOUNTS, ids=repr)
def test_bad_amounts_are_422_naming_the_field(make_client, db, settings, amount):
    fan, artist = create_user(db), create_user(db)
    client = make_client("payments")
    deposit(client, settings, fan, "1")
    for response in (
        donate(client, settings, fan, artist.id, amount),
        client.post("/me/wallet/deposits", json={"amount": amount}, headers=money_headers(settings, fan)),
        client.post(
            "/me/wallet/withdrawals",
            json={"amount": amount, "destination": "0xabc"},
            headers=money_headers(settings, fan),
        ),
    ):
        assert response.status_code == 422, response.get_json()
        assert list(response.get_json()["error"]["details"]) == ["amount"]
    assert wallet_minor(db, fan.id) == 1_000_000_000
    assert ledger_state(db)["transfers"] == 1


def test_missing_amount_and_message_too_long_are_422(make_client, db, settings):
    fan, artist = create_user(db), create_user(db)
    client = make_client("payments")
    deposit(client, settings, fan, "1")
    response = client.post(f"/users/{artist.id}/donations", json={}, headers=money_headers(settings, fan))
    assert response.status_code == 422 and "amount" in response.get_json()["error"]["details"]
    response = donate(client, settings, fan, artist.id, "0.1", message="x" * 501)
    assert response.status_code == 422 and "message" in response.get_json()["error"]["details"]


@pytest.mark.postgres_only
def test_100_concurrent_donations_from_50_units(make_client, db, settings):
    fan, artist = create_user(db), create_user(db, role="artist")
    client = make_client("payments")
    deposit(client, settings, fan, "0.00000005")  # 50 minor units
    headers = [money_headers(settings, fan) for _ in range(100)]
    calls = [
        lambda h=h: client.post(f"/users/{artist.id}/donations", json={"amount": "0.000000001"}, headers=h)
        for h in headers
    ]
    started = time.perf_counter()
    responses = race(calls)
    elapsed = time.perf_counter() - started
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 50, statuses
    assert statuses.count(402) == 50, statuses
    assert wallet_minor(db, fan.id) == 0
    assert wallet_minor(db, artist.id) == 50
    state = ledger_state(db)
    assert state["transfers"] == 51
    print(f"\n100 concurrent donations: 50 x 201, 50 x 402 in {elapsed:.2f}s")
