"""A playlist's tracks: add, remove, reorder, with positions kept 0..n-1 in order.

Editors are the owner and, on a collaborative playlist, its collaborators. Every edit first locks
the playlist row, so the edits of one playlist queue (PostgreSQL ``FOR NO KEY UPDATE``; SQLite
serializes writers anyway) and the order each one reads is the order it rewrites. A song appears
once per playlist because the primary key ``(playlist_id, song_id)`` says so: a second add, even a
simultaneous one, fails on it and answers 409. Each edit writes the whole new order in one UPDATE,
which also closes gaps left when a song was deleted (the database cascade removes its rows).

Songs hidden from the editor (blocked) keep their places: they are not listed to them, a reorder
moves only the songs the editor sees, and they are treated as absent when added.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import case, delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from functions.music.access import visible_playlists, visible_songs
from functions.music.playlists import schemas
from functions.music.playlists.service import not_owner
from spotifiuby.auth import Caller
from spotifiuby.db import is_unique_violation, utcnow
from spotifiuby.errors import Conflict, NotFound, ValidationFailed
from spotifiuby.models import Playlist, PlaylistCollaborator, PlaylistTrack, Song

TRACKS = PlaylistTrack.__table__


def _editable(session: Session, *, playlist_id: int, caller: Caller) -> Playlist:
    """The playlist, locked until the transaction ends; 404 if the caller can't see it, else 403."""
    collaborates = exists().where(
        PlaylistCollaborator.playlist_id == Playlist.id, PlaylistCollaborator.user_id == caller.user_id
    )
    row = session.execute(
        select(Playlist, collaborates.label("collaborates"))
        .where(Playlist.id == playlist_id, visible_playlists(caller))
        .with_for_update(of=Playlist, key_share=True)
    ).first()
    if row is None:
        raise NotFound("No such playlist.")
    playlist = row.Playlist
    if playlist.owner_id != caller.user_id and not (playlist.collaborative and row.collaborates):
        raise not_owner("edit its tracks (or a collaborator, when it is collaborative)")
    playlist.updated_at = utcnow()
    return playlist


def _order(session: Session, playlist_id: int) -> list[int]:
    return list(
        session.scalars(
            select(PlaylistTrack.song_id)
            .where(PlaylistTrack.playlist_id == playlist_id)
            .order_by(PlaylistTrack.position, PlaylistTrack.song_id)
        )
    )


def _save_order(session: Session, playlist_id: int, song_ids: list[int]) -> None:
    """Positions 0..n-1 in the order of ``song_ids``, in one UPDATE."""
    if song_ids:
        session.execute(
            update(TRACKS)
            .where(TRACKS.c.playlist_id == playlist_id)
            .values(
                position=case(
                    {song_id: index for index, song_id in enumerate(song_ids)},
                    value=TRACKS.c.song_id,
                    else_=TRACKS.c.position,
                )
            )
        )


def add(
    session: Session, *, playlist_id: int, caller: Caller, song_id: int, position: int | None = None
) -> Playlist:
    """Insert ``song_id`` at ``position`` (default and at most the end); later tracks shift down."""
    playlist = _editable(session, playlist_id=playlist_id, caller=caller)
    if session.scalar(select(Song.id).where(Song.id == song_id, visible_songs(caller))) is None:
        raise ValidationFailed(details={"song_id": ["No such song."]})
    order = _order(session, playlist.id)
    if len(order) >= schemas.MAX_TRACKS:
        raise Conflict(f"A playlist holds at most {schemas.MAX_TRACKS} tracks.", code="playlist_full")
    index = len(order) if position is None else min(position, len(order))
    try:
        session.execute(
            insert(TRACKS).values(
                playlist_id=playlist.id, song_id=song_id, position=index, added_by=caller.user_id
            )
        )
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise Conflict("The song is already in the playlist.", code="already_in_playlist") from None
        raise ValidationFailed(details={"song_id": ["No such song."]}) from None  # deleted meanwhile
    _save_order(session, playlist.id, [*order[:index], song_id, *order[index:]])
    return playlist


def remove(session: Session, *, playlist_id: int, caller: Caller, song_id: int) -> None:
    playlist = _editable(session, playlist_id=playlist_id, caller=caller)
    order = _order(session, playlist.id)
    if song_id not in order:
        raise NotFound("The song is not in the playlist.")
    session.execute(delete(TRACKS).where(TRACKS.c.playlist_id == playlist.id, TRACKS.c.song_id == song_id))
    _save_order(session, playlist.id, [other for other in order if other != song_id])


def reorder(session: Session, *, playlist_id: int, caller: Caller, song_ids: list[int]) -> Playlist:
    """``song_ids`` must list each track the caller sees exactly once; hidden ones keep their places."""
    playlist = _editable(session, playlist_id=playlist_id, caller=caller)
    order = _order(session, playlist.id)
    visible = set(
        session.scalars(
            select(PlaylistTrack.song_id)
            .join(Song, Song.id == PlaylistTrack.song_id)
            .where(PlaylistTrack.playlist_id == playlist.id, visible_songs(caller))
        )
    )
    given = set(song_ids)
    problems = {
        "Missing song ids": [song_id for song_id in order if song_id in visible - given],
        "Song ids not in the playlist": sorted(given - visible),
        "Repeated song ids": sorted(song_id for song_id, n in Counter(song_ids).items() if n > 1),
    }
    messages = [f"{problem}: {', '.join(map(str, ids))}." for problem, ids in problems.items() if ids]
    if messages:
        raise ValidationFailed(
            "song_ids must list every track of the playlist exactly once.", details={"song_ids": messages}
        )
    new_order = iter(song_ids)
    _save_order(
        session, playlist.id, [next(new_order) if song_id in visible else song_id for song_id in order]
    )
    return playlist
