"""GET /me/transactions and GET /admin/transactions."""

from __future__ import annotations

from tests.factories import auth_header, create_user
from tests.payments.helpers import deposit, money_headers
from tests.payments.test_donations import donate
from tests.payments.test_withdrawals import withdraw
from tests.queries import counted_queries


def history(client, settings, user, query=""):
    response = client.get(f"/me/transactions{query}", headers=auth_header(settings, user))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_history_newest_first_with_direction_and_counterparty(make_client, db, settings):
    fan, artist = create_user(db), create_user(db)
    client = make_client("payments")
    deposit(client, settings, fan, "1")
    donate(client, settings, fan, artist.id, "0.1", message="thanks")
    withdraw(client, settings, fan, "0.2", destination="fail:nope")
    page = history(client, settings, fan)
    assert page["total"] == 4 and page["limit"] == 20 and page["offset"] == 0
    summary = [(i["kind"], i["amount"], i["direction"], i["counterparty"]) for i in page["items"]]
    assert summary == [
        ("refund", "0.2", "in", {"kind": "external", "user_id": None}),
        ("withdrawal", "0.2", "out", {"kind": "external", "user_id": None}),
        ("donation", "0.1", "out", {"kind": "wallet", "user_id": artist.id}),
        ("deposit", "1", "in", {"kind": "external", "user_id": None}),
    ]
    assert page["items"][2]["memo"] == "thanks"
    theirs = history(client, settings, artist)
    assert [(i["kind"], i["direction"], i["counterparty"]["user_id"]) for i in theirs["items"]] == [
        ("donation", "in", fan.id)
    ]


def test_history_of_a_user_without_wallet_is_empty(make_client, db, settings):
    user = create_user(db)
    assert history(make_client("payments"), settings, user) == {
        "items": [],
        "total": 0,
        "limit": 20,
        "offset": 0,
    }


def test_history_pages_with_a_fixed_number_of_queries(make_client, db, settings):
    fan, artist = create_user(db), create_user(db)
    client = make_client("payments")
    deposit(client, settings, fan, "1")
    with counted_queries(client) as few:
        history(client, settings, fan)
    for _ in range(12):
        donate(client, settings, fan, artist.id, "0.01")
    with counted_queries(client) as many:
        page = history(client, settings, fan, "?limit=5&offset=2")
    assert len(many) == len(few)
    assert page["total"] == 13 and len(page["items"]) == 5
    ids = [i["id"] for i in history(client, settings, fan, "?limit=100")["items"]]
    assert ids == sorted(ids, reverse=True)


def test_history_query_is_validated(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments")
    for query in ("?limit=0", "?limit=101", "?offset=-1", "?user_id=1"):
        response = client.get(f"/me/transactions{query}", headers=auth_header(settings, user))
        assert response.status_code == 422, query


def test_admin_transactions_with_entries_and_filters(make_client, db, settings):
    admin, fan, artist = create_user(db, role="admin"), create_user(db), create_user(db)
    client = make_client("payments")
    deposit(client, settings, fan, "1")
    donate(client, settings, fan, artist.id, "0.3")
    client.post(
        "/admin/payouts", json={"user_id": artist.id, "amount": "2"}, headers=money_headers(settings, admin)
    )
    headers = auth_header(settings, admin)
    page = client.get("/admin/transactions", headers=headers).get_json()
    assert page["total"] == 3
    assert [t["kind"] for t in page["items"]] == ["payout", "donation", "deposit"]
    donation = page["items"][1]
    assert donation["amount"] == "0.3"
    assert [
        (e["account_kind"], e["account_name"], e["user_id"], e["amount"]) for e in donation["entries"]
    ] == [
        ("wallet", f"user:{fan.id}", fan.id, "-0.3"),
        ("wallet", f"user:{artist.id}", artist.id, "0.3"),
    ]
    by_user = client.get(f"/admin/transactions?user_id={artist.id}", headers=headers).get_json()
    assert [t["kind"] for t in by_user["items"]] == ["payout", "donation"]
    by_kind = client.get(f"/admin/transactions?user_id={fan.id}&kind=deposit", headers=headers).get_json()
    assert [t["kind"] for t in by_kind["items"]] == ["deposit"]
    with counted_queries(client) as statements:
        client.get("/admin/transactions?limit=100", headers=headers)
    with counted_queries(client) as empty:
        client.get("/admin/transactions?kind=refund", headers=headers)
    assert len(statements) <= len(empty) + 1
    assert client.get("/admin/transactions?kind=theft", headers=headers).status_code == 422


def test_admin_transactions_refuse_non_admins(make_client, db, settings):
    user = create_user(db)
    client = make_client("payments")
    response = client.get("/admin/transactions", headers=auth_header(settings, user))
    assert response.status_code == 403
    assert client.get("/admin/transactions").status_code == 401
