"""``GET /search``: ranked matches per type, each list seen through the caller's visibility rules.

Songs, albums and playlists match ``q`` by full text (``search/text.py``) and are ordered by rank,
then id; they follow the visibility rules of their own routes (``access.visible_songs``,
``access.visible_albums``, ``playlists.service.visible_playlists``). Artists are non-blocked
accounts with the role ``artist`` whose name contains ``q`` (case-insensitive, ``%`` and ``_``
literal), the exact name first, then names starting with ``q``, then the rest, each by id. The
whole answer costs a fixed number of queries, whatever it holds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, select
from sqlalchemy.orm import Session, aliased

from functions.music.access import visible_albums, visible_playlists, visible_songs
from functions.music.present import present_albums, present_songs
from functions.music.search.text import text_filter, text_rank
from spotifiuby.auth import Caller
from spotifiuby.models import Album, Playlist, Song, User


def search(
    session: Session, *, q: str, types: tuple[str, ...], limit: int, caller: Caller | None
) -> dict[str, list[dict[str, Any]]]:
    results: dict[str, list[dict[str, Any]]] = {}
    if "song" in types:
        songs = _ranked(session, Song, q, visible_songs(caller), limit)
        results["songs"] = present_songs(session, songs, caller)
    if "album" in types:
        albums = _ranked(session, Album, q, visible_albums(caller), limit)
        results["albums"] = present_albums(session, albums, caller)
    if "playlist" in types:
        results["playlists"] = _playlists(session, q, caller, limit)
    if "artist" in types:
        results["artists"] = _artists(session, q, limit)
    return results


def _ranked(session: Session, model: Any, q: str, visible: ColumnElement[bool], limit: int) -> list[Any]:
    return list(
        session.scalars(
            select(model)
            .where(visible, text_filter(session, model, q))
            .order_by(text_rank(session, model, q).desc(), model.id)
            .limit(limit)
        )
    )


def _playlists(session: Session, q: str, caller: Caller | None, limit: int) -> list[dict[str, Any]]:
    # an alias: the visibility rule's own subquery on users must not correlate with this join
    owner = aliased(User)
    rows = session.execute(
        select(Playlist, owner.name)
        .join(owner, owner.id == Playlist.owner_id)
        .where(visible_playlists(caller), text_filter(session, Playlist, q))
        .order_by(text_rank(session, Playlist, q).desc(), Playlist.id)
        .limit(limit)
    )
    return [
        {
            "id": playlist.id,
            "title": playlist.title,
            "description": playlist.description,
            "owner": {"id": playlist.owner_id, "name": owner_name},
            "public": playlist.public,
        }
        for playlist, owner_name in rows
    ]


def _artists(session: Session, q: str, limit: int) -> list[dict[str, Any]]:
    starts = User.name.istartswith(q, autoescape=True)
    closeness = case((and_(starts, func.length(User.name) == len(q)), 0), (starts, 1), else_=2)
    rows = session.execute(
        select(User.id, User.name)
        .where(User.role == "artist", User.blocked == false(), User.name.icontains(q, autoescape=True))
        .order_by(closeness, User.id)
        .limit(limit)
    )
    return [{"id": row.id, "name": row.name} for row in rows]
