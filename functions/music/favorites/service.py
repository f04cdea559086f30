"""A user's favourite songs, albums and playlists: one piece of code, one table row per kind.

A favourite can only be added for something the caller sees (else 404); it then stays stored when
the target is blocked or made private, but shows again only when visible again: lists and
``GET /me/favorites/<kind>/<id>`` leave hidden targets out. Adding and removing are idempotent, and
two simultaneous adds leave one row (the primary key decides, ``INSERT ... ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from functions.music.access import visible_albums, visible_playlists, visible_songs
from functions.music.playlists.schemas import PlaylistPage
from functions.music.playlists.service import present_playlists
from functions.music.present import AlbumPage, SongPage, present_albums, present_songs
from spotifiuby.auth import Caller
from spotifiuby.db import insert_ignore, paginate
from spotifiuby.errors import NotFound
from spotifiuby.models import Album, FavoriteAlbum, FavoritePlaylist, FavoriteSong, Playlist, Song


@dataclass(frozen=True)
class Kind:
    name: str  # the path segment: /me/favorites/<name>/<noun>_id
    noun: str
    target: Any  # the model favourited
    favorite: Any  # the favourites table's model
    visible: Callable[[Caller | None], ColumnElement[bool]]
    present: Callable[[Session, Sequence[Any], Caller | None], list[dict[str, Any]]]
    page: Any  # the response schema of the list

    @property
    def target_column(self) -> Any:
        return getattr(self.favorite, f"{self.noun}_id")


KINDS = (
    Kind("songs", "song", Song, FavoriteSong, visible_songs, present_songs, SongPage),
    Kind("albums", "album", Album, FavoriteAlbum, visible_albums, present_albums, AlbumPage),
    Kind(
        "playlists",
        "playlist",
        Playlist,
        FavoritePlaylist,
        visible_playlists,
        present_playlists,
        PlaylistPage,
    ),
)


def _mine(kind: Kind, caller: Caller) -> Any:
    """The caller's favourites of ``kind`` joined to their visible targets."""
    return (
        select(kind.target)
        .join(kind.favorite, kind.target_column == kind.target.id)
        .where(kind.favorite.user_id == caller.user_id, kind.visible(caller))
    )


def get_or_404(session: Session, *, kind: Kind, caller: Caller, target_id: int) -> dict[str, Any]:
    created_at = session.scalar(
        _mine(kind, caller).with_only_columns(kind.favorite.created_at).where(kind.target.id == target_id)
    )
    if created_at is None:
        raise NotFound(f"This {kind.noun} is not among your favourites.")
    return {"favorite": True, "created_at": created_at}


def list_favorites(
    session: Session, *, kind: Kind, caller: Caller, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Newest favourite first: the page, the total and the presenter's fixed queries."""
    stmt = _mine(kind, caller).order_by(kind.favorite.created_at.desc(), kind.target.id.desc())
    targets, total = paginate(session, stmt, limit=limit, offset=offset)
    return kind.present(session, targets, caller), total


def create(session: Session, *, kind: Kind, caller: Caller, target_id: int) -> None:
    """Idempotent; the target must exist and show to the caller, else 404."""
    missing = NotFound(f"No such {kind.noun}.")
    if (
        session.scalar(select(kind.target.id).where(kind.target.id == target_id, kind.visible(caller)))
        is None
    ):
        raise missing
    try:
        insert_ignore(
            session, kind.favorite.__table__, {"user_id": caller.user_id, f"{kind.noun}_id": target_id}
        )
    except IntegrityError:
        raise missing from None  # deleted since the lookup above


def delete_favorite(session: Session, *, kind: Kind, caller: Caller, target_id: int) -> None:
    """Idempotent: removing what is not a favourite (or does not exist) changes nothing."""
    session.execute(
        delete(kind.favorite).where(kind.favorite.user_id == caller.user_id, kind.target_column == target_id)
    )
