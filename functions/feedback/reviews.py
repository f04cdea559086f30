"""Reviews: one text per user per target (a second PUT replaces it), listed newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from functions.feedback.authors import present, with_authors
from functions.feedback.targets import TargetKind, get_target, still_there, upsert
from spotifiuby.auth import Caller
from spotifiuby.db import count
from spotifiuby.models import Review, User


def put(session: Session, *, kind: TargetKind, target_id: int, caller: Caller, text: str) -> dict[str, Any]:
    """Create or replace the caller's review (race-free upsert); keeps its id and ``created_at``."""
    get_target(session, kind=kind, target_id=target_id, caller=caller)
    with still_there(kind):
        review_id = upsert(
            session,
            model=Review,
            kind=kind,
            target_id=target_id,
            user_id=caller.user_id,
            values={"text": text},
        )
    row = session.execute(
        select(Review, User.name)
        .join(User, User.id == Review.user_id)
        .where(Review.id == review_id)
        .execution_options(populate_existing=True)
    ).one()
    return present(row.Review, row.name)


def remove(session: Session, *, kind: TargetKind, target_id: int, caller: Caller) -> None:
    """Delete the caller's review; nothing to delete is fine too."""
    get_target(session, kind=kind, target_id=target_id, caller=caller)
    session.execute(delete(Review).where(Review.user_id == caller.user_id, kind.of(Review) == target_id))


def list_reviews(
    session: Session, *, kind: TargetKind, target_id: int, caller: Caller | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the target's reviews, newest first (``created_at``, then id), with their authors:
    two queries (page with authors joined, total) whatever the page size."""
    get_target(session, kind=kind, target_id=target_id, caller=caller)
    stmt = with_authors(select(Review).where(kind.of(Review) == target_id), Review, caller)
    rows = session.execute(
        stmt.order_by(Review.created_at.desc(), Review.id.desc()).limit(limit).offset(offset)
    ).all()
    items = [present(row.Review, row.author_name) for row in rows]
    return items, count(session, stmt.with_only_columns(Review.id))
