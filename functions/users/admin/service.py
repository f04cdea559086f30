"""Moderation of accounts, the user metrics and the first administrator.

Every moderation action is logged (admin, account, change, reason): that line is the audit trail.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from functions.users.auth.service import create_user
from functions.users.profiles import service as accounts
from spotifiuby.db import as_date, utc_day
from spotifiuby.models import User, UserEvent
from spotifiuby.models.users import AUTH_METHODS
from spotifiuby.observability import log
from spotifiuby.schemas import midnight

logger = logging.getLogger("spotifiuby.users.admin")

FIRST_ADMIN_NAME = "Administrator"


def update(session: Session, *, admin_id: int, user_id: int, changes: dict[str, Any]) -> User:
    """Block, unblock or change the role of an account (``reason`` is logged, not stored)."""
    standing = {field: value for field, value in changes.items() if field != "reason"}
    user = accounts.update(session, user_id=user_id, changes=standing, acting_admin_id=admin_id)
    log(
        logger,
        logging.INFO,
        "user moderated",
        admin_id=admin_id,
        user_id=user_id,
        changes=standing,
        reason=changes.get("reason"),
    )
    return user


def delete(session: Session, *, admin_id: int, user_id: int) -> None:
    accounts.delete(session, user_id=user_id, acting_admin_id=admin_id)
    log(logger, logging.INFO, "user deleted", admin_id=admin_id, user_id=user_id)


def user_metrics(session: Session, *, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Sign-ups and logins by method and password resets per UTC day, every day of the range."""
    day = utc_day(UserEvent.created_at)
    rows = session.execute(
        select(day, UserEvent.kind, UserEvent.method, func.count())
        .where(
            UserEvent.kind.in_(("signup", "login", "password_reset")),
            UserEvent.created_at >= midnight(start),
            UserEvent.created_at < midnight(end + dt.timedelta(days=1)),
        )
        .group_by(day, UserEvent.kind, UserEvent.method)
    )
    days = {
        start + dt.timedelta(days=n): {
            "signup": dict.fromkeys(AUTH_METHODS, 0),
            "login": dict.fromkeys(AUTH_METHODS, 0),
            "password_reset": 0,
        }
        for n in range((end - start).days + 1)
    }
    for key, kind, method, n in rows:
        counts = days[as_date(key)]
        if kind == "password_reset":
            counts[kind] += n
        elif method in AUTH_METHODS:
            counts[kind][method] += n
    users, blocked = session.execute(
        select(func.count(), func.coalesce(func.sum(case((User.blocked, 1), else_=0)), 0))
    ).one()
    return {
        "start": start,
        "end": end,
        "days": [
            {
                "date": date,
                "signups": counts["signup"],
                "logins": counts["login"],
                "password_resets": counts["password_reset"],
            }
            for date, counts in days.items()
        ],
        "totals": {"users": users, "active": users - blocked, "blocked": blocked},
    }


def ensure_first_admin(session: Session, *, email: str, password: str) -> tuple[User, bool]:
    """Make sure an administrator exists; returns it and whether this call created or promoted it.

    With no admin yet, the account with ``email`` is promoted (and unblocked: its purpose is to
    administer), or created with ``password``. Once any admin exists this changes nothing.
    """
    admin = session.scalar(select(User).where(User.role == "admin").order_by(User.blocked, User.id).limit(1))
    if admin is not None:
        return admin, False
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        user = create_user(session, email=email, name=FIRST_ADMIN_NAME, password=password, role="admin")
    else:
        user.role, user.blocked = "admin", False
    return user, True
