"""Who is calling: a verified access token, checked against the account as it is now.

The token proves identity; the database says whether the account still exists, whether it is
blocked and what its role is, so a block or a demotion takes effect on the next request (the SPEC
allows 5 seconds) instead of when the 15-minute token expires. Client-sent identity headers are
never read.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from spotifiuby.db import utcnow
from spotifiuby.errors import Forbidden, Unauthorized
from spotifiuby.tokens import TokenService, bearer_token


@dataclass(frozen=True)
class Caller:
    user_id: int
    role: str
    # the plan content is played under (the payments function's subscriptions)
    plan: str = "free"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def authenticate(request: Request, tokens: TokenService, session: Session) -> Caller | None:
    """The caller of ``request``, ``None`` when anonymous; bad credentials are 401, blocked is 403."""
    token = bearer_token(request.headers.get("Authorization"))
    if token is None:
        return None
    claims = tokens.verify(token)
    from spotifiuby.models import Subscription, User

    now = utcnow()
    # the plan of the subscription whose paid period covers now: checked on every request, so a
    # new subscription applies at once and a lapsed one ends at its expiry even if no job ran
    plan = (
        select(Subscription.plan)
        .where(
            Subscription.user_id == User.id,
            Subscription.status == "active",
            Subscription.started_at <= now,
            Subscription.expires_at > now,
        )
        .order_by(Subscription.expires_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    row = session.execute(
        select(User.role, User.blocked, func.coalesce(plan, "free").label("plan")).where(
            User.id == claims.user_id
        )
    ).first()
    if row is None:
        raise Unauthorized("The account no longer exists.", code="invalid_token")
    if row.blocked:
        raise Forbidden("This account is blocked.", code="blocked")
    return Caller(user_id=claims.user_id, role=row.role, plan=row.plan)


def require(caller: Caller | None, *, admin: bool = False) -> Caller:
    if caller is None:
        raise Unauthorized()
    if admin and not caller.is_admin:
        raise Forbidden("Administrators only.", code="admin_required")
    return caller
