"""Recording what happened to accounts: the source of user metrics and of login throttling."""

from sqlalchemy.orm import Session

from spotifiuby.models import UserEvent


def record(
    session: Session,
    *,
    kind: str,
    method: str | None = None,
    user_id: int | None = None,
    email: str | None = None,
) -> None:
    session.add(UserEvent(kind=kind, method=method, user_id=user_id, email=email))
