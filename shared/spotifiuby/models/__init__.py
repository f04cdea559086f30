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
    "Album",
    "Comment",
    "FavoriteAlbum",
    "FavoritePlaylist",
    "FavoriteSong",
    "FederatedIdentity",
    "Follow",
    "Genre",
    "LikedGenre",
    "PasswordResetToken",
    "Play",
    "Playlist",
    "PlaylistCollaborator",
    "PlaylistTrack",
    "Rating",
    "RefreshToken",
    "Review",
    "Song",
    "User",
    "UserEvent",
    "metadata",
]
