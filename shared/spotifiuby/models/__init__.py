"""The shared schema: every table of every function, one module per owning function.

Importing this package registers all tables on ``Base.metadata`` (what Alembic compares against).
"""

from spotifiuby.db import Base
from spotifiuby.models.users import (
    FederatedIdentity,
    Follow,
    LikedGenre,
    PasswordResetToken,
    RefreshToken,
    User,
    UserEvent,
)

metadata = Base.metadata

__all__ = [
    "FederatedIdentity",
    "Follow",
    "LikedGenre",
    "PasswordResetToken",
    "RefreshToken",
    "User",
    "UserEvent",
    "metadata",
]
