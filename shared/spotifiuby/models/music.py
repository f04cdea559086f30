"""Tables owned by the music function: catalogue, playlists, favourites and plays.

Deleting an account cascades to its songs, albums, playlists, favourites and collaborations; the
stored audio and cover files of deleted content are removed by the music function (see its README).
Deleting a song removes it from playlists and favourites (cascades); deleting an album keeps its
songs as singles (``album_id`` set to NULL); a genre in use by a song or album cannot be deleted
(RESTRICT), while users' liked genres follow it away (cascade).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from spotifiuby.db import Base, UTCDateTime, utcnow

PLANS = ("free", "regular", "silver", "gold")  # ordered: a plan's level is its index
PLAN_CHECK = "min_plan IN ('free', 'regular', 'silver', 'gold')"


def plan_level(plan: str) -> int:
    return PLANS.index(plan)


class Genre(Base):
    __tablename__ = "genres"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    # casefolded name: makes the unique constraint case-insensitive on every database
    name_key: Mapped[str] = mapped_column(String(50), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MediaColumns:
    """Moderation state shared by songs and albums."""

    min_plan: Mapped[str] = mapped_column(String(10), default="free")
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Album(MediaColumns, Base):
    __tablename__ = "albums"
    __table_args__ = (CheckConstraint(PLAN_CHECK, name="min_plan"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    genre_id: Mapped[int] = mapped_column(ForeignKey("genres.id", ondelete="RESTRICT"), index=True)
    # the cover image in storage (see functions/music/storage.py); NULL until uploaded
    cover_key: Mapped[str | None] = mapped_column(String(255))
    cover_content_type: Mapped[str | None] = mapped_column(String(100))
    cover_size: Mapped[int | None] = mapped_column(BigInteger)
    cover_etag: Mapped[str | None] = mapped_column(String(64))


class Song(MediaColumns, Base):
    __tablename__ = "songs"
    __table_args__ = (
        CheckConstraint(PLAN_CHECK, name="min_plan"),
        Index("ix_songs_album_id_track_number", "album_id", "track_number"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    genre_id: Mapped[int] = mapped_column(ForeignKey("genres.id", ondelete="RESTRICT"), index=True)
    # a song is in at most one album, of its own artist (checked by the music function)
    album_id: Mapped[int | None] = mapped_column(ForeignKey("albums.id", ondelete="SET NULL"))
    track_number: Mapped[int | None] = mapped_column(Integer)
    # the audio in storage; NULL until uploaded
    audio_key: Mapped[str | None] = mapped_column(String(255))
    audio_content_type: Mapped[str | None] = mapped_column(String(100))
    audio_size: Mapped[int | None] = mapped_column(BigInteger)
    audio_etag: Mapped[str | None] = mapped_column(String(64))
    duration_seconds: Mapped[float | None] = mapped_column()
    play_count: Mapped[int] = mapped_column(BigInteger, default=0)


class Playlist(Base):
    __tablename__ = "playlists"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    collaborative: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PlaylistTrack(Base):
    """A song in a playlist; the primary key makes a song appear once per playlist."""

    __tablename__ = "playlist_tracks"
    __table_args__ = (Index("ix_playlist_tracks_playlist_id_position", "playlist_id", "position"),)

    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True)
    song_id: Mapped[int] = mapped_column(
        ForeignKey("songs.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlaylistCollaborator(Base):
    __tablename__ = "playlist_collaborators"

    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FavoriteSong(Base):
    __tablename__ = "favorite_songs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    song_id: Mapped[int] = mapped_column(
        ForeignKey("songs.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FavoriteAlbum(Base):
    __tablename__ = "favorite_albums"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    album_id: Mapped[int] = mapped_column(
        ForeignKey("albums.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FavoritePlaylist(Base):
    __tablename__ = "favorite_playlists"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    playlist_id: Mapped[int] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Play(Base):
    """One listen of a song: the source of history, play counts and content metrics."""

    __tablename__ = "plays"
    __table_args__ = (
        Index("ix_plays_user_id_created_at", "user_id", "created_at"),
        Index("ix_plays_song_id_created_at", "song_id", "created_at"),
        Index("ix_plays_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    song_id: Mapped[int] = mapped_column(ForeignKey("songs.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
