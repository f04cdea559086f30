"""GET/POST /me/subscription: charging the wallet, renewal, switching with a pro-rata credit,
idempotency, bad input, and the music function seeing the new plan on the next request."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest
from sqlalchemy import func, select

from functions.payments import ledger
from functions.payments.subscriptions.plans import parse_price
from functions.payments.subscriptions.service import unused_credit
from spotifiuby.models import Account, Entry, IdempotencyRecord, Subscription, Transfer
from tests.concurrency import race
from tests.factories import auth_header, create_song, create_user
from tests.music.media_samples import wav_bytes

GOLD, SILVER, REGULAR = 3_000_000, 2_000_000, 1_000_000
DAY = dt.timedelta(days=1)


def fund(db, user, amount: int) -> None:
    """Money into the user's wallet from the outside world, straight through the ledger."""
    with db.session() as session:
        ledger.post(
            session,
            kind="deposit",
            legs=[
                (ledger.external_account(session, "sandbox"), -amount),
                (ledger.wallet_of(session, user.id), amount),
            ],
        )


def balance(db, user) -> int:
    with db.session() as session:
        return ledger.wallet_of(session, user.id).balance


def revenue(db) -> int:
    with db.session() as session:
        return ledger.platform_account(session, ledger.REVENUE).balance


def rows(db, user) -> list[Subscription]:
    with db.session() as session:
        return list(
            session.scalars(
                select(Subscription).where(Subscription.user_id == user.id).order_by(Subscription.id)
            )
        )


def transfers(db) -> list[tuple[str, int]]:
    with db.session() as session:
        return [(t.kind, t.amount) for t in session.scalars(select(Transfer).order_by(Transfer.id))]


def assert_ledger_balanced(db) -> None:
    with db.session() as session:
        assert session.scalar(select(func.coalesce(func.sum(Entry.amount), 0))) == 0
        for account in session.scalars(select(Account)):
            entries = session.scalar(
                select(func.coalesce(func.sum(Entry.amount), 0)).where(Entry.account_id == account.id)
            )
            assert account.balance == entries, account.name
            if account.kind == "wallet":
                assert account.balance >= 0


def add_subscription(
    db, user, plan: str, *, started: dt.timedelta, lasts: dt.timedelta, price: int
) -> Subscription:
    """A paid period that started ``started`` ago and lasts ``lasts`` in all."""
    now = dt.datetime.now(dt.UTC)
    with db.session() as session:
        row = Subscription(
            user_id=user.id,
            plan=plan,
            started_at=now - started,
            expires_at=now - started + lasts,
            price=price,
        )
        session.add(row)
    return row


def headers(settings, user, key: str | None = None) -> dict[str, str]:
    return {**auth_header(settings, user), "Idempotency-Key": key or uuid.uuid4().hex}


def post(client, settings, user, plan, key: str | None = None):
    return client.post("/me/subscription", json={"plan": plan}, headers=headers(settings, user, key))


def test_without_a_subscription_the_plan_is_free(make_client, db, settings):
    user = create_user(db)
    response = make_client("payments").get("/me/subscription", headers=auth_header(settings, user))
    assert response.status_code == 200
    assert response.json == {
        "plan": "free",
        "level": 0,
        "status": "active",
        "started_at": None,
        "expires_at": None,
    }


def test_the_subscription_needs_a_user(make_client, db):
    client = make_client("payments")
    assert client.get("/me/subscription").status_code == 401
    response = client.post("/me/subscription", json={"plan": "gold"}, headers={"Idempotency-Key": "k" * 16})
    assert response.status_code == 401


def test_a_lapsed_subscription_shows_free_even_if_no_job_ran(make_client, db, settings):
    user = create_user(db)
    add_subscription(db, user, "gold", started=30 * DAY, lasts=30 * DAY - dt.timedelta(seconds=1), price=GOLD)
    response = make_client("payments").get("/me/subscription", headers=auth_header(settings, user))
    assert response.json["plan"] == "free" and response.json["expires_at"] is None


