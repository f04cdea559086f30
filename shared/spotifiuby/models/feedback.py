"""Tables owned by the feedback function: ratings, reviews and comments on songs and albums.

Each row names its target through exactly one of ``song_id`` / ``album_id`` (a check constraint),
so real foreign keys cascade: deleting a song or an album removes its feedback, deleting an account
removes what it wrote. "One per user per target" is a unique constraint on (user, target column);
NULLs never collide, so the song and album constraints do not interfere.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from spotifiuby.db import Base, UTCDateTime, utcnow

ONE_TARGET = "(song_id IS NULL) <> (album_id IS NULL)"


class TargetColumns:
    song_id: Mapped[int | None] = mapped_column(ForeignKey("songs.id", ondelete="CASCADE"))
    album_id: Mapped[int | None] = mapped_column(ForeignKey("albums.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Rating(TargetColumns, Base):
    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint(ONE_TARGET, name="one_target"),
        CheckConstraint("value BETWEEN 1 AND 5", name="value"),
        UniqueConstraint("user_id", "song_id", name="uq_ratings_user_song"),
        UniqueConstraint("user_id", "album_id", name="uq_ratings_user_album"),
        Index("ix_ratings_song_id", "song_id"),
        Index("ix_ratings_album_id", "album_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(Integer)


class Review(TargetColumns, Base):
    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint(ONE_TARGET, name="one_target"),
        UniqueConstraint("user_id", "song_id", name="uq_reviews_user_song"),
        UniqueConstraint("user_id", "album_id", name="uq_reviews_user_album"),
        Index("ix_reviews_song_id_created_at", "song_id", "created_at"),
        Index("ix_reviews_album_id_created_at", "album_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(5000))


class Comment(TargetColumns, Base):
    """A comment on a target, or a reply to one (one level: a reply's parent is never a reply)."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(ONE_TARGET, name="one_target"),
        Index("ix_comments_song_id_created_at", "song_id", "created_at"),
        Index("ix_comments_album_id_created_at", "album_id", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(2000))
