"""Property test: random sequences of deposits, withdrawals (some failing), donations, subscription
charges and payouts keep every invariant of the ledger and agree with a plain Python model."""

from __future__ import annotations

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from functions.payments import ledger
from functions.payments.money import format_amount
from spotifiuby.errors import PaymentRequired
from tests.factories import create_user
from tests.payments.helpers import ledger_state, money_headers

USERS = 3
amounts = st.integers(min_value=1, max_value=3_000)  # minor units: small, so wallets run dry often
user = st.integers(min_value=0, max_value=USERS - 1)
operation = st.one_of(
    st.tuples(st.just("deposit"), user, amounts),
    st.tuples(st.just("withdraw"), user, amounts, st.booleans()),
    st.tuples(st.just("donate"), user, user, amounts),
    st.tuples(st.just("subscribe"), user, amounts),
    st.tuples(st.just("payout"), user, amounts),
)


@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(operation, min_size=1, max_size=12))
def test_random_operations_keep_the_ledger_whole(make_client, db, settings, operations):
    client = make_client("payments")
    admin = create_user(db, role="admin")
    users = [create_user(db) for _ in range(USERS)]
    before = ledger_state(db)["balances"]
    model = {f"user:{u.id}": 0 for u in users}  # wallets, minor units
    platform = {"sandbox": 0, "revenue": 0, "treasury": 0}  # changes since the start of the example

    for op in operations:
        kind = op[0]
        if kind == "deposit":
            _, who, amount = op
            headers = money_headers(settings, users[who])
            response = client.post(
                "/me/wallet/deposits", json={"amount": format_amount(amount)}, headers=headers
            )
            assert response.status_code == 201
            model[f"user:{users[who].id}"] += amount
            platform["sandbox"] -= amount
        elif kind == "withdraw":
            _, who, amount, fails = op
            response = client.post(
                "/me/wallet/withdrawals",
                json={"amount": format_amount(amount), "destination": "fail:x" if fails else "0xabc"},
                headers=money_headers(settings, users[who]),
            )
            wallet = f"user:{users[who].id}"
            if model[wallet] < amount:
                assert response.status_code == 402
            else:
                assert response.status_code == 201
                assert response.get_json()["status"] == ("failed" if fails else "confirmed")
                if not fails:
                    model[wallet] -= amount
                    platform["sandbox"] += amount
        elif kind == "donate":
            _, payer, payee, amount = op
            response = client.post(
                f"/users/{users[payee].id}/donations",
                json={"amount": format_amount(amount)},
                headers=money_headers(settings, users[payer]),
            )
            source, target = f"user:{users[payer].id}", f"user:{users[payee].id}"
            if payer == payee:
                assert response.status_code == 422
            elif model[source] < amount:
                assert response.status_code == 402
            else:
                assert response.status_code == 201
                model[source] -= amount
                model[target] += amount
        elif kind == "subscribe":
            _, who, amount = op
            wallet = f"user:{users[who].id}"
            try:
                with db.session() as session:
                    ledger.post(
                        session,
                        kind="subscription",
                        legs=[
                            (ledger.wallet_of(session, users[who].id), -amount),
                            (ledger.platform_account(session, ledger.REVENUE), amount),
                        ],
                    )
            except PaymentRequired:
                assert model[wallet] < amount
            else:
                model[wallet] -= amount
                platform["revenue"] += amount
        else:
            _, who, amount = op
            response = client.post(
                "/admin/payouts",
                json={"user_id": users[who].id, "amount": format_amount(amount)},
                headers=money_headers(settings, admin),
            )
            assert response.status_code == 201
            model[f"user:{users[who].id}"] += amount
            platform["treasury"] -= amount

        balances = ledger_state(db)["balances"]  # checks every invariant
        for wallet, expected in model.items():
            assert balances.get(wallet, 0) == expected, (op, wallet)
        for name, change in platform.items():
            assert balances.get(name, 0) - before.get(name, 0) == change, (op, name)