def test_subscribing_charges_the_wallet_into_revenue(make_client, db, settings):
    user = create_user(db)
    fund(db, user, GOLD + 5)
    client = make_client("payments")
    before = dt.datetime.now(dt.UTC)
    response = post(client, settings, user, "gold")
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["plan"], body["level"], body["status"]) == ("gold", 3, "active")
    assert (body["price"], body["charged"], body["credited"]) == ("0.003", "0.003", "0")
    started = dt.datetime.fromisoformat(body["started_at"])
    assert before <= started <= dt.datetime.now(dt.UTC)
    assert dt.datetime.fromisoformat(body["expires_at"]) - started == 30 * DAY
    assert balance(db, user) == 5
    assert revenue(db) == GOLD
    assert transfers(db)[-1] == ("subscription", GOLD)
    [row] = rows(db, user)
    assert row.transfer_id is not None and row.price == GOLD

    current = client.get("/me/subscription", headers=auth_header(settings, user)).json
    assert current == {
        "plan": "gold",
        "level": 3,
        "status": "active",
        "started_at": body["started_at"],
        "expires_at": body["expires_at"],
    }
    assert_ledger_balanced(db)


def test_insufficient_funds_is_402_and_changes_nothing(make_client, db, settings):
    user = create_user(db)
    fund(db, user, GOLD - 1)
    client = make_client("payments")
    response = post(client, settings, user, "gold", key="first-key-1")
    assert response.status_code == 402
    assert response.json["error"]["code"] == "insufficient_funds"
    assert balance(db, user) == GOLD - 1
    assert rows(db, user) == []
    assert [kind for kind, _ in transfers(db)] == ["deposit"]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
    # the failed key may be used again once the wallet can pay
    fund(db, user, 1)
    assert post(client, settings, user, "gold", key="first-key-1").status_code == 201
    assert balance(db, user) == 0
    assert_ledger_balanced(db)


def test_renewing_extends_from_the_current_expiry(make_client, db, settings):
    user = create_user(db)
    fund(db, user, 3 * GOLD)
    client = make_client("payments")
    first = post(client, settings, user, "gold").json
    second = post(client, settings, user, "gold")
    assert second.status_code == 201
    assert second.json["started_at"] == first["expires_at"]
    assert (
        dt.datetime.fromisoformat(second.json["expires_at"]) - dt.datetime.fromisoformat(first["started_at"])
        == 60 * DAY
    )
    assert second.json["credited"] == "0" and second.json["charged"] == "0.003"
    # the plan now is the first period's; the paid time ends with the second
    current = client.get("/me/subscription", headers=auth_header(settings, user)).json
    assert current["started_at"] == first["started_at"]
    assert current["expires_at"] == second.json["expires_at"]
    assert [r.status for r in rows(db, user)] == ["active", "active"]
    assert balance(db, user) == GOLD
    assert revenue(db) == 2 * GOLD
    assert_ledger_balanced(db)


def test_renewing_after_a_lapse_starts_now(make_client, db, settings):
    user = create_user(db)
    add_subscription(db, user, "gold", started=40 * DAY, lasts=30 * DAY, price=GOLD)
    fund(db, user, GOLD)
    before = dt.datetime.now(dt.UTC)
    body = post(make_client("payments"), settings, user, "gold").json
    assert dt.datetime.fromisoformat(body["started_at"]) >= before
    assert body["credited"] == "0"


