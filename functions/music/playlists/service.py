"""Playlists: who sees them, how they look, their lifecycle and their collaborators.

Visibility: a public playlist shows to everyone; a private one to its owner, its collaborators and
admins, and to nobody else, who get 404 as if it did not exist. Playlists of a blocked account are
hidden from everyone but admins, like the account. Changing title, description, ``public`` and
``collaborative``, and managing collaborators, is for the owner; deleting, for the owner or an
admin. Track edits are in ``tracks.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, false, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from functions.music.access import privileged, visible_playlists, visible_songs
from functions.music.present import present_songs, user_summaries
from functions.music.search.text import text_filter
from spotifiuby.auth import Caller
from spotifiuby.db import insert_ignore, paginate
from spotifiuby.errors import Forbidden, NotFound, ValidationFailed
from spotifiuby.models import Playlist, PlaylistCollaborator, PlaylistTrack, Song, User


def not_owner(action: str) -> Forbidden:
    return Forbidden(f"Only the playlist's owner can {action}.", code="not_owner")


def get_or_404(session: Session, *, playlist_id: int, caller: Caller | None) -> Playlist:
    playlist = session.scalar(select(Playlist).where(Playlist.id == playlist_id, visible_playlists(caller)))
    if playlist is None:
        raise NotFound("No such playlist.")
    return playlist


def present_playlists(
    session: Session,
    playlists: Sequence[Playlist],
    caller: Caller | None,
    *,
    track_counts: dict[int, int] | None = None,
) -> list[dict[str, Any]]:
    """List items in the given order: owners and track counts in one query each, whatever the number.

    ``track_count`` counts the tracks ``caller`` sees (hidden songs left out, as in the playlist).
    """
    if not playlists:
        return []
    owners = user_summaries(session, (playlist.owner_id for playlist in playlists))
    if track_counts is None:
        track_counts = dict(
            session.execute(
                select(PlaylistTrack.playlist_id, func.count())
                .join(Song, Song.id == PlaylistTrack.song_id)
                .where(PlaylistTrack.playlist_id.in_([p.id for p in playlists]), visible_songs(caller))
                .group_by(PlaylistTrack.playlist_id)
            ).all()
        )
    return [
        {
            "id": playlist.id,
            "title": playlist.title,
            "description": playlist.description,
            "public": playlist.public,
            "collaborative": playlist.collaborative,
            "owner": owners[playlist.owner_id],
            "track_count": track_counts.get(playlist.id, 0),
            "created_at": playlist.created_at,
            "updated_at": playlist.updated_at,
        }
        for playlist in playlists
    ]


def present_detail(session: Session, playlist: Playlist, caller: Caller | None) -> dict[str, Any]:
    """The playlist with its visible tracks in order and its collaborators: six queries at most."""
    rows = session.execute(
        select(PlaylistTrack.position, PlaylistTrack.created_at, Song)
        .join(Song, Song.id == PlaylistTrack.song_id)
        .where(PlaylistTrack.playlist_id == playlist.id, visible_songs(caller))
        .order_by(PlaylistTrack.position, PlaylistTrack.song_id)
    ).all()
    songs = present_songs(session, [row.Song for row in rows], caller)
    (item,) = present_playlists(session, [playlist], caller, track_counts={playlist.id: len(rows)})
    item["tracks"] = [
        {"position": row.position, "added_at": row.created_at, "song": song}
        for row, song in zip(rows, songs, strict=True)
    ]
    hidden = [] if caller is not None and caller.is_admin else [User.blocked == false()]
    item["collaborators"] = [
        {"id": row.id, "name": row.name}
        for row in session.execute(
            select(User.id, User.name)
            .join(PlaylistCollaborator, PlaylistCollaborator.user_id == User.id)
            .where(PlaylistCollaborator.playlist_id == playlist.id, *hidden)
            .order_by(PlaylistCollaborator.created_at, User.id)
        )
    ]
    return item


def list_playlists(
    session: Session,
    *,
    caller: Caller | None,
    limit: int,
    offset: int,
    owner_id: int | None = None,
    q: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Visible playlists, newest first: four queries whatever the page size."""
    stmt = (
        select(Playlist)
        .where(visible_playlists(caller))
        .order_by(Playlist.created_at.desc(), Playlist.id.desc())
    )
    if owner_id is not None:
        stmt = stmt.where(Playlist.owner_id == owner_id)
    if q is not None:
        stmt = stmt.where(text_filter(session, Playlist, q))
    playlists, total = paginate(session, stmt, limit=limit, offset=offset)
    return present_playlists(session, playlists, caller), total


def create(session: Session, *, caller: Caller, fields: dict[str, Any]) -> Playlist:
    playlist = Playlist(owner_id=caller.user_id, **fields)
    session.add(playlist)
    session.flush()
    return playlist


def update(session: Session, *, playlist_id: int, caller: Caller, changes: dict[str, Any]) -> Playlist:
    """Partial update by the owner (collaborators and admins edit tracks or delete, not this)."""
    playlist = get_or_404(session, playlist_id=playlist_id, caller=caller)
    if playlist.owner_id != caller.user_id:
        raise not_owner("change it")
    for field, value in changes.items():
        setattr(playlist, field, value)
    session.flush()
    return playlist


def delete_playlist(session: Session, *, playlist_id: int, caller: Caller) -> None:
    """By the owner or an admin; the database cascades tracks, collaborators and favourites."""
    playlist = get_or_404(session, playlist_id=playlist_id, caller=caller)
    if not privileged(caller, playlist.owner_id):
        raise not_owner("delete it")
    session.execute(delete(Playlist).where(Playlist.id == playlist.id))


def _collaborator_target(session: Session, *, playlist: Playlist, user_id: int, hide_blocked: bool) -> None:
    """404 for an account that does not exist (or is blocked and ``hide_blocked``); 422 for the owner."""
    if user_id == playlist.owner_id:
        raise ValidationFailed(
            "The owner cannot be a collaborator.", details={"user_id": ["This is the playlist's owner."]}
        )
    hidden = [User.blocked == false()] if hide_blocked else []
    if session.scalar(select(User.id).where(User.id == user_id, *hidden)) is None:
        raise NotFound("No such user.")


def add_collaborator(session: Session, *, playlist_id: int, user_id: int, caller: Caller) -> None:
    """Idempotent: adding twice, or two requests at once, leave one collaborator."""
    playlist = get_or_404(session, playlist_id=playlist_id, caller=caller)
    if playlist.owner_id != caller.user_id:
        raise not_owner("manage its collaborators")
    _collaborator_target(session, playlist=playlist, user_id=user_id, hide_blocked=not caller.is_admin)
    try:
        insert_ignore(
            session, PlaylistCollaborator.__table__, {"playlist_id": playlist.id, "user_id": user_id}
        )
    except IntegrityError:
        raise NotFound("No such user.") from None  # deleted since the lookup above


def remove_collaborator(session: Session, *, playlist_id: int, user_id: int, caller: Caller) -> None:
    """Idempotent; the owner removes anyone (a blocked account too), a collaborator themselves (leave)."""
    playlist = get_or_404(session, playlist_id=playlist_id, caller=caller)
    if caller.user_id not in (playlist.owner_id, user_id):
        raise not_owner("manage its collaborators")
    _collaborator_target(session, playlist=playlist, user_id=user_id, hide_blocked=False)
    session.execute(
        delete(PlaylistCollaborator).where(
            PlaylistCollaborator.playlist_id == playlist.id, PlaylistCollaborator.user_id == user_id
        )
    )
