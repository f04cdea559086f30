"""SQL helpers that must agree on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from spotifiuby.db import as_date, insert_ignore, utc_day
from spotifiuby.models import Follow, UserEvent
from tests.factories import create_user


def test_utc_day_groups_by_the_utc_calendar_day(db):
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    # 00:30 on 2 March in UTC, though still 1 March in Buenos Aires
    early = dt.datetime(2026, 3, 1, 21, 30, tzinfo=dt.timezone(dt.timedelta(hours=-3)))
    with db.session() as session:
        session.add_all([UserEvent(kind="login", created_at=late), UserEvent(kind="login", created_at=early)])
    with db.session() as session:
        day = utc_day(UserEvent.created_at)
        rows = session.execute(select(day, func.count()).group_by(day).order_by(day)).all()
    assert [(as_date(d), n) for d, n in rows] == [(dt.date(2026, 3, 1), 1), (dt.date(2026, 3, 2), 1)]


def test_timestamps_come_back_aware_in_utc(db):
    user = create_user(db)
    with db.session() as session:
        created = (
            session.scalar(select(UserEvent.created_at).limit(1))
            or session.get(type(user), user.id).created_at
        )
    assert created.tzinfo is not None and created.utcoffset() == dt.timedelta(0)


def test_insert_ignore_skips_duplicates(db):
    a, b = create_user(db), create_user(db)
    with db.session() as session:
        assert insert_ignore(session, Follow.__table__, {"follower_id": a.id, "followed_id": b.id}) == 1
        assert insert_ignore(session, Follow.__table__, {"follower_id": a.id, "followed_id": b.id}) == 0
        assert session.scalar(select(func.count()).select_from(Follow)) == 1