def test_switching_credits_the_unused_part_and_starts_now(make_client, db, settings):
    user = create_user(db)
    old = add_subscription(db, user, "gold", started=15 * DAY, lasts=30 * DAY, price=GOLD)
    # half the gold period is left: about 0.0015 back, 0.002 for silver, so 0.0005 is enough
    fund(db, user, 500_001)
    client = make_client("payments")
    before = dt.datetime.now(dt.UTC)
    response = post(client, settings, user, "silver")
    after = dt.datetime.now(dt.UTC)
    assert response.status_code == 201, response.json
    body = response.json
    credited = parse_price(body["credited"])
    assert GOLD // 2 - 10 <= credited <= GOLD // 2  # rounded down, a few microseconds passed
    assert body["charged"] == "0.002" and body["plan"] == "silver"
    assert before <= dt.datetime.fromisoformat(body["started_at"]) <= after
    assert balance(db, user) == 500_001 + credited - SILVER
    assert revenue(db) == SILVER - credited
    replaced, new = rows(db, user)
    assert replaced.id == old.id and replaced.status == "replaced"
    assert before <= replaced.expires_at <= after
    assert new.status == "active" and new.plan == "silver"
    assert [kind for kind, _ in transfers(db)] == ["deposit", "plan_credit", "subscription"]
    assert client.get("/me/subscription", headers=auth_header(settings, user)).json["plan"] == "silver"
    assert_ledger_balanced(db)


def test_a_switch_the_wallet_cannot_cover_after_the_credit_changes_nothing(make_client, db, settings):
    user = create_user(db)
    add_subscription(db, user, "regular", started=20 * DAY, lasts=30 * DAY, price=REGULAR)
    fund(db, user, GOLD - REGULAR)  # the credit (a third of regular) does not make up the rest
    response = post(make_client("payments"), settings, user, "gold")
    assert response.status_code == 402
    [row] = rows(db, user)
    assert row.status == "active" and row.plan == "regular"
    assert balance(db, user) == GOLD - REGULAR
    assert [kind for kind, _ in transfers(db)] == ["deposit"]


def test_switching_right_after_paying_credits_almost_everything(make_client, db, settings):
    user = create_user(db)
    fund(db, user, GOLD)
    client = make_client("payments")
    post(client, settings, user, "gold")
    body = post(client, settings, user, "regular").json
    credited = parse_price(body["credited"])
    assert GOLD - 1_000 < credited < GOLD
    assert balance(db, user) == credited - REGULAR
    assert_ledger_balanced(db)


def test_switching_credits_renewals_paid_in_advance_in_full(make_client, db, settings):
    user = create_user(db)
    fund(db, user, 2 * GOLD)
    client = make_client("payments")
    post(client, settings, user, "gold")
    post(client, settings, user, "gold")
    body = post(client, settings, user, "silver").json
    credited = parse_price(body["credited"])
    assert 2 * GOLD - 1_000 < credited < 2 * GOLD
    first, renewal, silver = rows(db, user)
    assert first.status == renewal.status == "replaced"
    assert renewal.expires_at == renewal.started_at  # never ran
    assert silver.status == "active" and silver.plan == "silver"
    assert balance(db, user) == credited - SILVER
    assert_ledger_balanced(db)


def test_switching_to_free_ends_the_plan_now_with_its_credit(make_client, db, settings):
    user = create_user(db)
    add_subscription(db, user, "silver", started=10 * DAY, lasts=30 * DAY, price=SILVER)
    client = make_client("payments")
    response = post(client, settings, user, "free")
    assert response.status_code == 201
    body = response.json
    assert (body["id"], body["plan"], body["level"], body["started_at"], body["expires_at"]) == (
        None,
        "free",
        0,
        None,
        None,
    )
    assert body["charged"] == "0" and body["price"] == "0"
    credited = parse_price(body["credited"])
    assert SILVER * 2 // 3 - 10 <= credited <= SILVER * 2 // 3
    assert balance(db, user) == credited
    assert [r.status for r in rows(db, user)] == ["replaced"]
    assert client.get("/me/subscription", headers=auth_header(settings, user)).json["plan"] == "free"
    # free again when already free: nothing moves
    again = post(client, settings, user, "free")
    assert again.status_code == 201 and again.json["credited"] == "0"
    assert balance(db, user) == credited
    assert_ledger_balanced(db)


