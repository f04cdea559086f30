"""Audio, covers and plays: who may fetch or replace which file, counting listens, play history.

Replacing a file never leaves a row pointing at a missing or half-written file: the body goes to a
new key first (no database transaction is held while it arrives), then the row is locked, pointed
at the new key and committed, and only then is the previous file deleted. A failure before the
commit deletes the new file instead.

A listen is counted when a GET answer includes the file's first byte, unless a listen of the same
song by the same user was counted within ``REPEAT_WINDOW`` (a player probing, then requesting
again, or seeking back to the start). Counting inserts a ``plays`` row and increments
``songs.play_count`` in SQL, in the request's transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from functions.music.access import album_is_visible, can_play, effective_plan, song_is_visible, visible_songs
from functions.music.catalogue.files import commit_then_delete
from functions.music.media.audio import duration_seconds
from functions.music.media.storage import TooLarge, storage_for
from functions.music.media.transfer import MediaFile, Upload, too_large
from functions.music.present import present_songs
from spotifiuby.auth import Caller
from spotifiuby.config import Settings
from spotifiuby.db import utcnow
from spotifiuby.errors import Forbidden, NotFound
from spotifiuby.models import Album, Play, Song

REPEAT_WINDOW = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class Slot:
    """Where one kind of media lives: the table, its column prefix and the folder of its keys."""

    model: type[Song] | type[Album]
    column: str  # "audio": audio_key, audio_content_type, audio_size, audio_etag
    folder: str
    noun: str


AUDIO = Slot(Song, "audio", "songs", "song")
COVER = Slot(Album, "cover", "albums", "album")


def media_file(row: Song | Album, slot: Slot) -> MediaFile | None:
    key = getattr(row, f"{slot.column}_key")
    if key is None:
        return None
    return MediaFile(
        key=key,
        content_type=getattr(row, f"{slot.column}_content_type"),
        size=getattr(row, f"{slot.column}_size"),
        etag=getattr(row, f"{slot.column}_etag"),
    )


def get_song(session: Session, *, song_id: int, caller: Caller | None) -> tuple[Song, Album | None]:
    """The song and its album; 404 when it does not exist or is hidden from ``caller``."""
    row = session.execute(
        select(Song, Album).outerjoin(Album, Album.id == Song.album_id).where(Song.id == song_id)
    ).first()
    if row is None or not song_is_visible(caller, row.Song, row.Album):
        raise NotFound("No such song.")
    return row.Song, row.Album


def get_album(session: Session, *, album_id: int, caller: Caller | None) -> Album:
    """The album; 404 when it does not exist or is hidden from ``caller``."""
    album = session.get(Album, album_id)
    if album is None or not album_is_visible(caller, album):
        raise NotFound("No such album.")
    return album


def require_owner(row: Song | Album, caller: Caller) -> None:
    """Only the artist who owns the content replaces its files, administrators included."""
    if row.artist_id != caller.user_id:
        raise Forbidden("Only the artist who owns this may upload its files.", code="not_owner")


def replace_audio(
    session: Session, *, settings: Settings, song_id: int, caller: Caller, upload: Upload
) -> Song:
    """Store ``upload`` as the song's audio, with its duration when the format tells it."""
    return _replace(session, settings, AUDIO, song_id, caller, upload)


def replace_cover(
    session: Session, *, settings: Settings, album_id: int, caller: Caller, upload: Upload
) -> Album:
    return _replace(session, settings, COVER, album_id, caller, upload)


def _replace(
    session: Session, settings: Settings, slot: Slot, row_id: int, caller: Caller, upload: Upload
) -> Any:
    """``replace_audio`` and ``replace_cover``: the replaced row."""
    storage = storage_for(settings)
    session.commit()  # no transaction (on SQLite: no write lock) held while the body arrives
    body = upload.body()
    key = f"{slot.folder}/{row_id}/{uuid.uuid4().hex}"
    try:
        stored = storage.put(key, body, content_type=upload.media_type, max_bytes=upload.max_bytes)
    except TooLarge:
        raise too_large(upload.max_bytes) from None
    try:
        fields = {
            f"{slot.column}_key": key,
            f"{slot.column}_content_type": upload.media_type,
            f"{slot.column}_size": stored.size,
            f"{slot.column}_etag": stored.etag,
        }
        if slot is AUDIO:
            fields["duration_seconds"] = duration_seconds(storage, key, stored.size, upload.format.name)
        row = session.scalar(
            select(slot.model)
            .where(slot.model.id == row_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if row is None:  # deleted while the body was arriving
            raise NotFound(f"No such {slot.noun}.")
        require_owner(row, caller)
        previous = getattr(row, f"{slot.column}_key")
        for name, value in fields.items():
            setattr(row, name, value)
        commit_then_delete(session, settings, [previous])
    except BaseException:
        session.rollback()
        storage.delete(key)
        raise
    return row


def get_audio(session: Session, *, song_id: int, caller: Caller) -> MediaFile:
    """The song's audio file; 404 when hidden or not uploaded, 403 ``plan_required`` above the
    caller's plan."""
    song, album = get_song(session, song_id=song_id, caller=caller)
    media = media_file(song, AUDIO)
    if media is None:
        raise NotFound("This song has no audio yet.")
    if not can_play(caller, song, album):
        plan = effective_plan(song, album)
        raise Forbidden(
            f"Playing this song needs the {plan} plan.", code="plan_required", details={"min_plan": plan}
        )
    return media


def get_cover(session: Session, *, album_id: int, caller: Caller | None) -> tuple[MediaFile, bool]:
    """The album's cover and whether it is public (shared caches may keep it); 404 when the album is
    hidden or has no cover."""
    album = get_album(session, album_id=album_id, caller=caller)
    media = media_file(album, COVER)
    if media is None:
        raise NotFound("This album has no cover.")
    return media, album_is_visible(None, album)


def record_play(session: Session, *, song_id: int, user_id: int) -> bool:
    """Count a listen of the song by the user, unless one was counted within ``REPEAT_WINDOW``."""
    # the song's row lock orders a listener's concurrent first requests (the second then sees the
    # first's play); the increment below takes that lock anyway
    session.execute(select(Song.id).where(Song.id == song_id).with_for_update())
    recent = session.scalar(
        select(Play.id)
        .where(Play.user_id == user_id, Play.song_id == song_id, Play.created_at >= utcnow() - REPEAT_WINDOW)
        .limit(1)
    )
    if recent is not None:
        return False
    session.execute(insert(Play).values(song_id=song_id, user_id=user_id, created_at=utcnow()))
    session.execute(
        update(Song)
        .where(Song.id == song_id)
        # updated_at says when the content changed, not when it was last played
        .values(play_count=Song.play_count + 1, updated_at=Song.updated_at)
        .execution_options(synchronize_session=False)
    )
    return True


def list_history(
    session: Session, *, caller: Caller, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The caller's plays, newest first, of songs still visible to them: a fixed number of queries."""
    conditions = (Play.user_id == caller.user_id, visible_songs(caller))
    rows = session.execute(
        select(Play.created_at, Song)
        .join(Song, Song.id == Play.song_id)
        .where(*conditions)
        .order_by(Play.created_at.desc(), Play.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    total = session.scalar(
        select(func.count()).select_from(Play).join(Song, Song.id == Play.song_id).where(*conditions)
    )
    songs = present_songs(session, [row.Song for row in rows], caller)
    return [
        {"played_at": row.created_at, "song": song} for row, song in zip(rows, songs, strict=True)
    ], total or 0
