"""Songs: listed and read by anyone who may see them, published by artists, changed by their artist
or an admin. Who sees what is ``functions.music.access``; ``blocked`` is changed only by the admin
routes (``functions.music.admin``), never here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from functions.music.access import song_is_visible, visible_songs
from functions.music.catalogue import genres, tracks
from functions.music.catalogue.files import commit_then_delete
from functions.music.catalogue.permissions import require_artist, require_owner
from functions.music.search.text import text_filter
from spotifiuby.auth import Caller
from spotifiuby.config import Settings
from spotifiuby.db import paginate
from spotifiuby.errors import NotFound, ValidationFailed
from spotifiuby.models import Album, Song


def list_songs(
    session: Session,
    *,
    caller: Caller | None,
    limit: int,
    offset: int,
    q: str | None = None,
    genre_id: int | None = None,
    artist_id: int | None = None,
    album_id: int | None = None,
) -> tuple[list[Song], int]:
    """The songs ``caller`` may see, newest first; the filters combine."""
    stmt = select(Song).where(visible_songs(caller))
    if q is not None:
        stmt = stmt.where(text_filter(session, Song, q))
    for column, value in ((Song.genre_id, genre_id), (Song.artist_id, artist_id), (Song.album_id, album_id)):
        if value is not None:  # 0 included: it filters, and matches nothing
            stmt = stmt.where(column == value)
    stmt = stmt.order_by(Song.created_at.desc(), Song.id.desc())
    return paginate(session, stmt, limit=limit, offset=offset)


def get_visible(session: Session, *, caller: Caller | None, song_id: int) -> Song:
    """The song; 404 when it does not exist or is hidden from ``caller``."""
    song = session.get(Song, song_id)
    album = session.get(Album, song.album_id) if song is not None and song.album_id is not None else None
    if song is None or not song_is_visible(caller, song, album):
        raise NotFound("No such song.")
    return song


def get_owned(session: Session, *, caller: Caller, song_id: int) -> Song:
    """The song, for its artist or an admin; 403 ``not_owner`` for others who can see it."""
    song = get_visible(session, caller=caller, song_id=song_id)
    require_owner(caller, song.artist_id)
    return song


def create(
    session: Session,
    *,
    caller: Caller,
    title: str,
    description: str,
    genre_id: int,
    album_id: int | None,
    min_plan: str,
) -> Song:
    """A song of the caller; in ``album_id`` (one of the caller's albums) it becomes the last track."""
    require_artist(caller)
    check_references(session, artist_id=caller.user_id, genre_id=genre_id, album_id=album_id)
    song = Song(
        artist_id=caller.user_id,
        title=title,
        description=description,
        genre_id=genre_id,
        album_id=album_id,
        track_number=tracks.next_track_number(session, album_id=album_id) if album_id is not None else None,
        min_plan=min_plan,
    )
    session.add(song)
    session.flush()
    return song


def update(session: Session, *, caller: Caller, song_id: int, changes: dict[str, Any]) -> Song:
    """Partial update by the artist or an admin; ``album_id`` moves it (last track of an album of
    the same artist, or ``None``: a single)."""
    song = get_owned(session, caller=caller, song_id=song_id)
    moving = "album_id" in changes and changes["album_id"] != song.album_id
    check_references(
        session,
        artist_id=song.artist_id,
        genre_id=changes.get("genre_id"),
        album_id=changes["album_id"] if moving else None,
        previous_album_id=song.album_id,
    )
    if moving:
        tracks.move(session, song=song, album_id=changes["album_id"])
    for field, value in changes.items():
        if field != "album_id":
            setattr(song, field, value)
    return song


def delete(session: Session, *, caller: Caller, song_id: int, settings: Settings) -> None:
    """Remove the song (the database cascades its playlist entries, favourites and plays), close
    the gap in its album, then its stored audio."""
    song = get_owned(session, caller=caller, song_id=song_id)
    tracks.move(session, song=song, album_id=None)
    audio_key = session.scalar(sql_delete(Song).where(Song.id == song.id).returning(Song.audio_key))
    commit_then_delete(session, settings, [audio_key])


def check_references(
    session: Session,
    *,
    artist_id: int,
    genre_id: int | None = None,
    album_id: int | None = None,
    previous_album_id: int | None = None,
) -> None:
    """422 naming each of ``genre_id`` and ``album_id`` (an album of ``artist_id``) that is unusable.

    Both stay locked until the transaction ends (the album together with ``previous_album_id``, in
    the one lock order of ``tracks``), so what was checked still holds at commit.
    """
    details = {}
    if genre_id is not None and not genres.lock_for_use(session, genre_id=genre_id):
        details["genre_id"] = ["No such genre."]
    if album_id is not None:
        album = tracks.lock_albums(session, (previous_album_id, album_id)).get(album_id)
        if album is None or album.artist_id != artist_id:
            details["album_id"] = ["No such album of this artist."]
    if details:
        raise ValidationFailed(details=details)
