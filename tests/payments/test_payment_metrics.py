"""GET /admin/metrics/payments: per UTC day counts and amounts of each kind of transfer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from spotifiuby.models import Transfer
from tests.factories import auth_header, create_user
from tests.payments.helpers import deposit, money_headers
from tests.payments.test_donations import donate
from tests.payments.test_withdrawals import withdraw

ZERO = {"count": 0, "amount": "0"}


def test_metrics_per_utc_day(make_client, db, settings):
    admin, fan, artist = create_user(db, role="admin"), create_user(db), create_user(db)
    client = make_client("payments")
    deposit(client, settings, fan, "1")
    deposit(client, settings, fan, "0.5")
    donate(client, settings, fan, artist.id, "0.1")
    withdraw(client, settings, fan, "0.2", destination="fail:x")
    client.post(
        "/admin/payouts", json={"user_id": artist.id, "amount": "3"}, headers=money_headers(settings, admin)
    )
    today = dt.datetime.now(dt.UTC).date()
    yesterday_late = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC) - dt.timedelta(microseconds=1)
    with db.session() as session:  # the first deposit happened just before midnight UTC
        session.execute(update(Transfer).where(Transfer.id == 1).values(created_at=yesterday_late))

    response = client.get("/admin/metrics/payments?days=2", headers=auth_header(settings, admin))
    assert response.status_code == 200
    body = response.get_json()
    assert body["from"] == (today - dt.timedelta(days=1)).isoformat() and body["to"] == today.isoformat()
    assert body["currency"] == "ETH"
    first, second = body["days"]
    assert first["deposits"] == {"count": 1, "amount": "1"}
    assert first["payouts"] == ZERO
    assert second == {
        "date": today.isoformat(),
        "deposits": {"count": 1, "amount": "0.5"},
        "withdrawals": {"count": 1, "amount": "0.2"},
        "refunds": {"count": 1, "amount": "0.2"},
        "subscriptions": ZERO,
        "plan_credits": ZERO,
        "donations": {"count": 1, "amount": "0.1"},
        "payouts": {"count": 1, "amount": "3"},
    }
    default = client.get("/admin/metrics/payments", headers=auth_header(settings, admin)).get_json()
    assert len(default["days"]) == 7 and default["days"][-1]["date"] == today.isoformat()


def test_metrics_query_and_access(make_client, db, settings):
    admin, user = create_user(db, role="admin"), create_user(db)
    client = make_client("payments")
    headers = auth_header(settings, admin)
    for query in ("?days=0", "?days=367", "?days=x", "?from=2026-01-01"):
        assert client.get(f"/admin/metrics/payments{query}", headers=headers).status_code == 422, query
    assert len(client.get("/admin/metrics/payments?days=366", headers=headers).get_json()["days"]) == 366
    assert client.get("/admin/metrics/payments", headers=auth_header(settings, user)).status_code == 403
    assert client.get("/admin/metrics/payments").status_code == 401
