"""Which album a song is in, and its track number there.

An album's tracks are numbered 1..n without gaps. Whoever changes an album's track list first locks
that album row (``SELECT ... FOR UPDATE``; several albums in id order, so two such changes never
deadlock), so one transaction at a time numbers an album. A song changes album only through an
``UPDATE ... WHERE album_id`` naming the album it was read in: of two requests moving one single into
two albums at once, the second finds it no longer a single and gets 409. On SQLite every write
transaction is serialized anyway (``BEGIN IMMEDIATE``), and ``FOR UPDATE`` is not emitted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, case, func, select, update
from sqlalchemy.orm import Session

from spotifiuby.errors import Conflict
from spotifiuby.models import Album, Song


def lock_albums(session: Session, album_ids: Iterable[int | None]) -> dict[int, Album]:
    """The albums among ``album_ids`` that exist, row-locked until the transaction ends."""
    wanted = sorted({album_id for album_id in album_ids if album_id is not None})
    if not wanted:
        return {}
    stmt = (
        select(Album)
        .where(Album.id.in_(wanted))
        .order_by(Album.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {album.id: album for album in session.scalars(stmt)}


def next_track_number(session: Session, *, album_id: int) -> int:
    """The number the next track of a locked album gets."""
    last = session.scalar(select(func.max(Song.track_number)).where(Song.album_id == album_id))
    return (last or 0) + 1


def move(session: Session, *, song: Song, album_id: int | None) -> None:
    """Put ``song`` last in ``album_id`` (``None``: make it a single), closing the gap it leaves.

    The caller has checked that the album belongs to the song's artist. 409
    ``song_in_other_album`` when the song changed album since it was read.
    """
    previous = song.album_id
    if previous == album_id:
        return
    lock_albums(session, (previous, album_id))
    # read again under the locks: nobody renumbers ``previous`` until this transaction ends
    old_number = session.scalar(select(Song.track_number).where(Song.id == song.id))
    number = next_track_number(session, album_id=album_id) if album_id is not None else None
    moved = session.execute(
        update(Song)
        .where(Song.id == song.id, _in_album(previous))
        .values(album_id=album_id, track_number=number)
    ).rowcount
    if moved != 1:
        raise _moved_meanwhile()
    if previous is not None and old_number is not None:
        session.execute(
            update(Song)
            .where(Song.album_id == previous, Song.track_number > old_number)
            .values(track_number=Song.track_number - 1)
        )


def fill(session: Session, *, album_id: int, artist_id: int, song_ids: Sequence[int]) -> None:
    """Make the singles ``song_ids`` of ``artist_id`` tracks 1..n of a new album, in one UPDATE;
    409 ``song_in_other_album`` when one of them went into an album since it was checked."""
    if not song_ids:
        return
    numbers = {song_id: n for n, song_id in enumerate(song_ids, start=1)}
    filled = session.execute(
        update(Song)
        .where(Song.id.in_(song_ids), Song.artist_id == artist_id, Song.album_id.is_(None))
        .values(album_id=album_id, track_number=case(numbers, value=Song.id))
    ).rowcount
    if filled != len(song_ids):
        raise _moved_meanwhile()


def empty(session: Session, *, album_id: int) -> None:
    """Make every track of a locked album a single (before the album is deleted)."""
    session.execute(update(Song).where(Song.album_id == album_id).values(album_id=None, track_number=None))


def _in_album(album_id: int | None) -> ColumnElement[bool]:
    return Song.album_id.is_(None) if album_id is None else Song.album_id == album_id


def _moved_meanwhile() -> Conflict:
    return Conflict("A song was moved to another album meanwhile.", code="song_in_other_album")
