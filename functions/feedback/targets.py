"""What feedback is given on: the "target kinds" table, and finding a target the caller may see.

Songs and albums are handled by one piece of code parametrized by ``TargetKind``: the model, the
feedback tables' column naming it, and the music function's visibility rule (``functions.music.access``,
reused, not copied). A target that does not exist or that the caller may not see is 404 alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from functions.music.access import visible_albums, visible_songs
from spotifiuby.auth import Caller
from spotifiuby.db import is_foreign_key_violation, upsert_insert, utcnow
from spotifiuby.errors import NotFound
from spotifiuby.models import Album, Song


@dataclass(frozen=True)
class TargetKind:
    name: str  # the path segment: "songs" or "albums"
    model: type[Song] | type[Album]
    column: str  # the column of ratings, reviews and comments naming a target of this kind
    visible: Callable[[Caller | None], ColumnElement[bool]]

    @property
    def noun(self) -> str:
        return self.name.removesuffix("s")

    def of(self, feedback_model: Any) -> Any:
        """The column of ``feedback_model`` (Rating, Review, Comment) naming this kind of target."""
        return getattr(feedback_model, self.column)


SONGS = TargetKind("songs", Song, "song_id", visible_songs)
ALBUMS = TargetKind("albums", Album, "album_id", visible_albums)
KINDS = (SONGS, ALBUMS)


def kind_of(row: Any) -> tuple[TargetKind, int]:
    """The kind and id of the target a feedback row names (exactly one column is set)."""
    for kind in KINDS:
        target_id = getattr(row, kind.column)
        if target_id is not None:
            return kind, target_id
    raise AssertionError("feedback row without a target")  # the one_target check forbids it


def get_target(session: Session, *, kind: TargetKind, target_id: int, caller: Caller | None) -> Any:
    """The song or album, in one query; 404 when it does not exist or is hidden from ``caller``."""
    target = session.scalar(select(kind.model).where(kind.model.id == target_id, kind.visible(caller)))
    if target is None:
        raise NotFound(f"No such {kind.noun}.")
    return target


def upsert(
    session: Session, *, model: Any, kind: TargetKind, target_id: int, user_id: int, values: dict[str, Any]
) -> int:
    """Create or replace the caller's one row of ``model`` on the target; returns its id.

    ``INSERT ... ON CONFLICT (user_id, <target column>) DO UPDATE``: the unique constraint decides,
    so simultaneous first PUTs never duplicate nor fail (SPEC section 2, "Concurrency").
    """
    now = utcnow()
    stmt = upsert_insert(session, model).values(
        user_id=user_id, **{kind.column: target_id}, **values, created_at=now, updated_at=now
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[model.user_id, kind.of(model)],
        set_={**values, "updated_at": now},
    ).returning(model.id)
    return session.scalar(stmt)


@contextmanager
def still_there(kind: TargetKind) -> Iterator[None]:
    """A write naming a target deleted since it was read (a foreign key violation) is 404, not 500."""
    try:
        yield
    except DBAPIError as exc:
        if is_foreign_key_violation(exc):
            raise NotFound(f"No such {kind.noun}.") from None
        raise
