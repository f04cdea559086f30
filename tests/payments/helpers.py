"""Helpers of the payments tests: idempotent requests, funding a wallet, and the ledger's invariants
checked straight in the database."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from spotifiuby.models import Account, Entry, Transfer
from tests.factories import auth_header

UNIT = 10**9  # minor units per unit


def money_headers(settings: Any, user: Any, key: str | None = None) -> dict[str, str]:
    """Credentials plus a fresh (or the given) Idempotency-Key."""
    return {**auth_header(settings, user), "Idempotency-Key": key or f"k-{uuid.uuid4()}"}


def deposit(client: Any, settings: Any, user: Any, amount: str) -> Any:
    response = client.post(
        "/me/wallet/deposits", json={"amount": amount}, headers=money_headers(settings, user)
    )
    assert response.status_code == 201, response.get_json()
    return response


def balance(client: Any, settings: Any, user: Any) -> str:
    response = client.get("/me/wallet", headers=auth_header(settings, user))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["balance"]


def wallet_minor(db: Any, user_id: int) -> int:
    """The wallet's cached balance in minor units (0 when it has no wallet yet)."""
    with db.session() as session:
        found = session.scalar(
            select(Account.balance).where(Account.kind == "wallet", Account.user_id == user_id)
        )
    return found or 0


def ledger_state(db: Any) -> dict[str, Any]:
    """Check every invariant of the ledger and answer the figures: no wallet below zero, every
    transfer's entries sum to zero, the entries of all accounts sum to zero, each account's cached
    balance equals the sum of its entries."""
    with db.session() as session:
        total = session.scalar(select(func.coalesce(func.sum(Entry.amount), 0)))
        unbalanced = session.execute(
            select(Entry.transfer_id, func.sum(Entry.amount))
            .group_by(Entry.transfer_id)
            .having(func.sum(Entry.amount) != 0)
        ).all()
        entry_sums = dict(
            session.execute(select(Entry.account_id, func.sum(Entry.amount)).group_by(Entry.account_id)).all()
        )
        accounts = session.execute(select(Account.id, Account.kind, Account.name, Account.balance)).all()
        transfers = session.scalar(select(func.count()).select_from(Transfer))
        amounts_ok = session.scalar(
            select(func.count())
            .select_from(Transfer)
            .where(
                Transfer.amount
                != select(func.sum(Entry.amount))
                .where(Entry.transfer_id == Transfer.id, Entry.amount > 0)
                .scalar_subquery()
            )
        )
    assert total == 0, f"the entries sum to {total}"
    assert unbalanced == [], f"unbalanced transfers: {unbalanced}"
    assert amounts_ok == 0, "a transfer's amount is not the sum of its credits"
    for account_id, kind, name, cached in accounts:
        assert cached == entry_sums.get(account_id, 0), f"{kind} {name}: cached {cached} != entries"
        if kind == "wallet":
            assert cached >= 0, f"wallet {name} is negative: {cached}"
    return {
        "transfers": transfers,
        "balances": {name: cached for _, kind, name, cached in accounts},
    }
