"""POST /admin/payouts: the treasury pays a user; admins only."""

from __future__ import annotations

from tests.factories import create_user
from tests.payments.helpers import ledger_state, money_headers, wallet_minor


def payout(client, settings, admin, body, key=None):
    return client.post("/admin/payouts", json=body, headers=money_headers(settings, admin, key))


def test_payout_from_the_treasury_which_may_go_negative(make_client, db, settings):
    admin, artist = create_user(db, role="admin"), create_user(db, role="artist")
    client = make_client("payments")
    response = payout(client, settings, admin, {"user_id": artist.id, "amount": "2.5"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "payout" and body["amount"] == "2.5" and body["initiated_by"] == admin.id
    assert wallet_minor(db, artist.id) == 2_500_000_000
    assert ledger_state(db)["balances"]["treasury"] == -2_500_000_000


def test_payout_is_admin_only(make_client, db, settings):
    user, artist = create_user(db), create_user(db, role="artist")
    client = make_client("payments")
    response = payout(client, settings, user, {"user_id": user.id, "amount": "1"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "admin_required"
    assert payout(client, settings, artist, {"user_id": artist.id, "amount": "1"}).status_code == 403
    assert client.post("/admin/payouts", json={"user_id": user.id, "amount": "1"}).status_code == 401
    assert ledger_state(db)["transfers"] == 0


def test_payout_to_unknown_user_is_404(make_client, db, settings):
    admin = create_user(db, role="admin")
    response = payout(make_client("payments"), settings, admin, {"user_id": 424242, "amount": "1"})
    assert response.status_code == 404
    assert ledger_state(db)["transfers"] == 0


def test_payout_body_is_validated(make_client, db, settings):
    admin = create_user(db, role="admin")
    client = make_client("payments")
    for body, field in [
        ({"user_id": "1", "amount": "1"}, "user_id"),
        ({"user_id": 0, "amount": "1"}, "user_id"),
        ({"user_id": 2**31, "amount": "1"}, "user_id"),
        ({"user_id": admin.id, "amount": 1}, "amount"),
        ({"user_id": admin.id, "amount": "-1"}, "amount"),
        ({"user_id": admin.id, "amount": "1", "from": "treasury"}, "from"),
    ]:
        response = payout(client, settings, admin, body)
        assert response.status_code == 422, body
        assert field in response.get_json()["error"]["details"], body
    assert ledger_state(db)["transfers"] == 0


def test_payout_retry_pays_once(make_client, db, settings):
    admin, artist = create_user(db, role="admin"), create_user(db)
    client = make_client("payments")
    body = {"user_id": artist.id, "amount": "1"}
    first = payout(client, settings, admin, body, key="payout-2026-03-artist")
    again = payout(client, settings, admin, body, key="payout-2026-03-artist")
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert wallet_minor(db, artist.id) == 1_000_000_000