def test_a_plan_priced_zero_is_given_without_a_charge(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments", PLAN_PRICES="free=0,regular=0,silver=0.002,gold=0.003")
    response = post(client, settings, user, "regular")
    assert response.status_code == 201 and response.json["charged"] == "0"
    [row] = rows(db, user)
    assert row.transfer_id is None and row.price == 0
    assert transfers(db) == []


def test_the_same_key_replays_without_charging_again(make_client, db, settings):
    user = create_user(db)
    fund(db, user, 2 * GOLD)
    client = make_client("payments")
    first = post(client, settings, user, "gold", key="retry-key-1")
    again = post(client, settings, user, "gold", key="retry-key-1")
    assert again.status_code == 201
    assert again.json == first.json
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert balance(db, user) == GOLD
    assert len(rows(db, user)) == 1


def test_the_same_key_with_another_body_is_409(make_client, db, settings):
    user = create_user(db)
    fund(db, user, 2 * GOLD)
    client = make_client("payments")
    assert post(client, settings, user, "gold", key="retry-key-2").status_code == 201
    response = post(client, settings, user, "silver", key="retry-key-2")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "idempotency_key_reused"
    assert balance(db, user) == GOLD


def test_the_idempotency_key_is_required(make_client, db, settings):
    user = create_user(db)
    fund(db, user, GOLD)
    client = make_client("payments")
    response = client.post("/me/subscription", json={"plan": "gold"}, headers=auth_header(settings, user))
    assert response.status_code == 400
    assert response.json["error"]["code"] == "idempotency_key_required"
    bad = client.post(
        "/me/subscription",
        json={"plan": "gold"},
        headers={**auth_header(settings, user), "Idempotency-Key": "short"},
    )
    assert bad.status_code == 400
    assert balance(db, user) == GOLD and rows(db, user) == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"plan": "platinum"}, "plan"),
        ({"plan": "GOLD"}, "plan"),
        ({"plan": 3}, "plan"),
        ({"plan": None}, "plan"),
        ({}, "plan"),
        ({"plan": "gold", "price": "0"}, "price"),
        ([], "body"),
    ],
)
def test_bad_input_is_422_and_charges_nothing(make_client, db, settings, payload, field):
    user = create_user(db)
    fund(db, user, GOLD)
    response = make_client("payments").post("/me/subscription", json=payload, headers=headers(settings, user))
    assert response.status_code == 422
    assert field in response.json["error"]["details"]
    assert balance(db, user) == GOLD and rows(db, user) == []


