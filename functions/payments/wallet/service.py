"""Wallets, deposits, withdrawals, donations, payouts and the payment history.

Every movement goes through ``ledger.post`` in the request's transaction; the views wrap each
money-moving POST in ``idempotency.idempotent``. Settlement status changes are compare-and-set
(``UPDATE ... WHERE status = 'pending'``): whoever changes the row moves the money, anyone else
(a retry, a concurrent confirmation) changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from functions.payments import ledger
from functions.payments.money import format_amount
from functions.payments.wallet.providers import Outcome, Provider
from spotifiuby.db import as_date, count, utc_day
from spotifiuby.errors import Conflict, NotFound, PaymentRequired, ValidationFailed
from spotifiuby.models import Account, Entry, Settlement, Transfer, User
from spotifiuby.models.payments import TRANSFER_KINDS
from spotifiuby.schemas import midnight


def _post(session: Session, *, kind: str, legs: Sequence[tuple[Account, int]], **kwargs: Any) -> Transfer:
    """``ledger.post``, its 402 saying the amounts as decimal strings like the rest of the API."""
    try:
        return ledger.post(session, kind=kind, legs=legs, **kwargs)
    except PaymentRequired as exc:
        details = {key: format_amount(value) for key, value in exc.details.items()}
        raise PaymentRequired(details=details) from None


def _user_or_404(session: Session, user_id: int) -> User:
    """The (non-blocked) account, key-share locked until the transaction ends: a wallet about to be
    created for it cannot lose its owner to a concurrent delete."""
    user = session.scalar(
        select(User)
        .where(User.id == user_id)
        .with_for_update(read=True, key_share=True)
        .execution_options(populate_existing=True)
    )
    if user is None or user.blocked:
        raise NotFound("No such user.")
    return user


def wallet(session: Session, *, user_id: int, currency: str, provider: Provider) -> dict[str, Any]:
    account = ledger.wallet_of(session, user_id)
    return {
        "balance": account.balance,
        "currency": currency,
        "deposit": {"provider": provider.name, "instructions": provider.instructions(currency)},
    }


def deposit(session: Session, *, user_id: int, amount: int, provider: Provider) -> Settlement:
    """Ask the provider for a deposit; money moves only once it is confirmed (now or later)."""
    settlement = Settlement(
        kind="deposit",
        status="pending",
        user_id=user_id,
        amount=amount,
        provider=provider.name,
        reference=str(uuid.uuid4()),
    )
    session.add(settlement)
    session.flush()
    outcome = provider.deposit(settlement)
    if outcome is Outcome.CONFIRMED:
        _credit_deposit(session, settlement)
        settlement.status = "confirmed"
    elif outcome is Outcome.FAILED:
        settlement.status = "failed"
    session.flush()
    return settlement


def _credit_deposit(session: Session, settlement: Settlement) -> None:
    transfer = _post(
        session,
        kind="deposit",
        legs=[
            (ledger.external_account(session, settlement.provider), -settlement.amount),
            (ledger.wallet_of(session, settlement.user_id), settlement.amount),
        ],
        initiated_by=settlement.user_id,
        memo=f"deposit {settlement.reference}",
    )
    settlement.transfer_id = transfer.id


def withdraw(
    session: Session, *, user_id: int, amount: int, destination: str, provider: Provider
) -> Settlement:
    """Debit the wallet now (402 when short), then ask the provider; a failure refunds at once."""
    transfer = _post(
        session,
        kind="withdrawal",
        legs=[
            (ledger.wallet_of(session, user_id), -amount),
            (ledger.external_account(session, provider.name), amount),
        ],
        initiated_by=user_id,
        memo=f"withdrawal to {destination}",
    )
    settlement = Settlement(
        kind="withdrawal",
        status="pending",
        user_id=user_id,
        amount=amount,
        provider=provider.name,
        reference=str(uuid.uuid4()),
        destination=destination,
        transfer_id=transfer.id,
    )
    session.add(settlement)
    session.flush()
    outcome = provider.withdraw(settlement)
    if outcome is Outcome.CONFIRMED:
        settlement.status = "confirmed"
    elif outcome is Outcome.FAILED:
        _refund_withdrawal(session, settlement)
        settlement.status = "failed"
    session.flush()
    return settlement


def _refund_withdrawal(session: Session, settlement: Settlement) -> None:
    account = _settlement_wallet(session, settlement)
    refund = _post(
        session,
        kind="refund",
        legs=[
            (ledger.external_account(session, settlement.provider), -settlement.amount),
            (account, settlement.amount),
        ],
        initiated_by=settlement.user_id,
        memo=f"refund of failed withdrawal {settlement.reference}",
    )
    settlement.refund_transfer_id = refund.id


def _settlement_wallet(session: Session, settlement: Settlement) -> Account:
    """The wallet a settlement belongs to, also when its owner was deleted meanwhile (the wallet
    account stays, with ``user_id`` NULL, found through the debit's entry)."""
    if settlement.user_id is not None:
        return ledger.wallet_of(session, settlement.user_id)
    return session.scalars(
        select(Account)
        .join(Entry, Entry.account_id == Account.id)
        .where(Entry.transfer_id == settlement.transfer_id, Account.kind == "wallet")
    ).one()


def confirm(session: Session, *, settlement_id: int, status: str) -> Settlement:
    """The provider's word on a pending settlement, acted upon exactly once.

    The status changes with a compare-and-set UPDATE: of two confirmations at once (PostgreSQL
    queues the second on the row lock, then re-checks ``status = 'pending'``) only one changes the
    row and moves money. The same word again answers the settlement unchanged; the opposite word
    on a settled settlement is 409.
    """
    changed = session.execute(
        update(Settlement)
        .where(Settlement.id == settlement_id, Settlement.status == "pending")
        .values(status=status, updated_at=dt.datetime.now(dt.UTC))
        .execution_options(synchronize_session=False)
    ).rowcount
    settlement = session.scalar(
        select(Settlement).where(Settlement.id == settlement_id).execution_options(populate_existing=True)
    )
    if settlement is None:
        raise NotFound("No such settlement.")
    if changed != 1:
        if settlement.status != status:
            raise Conflict(f"The settlement is already {settlement.status}.", code="settlement_settled")
        return settlement
    if settlement.kind == "deposit" and status == "confirmed":
        if settlement.user_id is None:  # its owner was deleted while it was pending: nobody to credit
            settlement.status = "failed"
        else:
            _credit_deposit(session, settlement)
    elif settlement.kind == "withdrawal" and status == "failed":
        _refund_withdrawal(session, settlement)
    session.flush()
    return settlement


def donate(session: Session, *, user_id: int, to_user_id: int, amount: int, message: str) -> Transfer:
    """From the caller's wallet, and only from it, to another user's."""
    if to_user_id == user_id:
        raise ValidationFailed(
            "You cannot donate to yourself.", details={"user_id": ["Cannot donate to yourself."]}
        )
    _user_or_404(session, to_user_id)
    return _post(
        session,
        kind="donation",
        legs=[(ledger.wallet_of(session, user_id), -amount), (ledger.wallet_of(session, to_user_id), amount)],
        initiated_by=user_id,
        memo=message,
    )


def payout(session: Session, *, admin_id: int, user_id: int, amount: int) -> Transfer:
    """From the platform treasury (which may go negative) to a user's wallet."""
    session.scalar(select(User.id).where(User.id == user_id).with_for_update(read=True, key_share=True))
    if session.get(User, user_id) is None:
        raise NotFound("No such user.")
    return _post(
        session,
        kind="payout",
        legs=[
            (ledger.platform_account(session, ledger.TREASURY), -amount),
            (ledger.wallet_of(session, user_id), amount),
        ],
        initiated_by=admin_id,
        memo="payout",
    )


def transactions(
    session: Session, *, user_id: int, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The caller's wallet entries with their transfers, newest first: two queries per page."""
    wallet_id = (
        select(Account.id).where(Account.kind == "wallet", Account.user_id == user_id).scalar_subquery()
    )
    other_entry, other_account = aliased(Entry), aliased(Account)

    def counterparty(column: Any) -> Any:
        return (
            select(column)
            .select_from(other_entry)
            .join(other_account, other_account.id == other_entry.account_id)
            .where(other_entry.transfer_id == Transfer.id, other_entry.account_id != Entry.account_id)
            .order_by(other_entry.id)
            .limit(1)
            .scalar_subquery()
        )

    stmt = (
        select(
            Transfer,
            Entry.amount.label("signed"),
            counterparty(other_account.kind).label("counterparty_kind"),
            counterparty(other_account.user_id).label("counterparty_user_id"),
        )
        .join(Entry, Entry.transfer_id == Transfer.id)
        .where(Entry.account_id == wallet_id)
        .order_by(Entry.id.desc())
    )
    rows = session.execute(stmt.limit(limit).offset(offset)).all()
    items = [
        {
            "id": row.Transfer.id,
            "kind": row.Transfer.kind,
            "amount": abs(row.signed),
            "direction": "in" if row.signed > 0 else "out",
            "counterparty": (
                {"kind": row.counterparty_kind, "user_id": row.counterparty_user_id}
                if row.counterparty_kind is not None
                else None
            ),
            "memo": row.Transfer.memo,
            "created_at": row.Transfer.created_at,
        }
        for row in rows
    ]
    return items, count(session, stmt)


def admin_transactions(
    session: Session, *, limit: int, offset: int, user_id: int | None = None, kind: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Transfers newest first with all their entries: three queries per page."""
    stmt = select(Transfer).order_by(Transfer.id.desc())
    if kind is not None:
        stmt = stmt.where(Transfer.kind == kind)
    if user_id is not None:
        touching = (
            select(Entry.id)
            .join(Account, Account.id == Entry.account_id)
            .where(Entry.transfer_id == Transfer.id, Account.user_id == user_id)
        )
        stmt = stmt.where(touching.exists())
    transfers = list(session.scalars(stmt.limit(limit).offset(offset)))
    entries: dict[int, list[dict[str, Any]]] = {t.id: [] for t in transfers}
    if transfers:
        for entry, account in session.execute(
            select(Entry, Account)
            .join(Account, Account.id == Entry.account_id)
            .where(Entry.transfer_id.in_(entries))
            .order_by(Entry.id)
        ):
            entries[entry.transfer_id].append(
                {
                    "account_id": account.id,
                    "account_kind": account.kind,
                    "account_name": account.name,
                    "user_id": account.user_id,
                    "amount": entry.amount,
                }
            )
    items = [
        {
            "id": t.id,
            "kind": t.kind,
            "amount": t.amount,
            "initiated_by": t.initiated_by,
            "memo": t.memo,
            "created_at": t.created_at,
            "entries": entries[t.id],
        }
        for t in transfers
    ]
    return items, count(session, stmt)


METRIC_KEYS = {
    "deposit": "deposits",
    "withdrawal": "withdrawals",
    "refund": "refunds",
    "subscription": "subscriptions",
    "plan_credit": "plan_credits",
    "donation": "donations",
    "payout": "payouts",
}
assert set(METRIC_KEYS) == set(TRANSFER_KINDS)


def metrics(session: Session, *, days: int, currency: str) -> dict[str, Any]:
    """Per UTC day of the last ``days`` (today included): count and total of each transfer kind,
    grouped in SQL."""
    end = dt.datetime.now(dt.UTC).date()
    start = end - dt.timedelta(days=days - 1)
    day = utc_day(Transfer.created_at)
    rows = session.execute(
        select(day, Transfer.kind, func.count(), func.sum(Transfer.amount))
        .where(
            Transfer.created_at >= midnight(start), Transfer.created_at < midnight(end + dt.timedelta(days=1))
        )
        .group_by(day, Transfer.kind)
    )
    table = {
        start + dt.timedelta(days=n): {key: {"count": 0, "amount": 0} for key in METRIC_KEYS.values()}
        for n in range(days)
    }
    for date, kind, n, total in rows:
        figures = table.get(as_date(date))
        if figures is not None and kind in METRIC_KEYS:
            figures[METRIC_KEYS[kind]] = {"count": n, "amount": int(total)}
    return {
        "start": start,
        "end": end,
        "currency": currency,
        "days": [{"date": date, **figures} for date, figures in table.items()],
    }
