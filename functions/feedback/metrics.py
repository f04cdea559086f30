"""Feedback metrics for admins: ratings, reviews and comments created per UTC day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from spotifiuby.db import as_date, utc_day
from spotifiuby.models import Comment, Rating, Review
from spotifiuby.schemas import midnight

COUNTED = ((Rating, "ratings"), (Review, "reviews"), (Comment, "comments"))


def feedback_metrics(session: Session, *, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Every day of the range (zeros included), counted by ``created_at``: one grouped query per
    table. A replaced rating or review counts on the day it was first given."""
    since, until = midnight(start), midnight(end + dt.timedelta(days=1))
    days = {
        start + dt.timedelta(days=n): {key: 0 for _, key in COUNTED} for n in range((end - start).days + 1)
    }
    for model, key in COUNTED:
        day = utc_day(model.created_at)
        rows = session.execute(
            select(day, func.count()).where(model.created_at >= since, model.created_at < until).group_by(day)
        )
        for date, n in rows:
            days[as_date(date)][key] = n
    return {"start": start, "end": end, "days": [{"date": date, **counts} for date, counts in days.items()]}
