"""Moderation of songs and albums, and the content metrics.

Only these admin routes change ``blocked``: the owners' own edits cannot (their bodies have no such
field). Every moderation action is logged (admin, item, change, reason); the reason of a block is
also kept on the item (``blocked_reason``) and cleared when it is unblocked.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from spotifiuby.db import as_date, utc_day
from spotifiuby.errors import NotFound
from spotifiuby.models import Album, Genre, Play, Song, User
from spotifiuby.models.music import PLANS
from spotifiuby.observability import log
from spotifiuby.schemas import midnight

logger = logging.getLogger("spotifiuby.music.admin")

MOST_PLAYED = 10


def moderate(
    session: Session,
    *,
    admin_id: int,
    model: type[Song] | type[Album],
    item_id: int,
    blocked: bool,
    reason: str | None = None,
) -> Song | Album:
    """Block or unblock a song or an album."""
    item = session.get(model, item_id)
    if item is None:
        raise NotFound(f"No such {model.__name__.lower()}.")
    item.blocked = blocked
    item.blocked_reason = reason if blocked else None
    log(
        logger,
        logging.INFO,
        f"{model.__name__.lower()} moderated",
        admin_id=admin_id,
        item_id=item_id,
        blocked=blocked,
        reason=reason,
    )
    return item


def content_metrics(session: Session, *, start: dt.date, end: dt.date) -> dict[str, Any]:
    """New songs, new albums and plays per UTC day of the range (every day, zeros included); the
    catalogue as it is now by genre and by plan; the songs played most in the range."""
    since, until = midnight(start), midnight(end + dt.timedelta(days=1))
    days = {
        start + dt.timedelta(days=n): {"new_songs": 0, "new_albums": 0, "plays": 0}
        for n in range((end - start).days + 1)
    }
    for model, key in ((Song, "new_songs"), (Album, "new_albums"), (Play, "plays")):
        day = utc_day(model.created_at)
        rows = session.execute(
            select(day, func.count()).where(model.created_at >= since, model.created_at < until).group_by(day)
        )
        for date, n in rows:
            days[as_date(date)][key] = n
    return {
        "start": start,
        "end": end,
        "days": [{"date": date, **counts} for date, counts in days.items()],
        "by_genre": _by_genre(session),
        "by_plan": _by_plan(session),
        "most_played": _most_played(session, since=since, until=until),
    }


def _counts_by(session: Session, column: str) -> dict[str, dict[Any, int]]:
    """Songs and albums per value of ``column`` (both tables have it): two queries."""
    counts = {}
    for name, model in (("songs", Song), ("albums", Album)):
        grouped = getattr(model, column)
        counts[name] = dict(session.execute(select(grouped, func.count()).group_by(grouped)).all())
    return counts


def _by_genre(session: Session) -> list[dict[str, Any]]:
    """Every genre, by name, with how many songs and albums it has."""
    counts = _counts_by(session, "genre_id")
    genres = session.execute(select(Genre.id, Genre.name).order_by(Genre.name_key, Genre.id))
    return [
        {
            "genre": {"id": genre.id, "name": genre.name},
            "songs": counts["songs"].get(genre.id, 0),
            "albums": counts["albums"].get(genre.id, 0),
        }
        for genre in genres
    ]


def _by_plan(session: Session) -> list[dict[str, Any]]:
    """Songs and albums by their own ``min_plan``, every plan in order."""
    counts = _counts_by(session, "min_plan")
    return [
        {"plan": plan, "songs": counts["songs"].get(plan, 0), "albums": counts["albums"].get(plan, 0)}
        for plan in PLANS
    ]


def _most_played(session: Session, *, since: dt.datetime, until: dt.datetime) -> list[dict[str, Any]]:
    """Up to ten songs by plays in the range (then by id), blocked ones included."""
    plays = func.count(Play.id).label("plays")
    rows = session.execute(
        select(Song.id, Song.title, User.id.label("artist_id"), User.name.label("artist_name"), plays)
        .join(Play, Play.song_id == Song.id)
        .join(User, User.id == Song.artist_id)
        .where(Play.created_at >= since, Play.created_at < until)
        .group_by(Song.id, Song.title, User.id, User.name)
        .order_by(plays.desc(), Song.id)
        .limit(MOST_PLAYED)
    )
    return [
        {
            "id": row.id,
            "title": row.title,
            "artist": {"id": row.artist_id, "name": row.artist_name},
            "plays": row.plays,
        }
        for row in rows
    ]