def test_a_body_that_is_not_json_is_refused(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments")
    not_json = client.post(
        "/me/subscription",
        data="{plan",
        headers={**headers(settings, user), "Content-Type": "application/json"},
    )
    assert not_json.status_code == 400
    form = client.post(
        "/me/subscription",
        data="plan=gold",
        headers={**headers(settings, user), "Content-Type": "text/plain"},
    )
    assert form.status_code == 415


def test_unused_credit_is_pro_rata_and_rounded_down():
    t0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    second = dt.timedelta(seconds=1)
    assert unused_credit(10, t0, t0 + 3 * second, t0 + second) == 6  # 6.67 rounded down
    assert unused_credit(GOLD, t0, t0 + 30 * DAY, t0 + 15 * DAY) == GOLD // 2
    assert unused_credit(GOLD, t0, t0 + 30 * DAY, t0 - DAY) == GOLD  # not started yet: all of it
    assert unused_credit(GOLD, t0, t0 + 30 * DAY, t0 + 30 * DAY) == 0
    assert unused_credit(GOLD, t0, t0 + 30 * DAY, t0 + 31 * DAY) == 0
    assert unused_credit(0, t0, t0 + 30 * DAY, t0) == 0
    assert unused_credit(1, t0, t0 + 30 * DAY, t0 + dt.timedelta(microseconds=1)) == 0


def test_music_sees_the_new_plan_on_the_next_request(make_client, db, settings):
    listener = create_user(db)
    artist = create_user(db, role="artist")
    gold_song = create_song(db, artist=artist, min_plan="gold")
    music, payments = make_client("music"), make_client("payments")
    uploaded = music.put(
        f"/songs/{gold_song.id}/audio",
        data=wav_bytes(),
        headers={**auth_header(settings, artist), "Content-Type": "audio/wav"},
    )
    assert uploaded.status_code == 200, uploaded.json
    listener_auth = auth_header(settings, listener)  # one access token for the whole test
    assert music.get(f"/songs/{gold_song.id}", headers=listener_auth).json["playable"] is False
    refused = music.get(f"/songs/{gold_song.id}/audio", headers=listener_auth)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "plan_required"

    fund(db, listener, GOLD)
    response = payments.post(
        "/me/subscription", json={"plan": "gold"}, headers={**listener_auth, "Idempotency-Key": "gold-now-1"}
    )
    assert response.status_code == 201

    assert music.get(f"/songs/{gold_song.id}", headers=listener_auth).json["playable"] is True
    streamed = music.get(f"/songs/{gold_song.id}/audio", headers=listener_auth)
    assert streamed.status_code == 200
    assert streamed.data == wav_bytes()

    # and back to free: refused again at once
    payments.post(
        "/me/subscription", json={"plan": "free"}, headers={**listener_auth, "Idempotency-Key": "free-now-1"}
    )
    assert music.get(f"/songs/{gold_song.id}/audio", headers=listener_auth).status_code == 403


@pytest.mark.postgres_only
def test_two_simultaneous_subscriptions_the_wallet_pays_once_give_one_201_and_one_402(
    make_client, db, settings
):
    user = create_user(db)
    fund(db, user, GOLD)
    client = make_client("payments")
    responses = race(
        [
            lambda key=key: post(client, settings, user, "gold", key=key)
            for key in ("race-key-a", "race-key-b")
        ]
    )
    assert sorted(r.status_code for r in responses) == [201, 402]
    assert balance(db, user) == 0
    assert len(rows(db, user)) == 1
    assert_ledger_balanced(db)


@pytest.mark.postgres_only
def test_simultaneous_renewals_chain_instead_of_overlapping(make_client, db, settings):
    user = create_user(db)
    fund(db, user, 3 * GOLD)
    client = make_client("payments")
    responses = race(
        [
            lambda key=key: post(client, settings, user, "gold", key=key)
            for key in ("chain-a-1", "chain-b-1", "chain-c-1")
        ]
    )
    assert [r.status_code for r in responses] == [201, 201, 201]
    periods = sorted((r.started_at, r.expires_at) for r in rows(db, user))
    assert all(prev[1] == nxt[0] for prev, nxt in itertools.pairwise(periods))
    assert periods[-1][1] - periods[0][0] == 90 * DAY
    assert balance(db, user) == 0


@pytest.mark.postgres_only
def test_a_simultaneous_switch_and_renewal_never_lose_money(make_client, db, settings):
    user = create_user(db)
    fund(db, user, 2 * GOLD)
    client = make_client("payments")
    post(client, settings, user, "gold")
    responses = race(
        [lambda: post(client, settings, user, "gold"), lambda: post(client, settings, user, "free")]
    )
    assert [r.status_code for r in responses] == [201, 201]
    active = [r for r in rows(db, user) if r.status == "active"]
    # free last: nothing active, (almost) all paid back; gold last: a fresh gold period from now
    assert len(active) in (0, 1)
    assert balance(db, user) + revenue(db) == 2 * GOLD
    assert 0 <= revenue(db) - sum(r.price for r in active) < 1_000
    assert_ledger_balanced(db)
