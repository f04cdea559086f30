"""Idempotency-Key: retries replay the first answer and move money once."""

from __future__ import annotations

import time

from tests.concurrency import race
from tests.factories import create_user
from tests.payments.helpers import deposit, ledger_state, money_headers, wallet_minor
from tests.payments.test_donations import donate


def test_retry_of_a_deposit_replays_the_answer(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments")
    headers = money_headers(settings, user, key="deposit-0001")
    first = client.post("/me/wallet/deposits", json={"amount": "0.5"}, headers=headers)
    again = client.post("/me/wallet/deposits", json={"amount": "0.5"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert "Idempotent-Replayed" not in first.headers and again.headers["Idempotent-Replayed"] == "true"
    assert wallet_minor(db, user.id) == 500_000_000


def test_same_key_with_another_body_is_409(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments")
    headers = money_headers(settings, user, key="deposit-0002")
    assert client.post("/me/wallet/deposits", json={"amount": "0.5"}, headers=headers).status_code == 201
    response = client.post("/me/wallet/deposits", json={"amount": "5"}, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "idempotency_key_reused"
    other_path = client.post(
        "/me/wallet/withdrawals", json={"amount": "0.5", "destination": "x"}, headers=headers
    )
    assert other_path.status_code == 409
    assert wallet_minor(db, user.id) == 500_000_000


def test_keys_belong_to_their_user(make_client, db, settings):
    one, two = create_user(db), create_user(db)
    client = make_client("payments")
    for user in (one, two):
        headers = money_headers(settings, user, key="shared-key-123")
        assert client.post("/me/wallet/deposits", json={"amount": "0.5"}, headers=headers).status_code == 201
    assert wallet_minor(db, one.id) == wallet_minor(db, two.id) == 500_000_000


def test_a_failure_is_not_stored_so_the_key_can_succeed_later(make_client, db, settings):
    fan, artist = create_user(db), create_user(db)
    client = make_client("payments")
    short = donate(client, settings, fan, artist.id, "0.3", key="donation-0001")
    assert short.status_code == 402
    deposit(client, settings, fan, "1")
    retry = donate(client, settings, fan, artist.id, "0.3", key="donation-0001")
    assert retry.status_code == 201
    replay = donate(client, settings, fan, artist.id, "0.3", key="donation-0001")
    assert replay.status_code == 201 and replay.get_json() == retry.get_json()
    assert wallet_minor(db, artist.id) == 300_000_000


def test_50_concurrent_retries_of_one_deposit_move_money_once(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments")
    headers = money_headers(settings, user, key="deposit-race-0001")
    started = time.perf_counter()
    responses = race(
        [lambda: client.post("/me/wallet/deposits", json={"amount": "0.7"}, headers=headers)] * 50
    )
    elapsed = time.perf_counter() - started
    assert {r.status_code for r in responses} == {201}
    assert len({r.get_data() for r in responses}) == 1
    assert wallet_minor(db, user.id) == 700_000_000
    assert ledger_state(db)["transfers"] == 1
    print(f"\n50 concurrent retries of one deposit: one transfer, 50 identical 201 in {elapsed:.2f}s")


def test_50_concurrent_retries_of_one_donation_move_money_once(make_client, db, settings):
    fan, artist = create_user(db), create_user(db)
    client = make_client("payments")
    deposit(client, settings, fan, "1")
    headers = money_headers(settings, fan, key="donation-race-0001")
    url = f"/users/{artist.id}/donations"
    responses = race([lambda: client.post(url, json={"amount": "0.1"}, headers=headers)] * 50)
    assert {r.status_code for r in responses} == {201}
    assert len({r.get_data() for r in responses}) == 1
    assert wallet_minor(db, artist.id) == 100_000_000
    assert ledger_state(db)["transfers"] == 2
