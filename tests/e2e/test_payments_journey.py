"""The payments issue's "done when", as a client sees it: real processes, everything through the
gateway. A listener deposits, subscribes to gold, streams a gold song and tips the artist; the
artist withdraws; an admin pays the artist out and reads the payment metrics."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from functions.payments.money import format_amount
from functions.payments.subscriptions.plans import parse_price
from tests.e2e.client import Client, ok, token_of
from tests.factories import PASSWORD, create_user
from tests.music.media_samples import wav_bytes

pytestmark = pytest.mark.e2e


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def test_deposit_subscribe_stream_tip_withdraw_and_payout(gateway: Client, db: Any) -> None:
    for role, email in (
        ("admin", "boss@example.com"),
        ("artist", "band@example.com"),
        ("listener", "fan@example.com"),
    ):
        create_user(db, role=role, email=email)
    admin, artist, fan = (
        token_of(gateway, email, PASSWORD)
        for email in ("boss@example.com", "band@example.com", "fan@example.com")
    )
    artist_id = ok(gateway.get("/me", token=artist))["id"]

    plans = ok(gateway.get("/plans"))
    assert [(p["code"], p["price"]) for p in plans] == [
        ("free", "0"),
        ("regular", "0.001"),
        ("silver", "0.002"),
        ("gold", "0.003"),
    ]

    # the artist publishes a gold song with audio; the fan on free may not play it
    genre = ok(gateway.post("/genres", {"name": "Tango"}, token=admin), 201)
    song = ok(
        gateway.post("/songs", {"title": "Oro", "genre_id": genre["id"], "min_plan": "gold"}, token=artist),
        201,
    )
    audio = wav_bytes()
    uploaded = gateway.request(
        "PUT", f"/songs/{song['id']}/audio", data=audio, token=artist, headers={"Content-Type": "audio/wav"}
    )
    assert uploaded.status == 200, uploaded.body
    refused = gateway.get(f"/songs/{song['id']}/audio", token=fan)
    assert refused.status == 403 and refused.error_code() == "plan_required"

    # deposit (the sandbox provider confirms at once)
    deposit = gateway.post("/me/wallet/deposits", {"amount": "0.01"}, token=fan, headers=key())
    if deposit.status == 404:
        pytest.fail(
            "waits on POST /me/wallet/deposits (the wallet part of the payments function)", pytrace=False
        )
    ok(deposit, 201)
    assert ok(gateway.get("/me/wallet", token=fan))["balance"] == "0.01"

    # subscribe to gold: charged, and the same access token plays gold at once
    assert ok(gateway.get("/me/subscription", token=fan))["plan"] == "free"
    subscribe_key = key()
    subscribed = ok(gateway.post("/me/subscription", {"plan": "gold"}, token=fan, headers=subscribe_key), 201)
    assert (subscribed["plan"], subscribed["charged"]) == ("gold", "0.003")
    replay = gateway.post("/me/subscription", {"plan": "gold"}, token=fan, headers=subscribe_key)
    assert replay.status == 201 and replay.body == subscribed  # a retry charges nothing more
    assert ok(gateway.get("/me/subscription", token=fan))["plan"] == "gold"
    assert ok(gateway.get("/me/wallet", token=fan))["balance"] == "0.007"
    assert ok(gateway.get(f"/songs/{song['id']}", token=fan))["playable"] is True
    streamed = gateway.get(f"/songs/{song['id']}/audio", token=fan)
    assert streamed.status == 200 and streamed.body == audio

    # tip the artist; the artist withdraws part of it
    ok(
        gateway.post(
            f"/users/{artist_id}/donations",
            {"amount": "0.002", "message": "gracias"},
            token=fan,
            headers=key(),
        ),
        201,
    )
    assert ok(gateway.get("/me/wallet", token=fan))["balance"] == "0.005"
    ok(
        gateway.post(
            "/me/wallet/withdrawals",
            {"amount": "0.0015", "destination": "0xabc123"},
            token=artist,
            headers=key(),
        ),
        201,
    )
    assert ok(gateway.get("/me/wallet", token=artist))["balance"] == "0.0005"

    # the admin pays the artist out of the treasury and sees the day's payment figures
    ok(
        gateway.post("/admin/payouts", {"user_id": artist_id, "amount": "0.001"}, token=admin, headers=key()),
        201,
    )
    assert ok(gateway.get("/me/wallet", token=artist))["balance"] == "0.0015"
    metrics = ok(gateway.get("/admin/metrics/payments?days=7", token=admin))
    # summed over the days (the journey may straddle a UTC midnight)
    totals = {
        kind: (
            sum(d[kind]["count"] for d in metrics["days"]),
            format_amount(sum(parse_price(d[kind]["amount"]) for d in metrics["days"])),
        )
        for kind in ("deposits", "subscriptions", "donations", "withdrawals", "payouts")
    }
    assert totals == {
        "deposits": (1, "0.01"),
        "subscriptions": (1, "0.003"),
        "donations": (1, "0.002"),
        "withdrawals": (1, "0.0015"),
        "payouts": (1, "0.001"),
    }

    # a listener is not an admin
    assert gateway.get("/admin/metrics/payments", token=fan).status == 403
