"""Tables owned by the status function: every check of every target, the incidents they reveal
and the webhook notifications of each change of state.

A notification row is unique per (target, state, transition_at, webhook): a transition is
notified at most once per webhook, whatever retries or concurrent checks do; ``delivered_at`` is
set by a compare-and-set and a worker first leases the row (``lease_until``), so two workers
never post the same notification at once nor both count a delivery.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from spotifiuby.db import Base, UTCDateTime, utcnow

NOTIFICATION_STATES = ("down", "up")


class StatusCheck(Base):
    """One probe of one target."""

    __tablename__ = "status_checks"
    __table_args__ = (
        Index("ix_status_checks_target_checked_at", "target", "checked_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[float] = mapped_column(Float)
    error: Mapped[str] = mapped_column(String(200), default="")
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatusIncident(Base):
    """A period during which a target was down; open while ``ended_at`` is NULL."""

    __tablename__ = "status_incidents"
    __table_args__ = (
        Index("ix_status_incidents_target_started_at", "target", "started_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatusNotification(Base):
    """One webhook post announcing one change of state of one target."""

    __tablename__ = "status_notifications"
    __table_args__ = (
        CheckConstraint("state IN ('down', 'up')", name="state"),
        UniqueConstraint(
            "target", "state", "transition_at", "webhook", name="uq_status_notifications_transition"
        ),
        Index("ix_status_notifications_delivered_at", "delivered_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8))
    transition_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    webhook: Mapped[str] = mapped_column(String(500))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # a delivering worker holds the row until then: another worker never posts it meanwhile
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
