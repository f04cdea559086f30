"""Profiles, search, follows, liked genres and the push token."""

from sqlalchemy.orm import Session

from functions.users.profiles import service
from functions.users.profiles.schemas import PrivateUserSchema
from spotifiuby.api import Api
from spotifiuby.auth import Caller
from spotifiuby.models import User

api = Api("profiles")


@api.get("/me", response=PrivateUserSchema)
def get_me(*, caller: Caller, session: Session) -> User:
    """The caller's private profile."""
    return service.get_or_404(session, user_id=caller.user_id)
