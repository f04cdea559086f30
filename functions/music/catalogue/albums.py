"""Albums and their track lists: an album holds only its artist's songs, a song is in at most one
album, and deleting an album keeps its songs as singles. Numbering and its locks are ``tracks``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from functions.music.access import album_is_visible, visible_albums
from functions.music.catalogue import genres, songs, tracks
from functions.music.catalogue.files import commit_then_delete
from functions.music.catalogue.permissions import require_artist, require_owner
from functions.music.search.text import text_filter
from spotifiuby.auth import Caller
from spotifiuby.config import Settings
from spotifiuby.db import paginate
from spotifiuby.errors import Conflict, Forbidden, NotFound, ValidationFailed
from spotifiuby.models import Album, Song


def list_albums(
    session: Session,
    *,
    caller: Caller | None,
    limit: int,
    offset: int,
    q: str | None = None,
    artist_id: int | None = None,
    genre_id: int | None = None,
) -> tuple[list[Album], int]:
    """The albums ``caller`` may see, newest first; the filters combine."""
    stmt = select(Album).where(visible_albums(caller))
    if q is not None:
        stmt = stmt.where(text_filter(session, Album, q))
    for column, value in ((Album.artist_id, artist_id), (Album.genre_id, genre_id)):
        if value is not None:  # 0 included: it filters, and matches nothing
            stmt = stmt.where(column == value)
    stmt = stmt.order_by(Album.created_at.desc(), Album.id.desc())
    return paginate(session, stmt, limit=limit, offset=offset)


def get_visible(session: Session, *, caller: Caller | None, album_id: int) -> Album:
    """The album; 404 when it does not exist or is blocked and ``caller`` is not its artist or an admin."""
    album = session.get(Album, album_id)
    if album is None or not album_is_visible(caller, album):
        raise NotFound("No such album.")
    return album


def get_owned(session: Session, *, caller: Caller, album_id: int) -> Album:
    """The album, for its artist or an admin; 403 ``not_owner`` for others who can see it."""
    album = get_visible(session, caller=caller, album_id=album_id)
    require_owner(caller, album.artist_id)
    return album


def create(
    session: Session,
    *,
    caller: Caller,
    title: str,
    description: str,
    genre_id: int,
    min_plan: str,
    song_ids: Sequence[int],
) -> Album:
    """An album of the caller; ``song_ids`` (the caller's singles) become its tracks 1..n in order."""
    require_artist(caller)
    details: dict[str, Any] = {}
    if not genres.lock_for_use(session, genre_id=genre_id):
        details["genre_id"] = ["No such genre."]
    if unusable := _unusable_songs(session, artist_id=caller.user_id, song_ids=song_ids):
        details["song_ids"] = unusable
    if details:
        raise ValidationFailed(details=details)
    album = Album(
        artist_id=caller.user_id, title=title, description=description, genre_id=genre_id, min_plan=min_plan
    )
    session.add(album)
    session.flush()
    tracks.fill(session, album_id=album.id, artist_id=caller.user_id, song_ids=song_ids)
    return album


def _unusable_songs(session: Session, *, artist_id: int, song_ids: Sequence[int]) -> dict[int, list[str]]:
    """What is wrong with each song id, by its index in the list (as the schema reports list errors)."""
    if not song_ids:
        return {}
    found = {song.id: song for song in session.scalars(select(Song).where(Song.id.in_(song_ids)))}
    problems = {}
    for index, song_id in enumerate(song_ids):
        song = found.get(song_id)
        if song is None or song.artist_id != artist_id:
            problems[index] = ["No such song of yours."]
        elif song.album_id is not None:
            problems[index] = ["Already in an album."]
    return problems


def update(session: Session, *, caller: Caller, album_id: int, changes: dict[str, Any]) -> Album:
    """Partial update by the artist or an admin (tracks change through ``add_track``/``remove_track``)."""
    album = get_owned(session, caller=caller, album_id=album_id)
    if "genre_id" in changes and not genres.lock_for_use(session, genre_id=changes["genre_id"]):
        raise ValidationFailed(details={"genre_id": ["No such genre."]})
    for field, value in changes.items():
        setattr(album, field, value)
    return album


def delete(session: Session, *, caller: Caller, album_id: int, settings: Settings) -> None:
    """Remove the album (its favourites go by cascade); its tracks become singles; then its cover."""
    album = get_owned(session, caller=caller, album_id=album_id)
    tracks.lock_albums(session, [album.id])
    tracks.empty(session, album_id=album.id)
    cover_key = session.scalar(sql_delete(Album).where(Album.id == album.id).returning(Album.cover_key))
    commit_then_delete(session, settings, [cover_key])


def add_track(session: Session, *, caller: Caller, album_id: int, song_id: int) -> Album:
    """Append a single of the album's artist as the last track; nothing changes if it already is a
    track of this album; a song of another album is 409 ``song_in_other_album``."""
    album = get_owned(session, caller=caller, album_id=album_id)
    song = songs.get_visible(session, caller=caller, song_id=song_id)
    if song.artist_id != album.artist_id:
        raise Forbidden("Only the album artist's own songs go into the album.", code="not_owner")
    if song.album_id == album.id:
        return album
    if song.album_id is not None:
        raise Conflict(
            "The song is in another album; remove it from there first.", code="song_in_other_album"
        )
    tracks.move(session, song=song, album_id=album.id)
    return album


def remove_track(session: Session, *, caller: Caller, album_id: int, song_id: int) -> None:
    """The song becomes a single and the later tracks move up; nothing changes if it is not a track
    of this album."""
    album = get_owned(session, caller=caller, album_id=album_id)
    song = songs.get_visible(session, caller=caller, song_id=song_id)
    if song.album_id == album.id:
        tracks.move(session, song=song, album_id=None)
