"""Admin moderation of accounts and the user metrics."""

from typing import Any

from sqlalchemy.orm import Session

from functions.users.admin import service
from functions.users.admin.schemas import (
    AdminUserQuery,
    ModerationSchema,
    UserMetricsSchema,
)
from functions.users.profiles import service as accounts
from functions.users.profiles.schemas import PrivateUserPage, PrivateUserSchema
from spotifiuby.api import Api
from spotifiuby.auth import Caller
from spotifiuby.models import User
from spotifiuby.schemas import DayRangeQuery, page

api = Api("admin")


@api.get("/admin/users", query=AdminUserQuery, response=PrivateUserPage, auth="admin")
def list_users(*, query: dict[str, Any], session: Session) -> dict[str, Any]:
    """Every account, blocked ones included; ``q`` matches name or email."""
    items, total = accounts.list_users(session, as_admin=True, **query)
    return page(items, total, query)


@api.patch("/admin/users/<int:user_id>", body=ModerationSchema, response=PrivateUserSchema, auth="admin")
def update_user(*, user_id: int, body: dict[str, Any], caller: Caller, session: Session) -> User:
    """Block or unblock an account, or change its role."""
    return service.update(session, admin_id=caller.user_id, user_id=user_id, changes=body)


@api.delete("/admin/users/<int:user_id>", status=204, auth="admin")
def delete_user(*, user_id: int, caller: Caller, session: Session) -> None:
    """Delete an account (the last admin cannot be deleted)."""
    service.delete(session, admin_id=caller.user_id, user_id=user_id)


@api.get("/admin/metrics/users", query=DayRangeQuery, response=UserMetricsSchema, auth="admin")
def user_metrics(*, query: dict[str, Any], session: Session) -> dict[str, Any]:
    """Sign-ups, logins and password resets per UTC day; account totals."""
    return service.user_metrics(session, **query)
