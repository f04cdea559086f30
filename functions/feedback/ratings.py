"""Ratings: one integer 1 to 5 per user per target, and the summary of a target's ratings."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from functions.feedback.targets import TargetKind, get_target, still_there, upsert
from spotifiuby.auth import Caller
from spotifiuby.errors import NotFound
from spotifiuby.models import Rating

VALUES = range(1, 6)


def put(session: Session, *, kind: TargetKind, target_id: int, caller: Caller, value: int) -> Rating:
    """Create or replace the caller's rating (race-free upsert)."""
    get_target(session, kind=kind, target_id=target_id, caller=caller)
    with still_there(kind):
        rating_id = upsert(
            session,
            model=Rating,
            kind=kind,
            target_id=target_id,
            user_id=caller.user_id,
            values={"value": value},
        )
    return session.get(Rating, rating_id, populate_existing=True)


def get_own(session: Session, *, kind: TargetKind, target_id: int, caller: Caller) -> Rating:
    get_target(session, kind=kind, target_id=target_id, caller=caller)
    rating = session.scalar(
        select(Rating).where(Rating.user_id == caller.user_id, kind.of(Rating) == target_id)
    )
    if rating is None:
        raise NotFound("You have not rated this.")
    return rating


def remove(session: Session, *, kind: TargetKind, target_id: int, caller: Caller) -> None:
    """Delete the caller's rating; nothing to delete is fine too (the outcome is the same)."""
    get_target(session, kind=kind, target_id=target_id, caller=caller)
    session.execute(delete(Rating).where(Rating.user_id == caller.user_id, kind.of(Rating) == target_id))


def summary(session: Session, *, kind: TargetKind, target_id: int, caller: Caller | None) -> dict[str, Any]:
    """``{count, average, histogram}`` from one grouped query; ``average`` is null without ratings."""
    get_target(session, kind=kind, target_id=target_id, caller=caller)
    counts = dict(
        session.execute(
            select(Rating.value, func.count()).where(kind.of(Rating) == target_id).group_by(Rating.value)
        ).all()
    )
    return summarize(counts)


def summarize(counts: dict[int, int]) -> dict[str, Any]:
    histogram = {str(value): counts.get(value, 0) for value in VALUES}
    count = sum(histogram.values())
    average = None
    if count:
        total = sum(value * n for value, n in counts.items())
        average = float((Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), ROUND_HALF_UP))
    return {"count": count, "average": average, "histogram": histogram}
