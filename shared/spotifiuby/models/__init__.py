"""The shared schema: every table of every function, one module per owning function.

Importing this package registers all tables on ``Base.metadata`` (what Alembic compares against).
"""

from spotifiuby.db import Base
from spotifiuby.models.feedback import Comment, Rating, Review
from spotifiuby.models.music import (
    Album,
    FavoriteAlbum,
    FavoritePlaylist,
    FavoriteSong,
    Genre,
    Play,
    Playlist,
    PlaylistCollaborator,
    PlaylistTrack,
    Song,
)
from spotifiuby.models.payments import (
    Account,
    Entry,
    IdempotencyRecord,
    Settlement,
    Subscription,
    Transfer,
)
from spotifiuby.models.status import StatusCheck, StatusIncident, StatusNotification
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
    "Account",
    "Album",
    "Comment",
    "Entry",
    "FavoriteAlbum",
    "FavoritePlaylist",
    "FavoriteSong",
    "FederatedIdentity",
    "Follow",
    "Genre",
    "IdempotencyRecord",
    "LikedGenre",
    "PasswordResetToken",
    "Play",
    "Playlist",
    "PlaylistCollaborator",
    "PlaylistTrack",
    "Rating",
    "RefreshToken",
    "Review",
    "Settlement",
    "Song",
    "StatusCheck",
    "StatusIncident",
    "StatusNotification",
    "Subscription",
    "Transfer",
    "User",
    "UserEvent",
    "metadata",
]
