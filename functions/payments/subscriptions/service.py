"""Subscriptions: what a user's plan is now, buying or changing it, and marking lapsed ones expired.

Rules (also in the payments README, "Plans and subscriptions"):

- A ``Subscription`` row is one paid period. The caller's plan is the ``active`` row whose period
  covers now (``started_at <= now < expires_at``); none means ``free``. A lapsed row counts as
  ``free`` from its ``expires_at`` on, whether or not the expiry job has marked it ``expired``.
- **Renewal** (the plan of the row covering now): a new ``active`` row for the next period, starting
  at the end of the paid time (the latest ``expires_at`` of the user's active rows), charged now.
- **Switch** (any other plan, or nothing current): the user's active rows that have not ended become
  ``replaced``, ending now (a row paid in advance that had not started yet ends at its own start, a
  zero-length period), and their unused part is credited back (``plan_credit``, revenue to wallet)
  before the new plan is charged; the new row starts now. Credit of one row =
  ``price * unused_microseconds // period_microseconds``: rounded down, so the platform never
  refunds more than was paid (the user loses under one minor unit per row).
- **Free** is a switch to nothing: the current rows end now with their credit, nothing is charged,
  no row is created.
- The credit and the charge are one database transaction with the subscription rows: if the wallet
  (after the credit) cannot pay, 402 ``insufficient_funds`` and nothing changes.
- Every change starts by locking the user's wallet row, so two changes by one user run one after the
  other (PostgreSQL row lock; SQLite serializes write transactions anyway).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from functions.payments import ledger
from functions.payments.subscriptions.plans import FREE, Plan, plan_of
from spotifiuby.config import Settings
from spotifiuby.models import Account, Subscription
from spotifiuby.models.music import plan_level

_MICROSECOND = dt.timedelta(microseconds=1)


def unused_credit(price: int, started_at: dt.datetime, expires_at: dt.datetime, now: dt.datetime) -> int:
    """The part of ``price`` paid for the time after ``now``, in minor units, rounded down."""
    total = (expires_at - started_at) // _MICROSECOND
    if price <= 0 or total <= 0 or expires_at <= now:
        return 0
    unused = (expires_at - max(started_at, now)) // _MICROSECOND
    return price * min(unused, total) // total


def _covering(session: Session, user_id: int, now: dt.datetime) -> Subscription | None:
    """The active row whose period covers now (the same rule as ``auth.authenticate``)."""
    return session.scalar(
        select(Subscription)
        .where(
            Subscription.user_id == user_id,
            Subscription.status == "active",
            Subscription.started_at <= now,
            Subscription.expires_at > now,
        )
        .order_by(Subscription.expires_at.desc(), Subscription.id.desc())
        .limit(1)
    )


def _unended(session: Session, user_id: int, now: dt.datetime) -> list[Subscription]:
    """The user's active rows that have not ended: the current one and renewals paid in advance."""
    return list(
        session.scalars(
            select(Subscription)
            .where(
                Subscription.user_id == user_id,
                Subscription.status == "active",
                Subscription.expires_at > now,
            )
            .order_by(Subscription.started_at, Subscription.id)
        )
    )


def _free() -> dict[str, Any]:
    return {"id": None, "plan": FREE, "level": 0, "status": "active", "started_at": None, "expires_at": None}


def current(session: Session, *, user_id: int, now: dt.datetime) -> dict[str, Any]:
    """The plan the user has now; ``expires_at`` is when the paid time ends, renewals included."""
    row = _covering(session, user_id, now)
    if row is None:
        return _free()
    paid_until = max(s.expires_at for s in _unended(session, user_id, now) if s.plan == row.plan)
    return {
        "id": row.id,
        "plan": row.plan,
        "level": plan_level(row.plan),
        "status": row.status,
        "started_at": row.started_at,
        "expires_at": paid_until,
    }


@dataclass
class Change:
    subscription: Subscription | None  # None: switched to free
    charged: int
    credited: int


def _lock_wallet(session: Session, user_id: int) -> Account:
    wallet = ledger.wallet_of(session, user_id)
    return session.scalar(
        select(Account)
        .where(Account.id == wallet.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def subscribe(
    session: Session, *, settings: Settings, user_id: int, plan_code: str, now: dt.datetime
) -> Change:
    """Renew the current plan, or switch to another one (``free`` ends the current one)."""
    wallet = _lock_wallet(session, user_id)  # first: every decision below is taken under this lock
    plan = plan_of(settings, plan_code)
    covering = _covering(session, user_id, now)
    unended = _unended(session, user_id, now)

    if covering is not None and covering.plan == plan.code:
        start = max(s.expires_at for s in unended)
        return _buy(session, wallet=wallet, user_id=user_id, plan=plan, start=start, now=now, credited=0)

    credited = 0
    for row in unended:
        credited += unused_credit(row.price, row.started_at, row.expires_at, now)
        row.status = "replaced"
        row.expires_at = max(row.started_at, now)
        row.updated_at = now
    session.flush()
    if credited > 0:
        ledger.post(
            session,
            kind="plan_credit",
            legs=[(ledger.platform_account(session, ledger.REVENUE), -credited), (wallet, credited)],
            initiated_by=user_id,
            memo="unused part of the replaced plan",
        )
    if plan.code == FREE:
        return Change(subscription=None, charged=0, credited=credited)
    return _buy(session, wallet=wallet, user_id=user_id, plan=plan, start=now, now=now, credited=credited)


def _buy(
    session: Session,
    *,
    wallet: Account,
    user_id: int,
    plan: Plan,
    start: dt.datetime,
    now: dt.datetime,
    credited: int,
) -> Change:
    transfer_id = None
    if plan.price > 0:
        transfer = ledger.post(
            session,
            kind="subscription",
            legs=[(wallet, -plan.price), (ledger.platform_account(session, ledger.REVENUE), plan.price)],
            initiated_by=user_id,
            memo=f"{plan.code} plan, {plan.period_days} days",
        )
        transfer_id = transfer.id
    row = Subscription(
        user_id=user_id,
        plan=plan.code,
        status="active",
        started_at=start,
        expires_at=start + dt.timedelta(days=plan.period_days),
        price=plan.price,
        transfer_id=transfer_id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return Change(subscription=row, charged=plan.price, credited=credited)


def expire(session: Session, *, now: dt.datetime) -> int:
    """Mark every active row whose period has ended ``expired``, in one statement; how many."""
    result = session.execute(
        update(Subscription)
        .where(Subscription.status == "active", Subscription.expires_at <= now)
        .values(status="expired", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
