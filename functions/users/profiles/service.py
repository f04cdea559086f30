"""Profile, search and follow operations."""

from sqlalchemy.orm import Session

from spotifiuby.errors import NotFound
from spotifiuby.models import User


def get_or_404(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user
