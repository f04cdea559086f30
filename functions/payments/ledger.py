"""The double-entry ledger: every movement is one transfer of entries that sum to zero.

``post`` is the only code that moves money. It locks the accounts involved in id order (row locks
on PostgreSQL, so two transfers touching the same wallets queue instead of deadlocking; SQLite
serializes every write transaction anyway), refuses a movement that would take a user wallet below
zero (402 ``insufficient_funds``; the database's check constraint refuses it too), then writes the
transfer, its entries and the cached balances in the caller's transaction: all of it or nothing.

Only user wallets are bounded below. The external account of a provider goes negative as money
enters the ledger from outside; the treasury goes negative when payouts exceed what the platform
put into it, i.e. the platform paid from its own capital outside the ledger. The sum of all
balances (and of all entries) is zero at every moment.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from spotifiuby.db import insert_ignore
from spotifiuby.errors import PaymentRequired
from spotifiuby.models import Account, Entry, Transfer

REVENUE, TREASURY = "revenue", "treasury"


def _account(session: Session, *, kind: str, name: str, user_id: int | None = None) -> Account:
    """The account, created on first need (two first needs at once make one)."""
    found = session.scalar(select(Account).where(Account.kind == kind, Account.name == name))
    if found is None:
        insert_ignore(
            session, Account.__table__, {"kind": kind, "name": name, "user_id": user_id, "balance": 0}
        )
        found = session.scalar(select(Account).where(Account.kind == kind, Account.name == name))
    return found


def wallet_of(session: Session, user_id: int) -> Account:
    return _account(session, kind="wallet", name=f"user:{user_id}", user_id=user_id)


def platform_account(session: Session, name: str) -> Account:
    """``REVENUE`` (subscriptions are paid into it) or ``TREASURY`` (payouts are paid from it)."""
    return _account(session, kind=name, name=name)


def external_account(session: Session, provider: str) -> Account:
    """The outside world as one settlement provider sees it: money enters the ledger from here."""
    return _account(session, kind="external", name=provider)


def post(
    session: Session,
    *,
    kind: str,
    legs: Sequence[tuple[Account, int]],
    initiated_by: int | None = None,
    memo: str = "",
) -> Transfer:
    """Move money: ``legs`` are (account, signed minor units) summing to zero."""
    if sum(amount for _, amount in legs) != 0 or any(amount == 0 for _, amount in legs):
        raise ValueError("a transfer's legs must be non-zero and sum to zero")
    deltas: dict[int, int] = {}
    for account, amount in legs:
        deltas[account.id] = deltas.get(account.id, 0) + amount
    locked = {
        account.id: account
        for account in session.scalars(
            select(Account)
            .where(Account.id.in_(deltas))
            .order_by(Account.id)  # one lock order for every transfer: no deadlocks
            .with_for_update()
            .execution_options(populate_existing=True)  # the balances as they are now
        )
    }
    for account_id, delta in deltas.items():
        account = locked[account_id]
        if account.kind == "wallet" and account.balance + delta < 0:
            raise PaymentRequired(details={"balance": account.balance, "needed": -delta})
    transfer = Transfer(
        kind=kind,
        amount=sum(amount for _, amount in legs if amount > 0),
        initiated_by=initiated_by,
        memo=memo,
    )
    session.add(transfer)
    session.flush()
    session.add_all(
        Entry(transfer_id=transfer.id, account_id=account.id, amount=amount) for account, amount in legs
    )
    for account_id, delta in sorted(deltas.items()):
        session.execute(
            update(Account).where(Account.id == account_id).values(balance=Account.balance + delta)
        )
    session.flush()
    for account in locked.values():
        session.refresh(account)
    return transfer
