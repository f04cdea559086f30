"""Genres: listed by anyone, managed by admins, names unique whatever their letter case.

The unique constraint on ``name_key`` (the casefolded name) decides between concurrent creates or
renames; a genre used by a song or an album cannot be deleted (the foreign keys RESTRICT), and
content creation takes a key-share lock on the genre it names, so a delete racing it either waits
and fails (409) or wins and the creation sees no genre (422).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import delete as sql_delete
from sqlalchemy import exists, or_, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from spotifiuby.db import is_foreign_key_violation, is_unique_violation, paginate
from spotifiuby.errors import Conflict, NotFound
from spotifiuby.models import Album, Genre, Song


def list_genres(session: Session, *, limit: int, offset: int) -> tuple[list[Genre], int]:
    """By name (case-insensitively), then id."""
    stmt = select(Genre).order_by(Genre.name_key, Genre.id)
    return paginate(session, stmt, limit=limit, offset=offset)


def get_or_404(session: Session, *, genre_id: int) -> Genre:
    genre = session.get(Genre, genre_id)
    if genre is None:
        raise NotFound("No such genre.")
    return genre


def lock_for_use(session: Session, *, genre_id: int) -> bool:
    """Whether the genre a song or album is about to name exists; it is then key-share locked until
    the transaction ends, so an admin deleting it meanwhile waits (and then finds it in use)."""
    found = session.scalar(
        select(Genre.id).where(Genre.id == genre_id).with_for_update(read=True, key_share=True)
    )
    return found is not None


def create(session: Session, *, name: str) -> Genre:
    genre = Genre(name=name, name_key=name.casefold())
    with _unique_name(session):
        session.add(genre)
    return genre


def update(session: Session, *, genre_id: int, name: str) -> Genre:
    """Rename; changing only the letter case of the genre's own name is allowed."""
    genre = get_or_404(session, genre_id=genre_id)
    with _unique_name(session):
        genre.name, genre.name_key = name, name.casefold()
    return genre


@contextmanager
def _unique_name(session: Session) -> Iterator[None]:
    """The changes made inside are flushed in a savepoint; a taken name is 409 ``genre_exists``."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise Conflict("A genre with this name already exists.", code="genre_exists") from None
        raise


def delete(session: Session, *, genre_id: int) -> None:
    """409 ``genre_in_use`` while a song or an album names it, also when one is created meanwhile."""
    get_or_404(session, genre_id=genre_id)
    in_use = select(
        or_(exists().where(Song.genre_id == genre_id), exists().where(Album.genre_id == genre_id))
    )
    if session.scalar(in_use):
        raise _in_use()
    try:
        with session.begin_nested():
            session.execute(sql_delete(Genre).where(Genre.id == genre_id))
    except DBAPIError as exc:
        if is_foreign_key_violation(exc):  # a song or album named it since the check above
            raise _in_use() from None
        raise


def _in_use() -> Conflict:
    return Conflict("Songs or albums use this genre.", code="genre_in_use")
