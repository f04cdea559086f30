"""The figures of GET /status: per target its state, uptime over 24 h / 7 d / 30 d, latency over
24 h and recent incidents.

Uptime and average latency are computed in SQL (one query for all targets); p95 is taken in Python
over one target's last 24 h of latencies, which the check interval bounds (2880 rows at 30 s).
Only checks that got an HTTP answer count towards latency (a timeout is not a response time).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from functions.status.config import StatusConfig
from spotifiuby.db import utcnow
from spotifiuby.models import StatusCheck, StatusIncident

WINDOWS = {"24h": dt.timedelta(hours=24), "7d": dt.timedelta(days=7), "30d": dt.timedelta(days=30)}
RECENT_INCIDENTS = 10


def p95(values: list[float]) -> float | None:
    """Nearest-rank 95th percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _percent(ok: int | None, total: int | None) -> float | None:
    return round(100.0 * (ok or 0) / total, 2) if total else None


def status(session: Session, config: StatusConfig, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    names = [t.name for t in config.targets]
    since = {key: now - delta for key, delta in WINDOWS.items()}
    columns = []
    for key in WINDOWS:
        recent = StatusCheck.checked_at >= since[key]
        columns.append(func.sum(case((and_(recent, StatusCheck.ok), 1), else_=0)).label(f"ok_{key}"))
        columns.append(func.sum(case((recent, 1), else_=0)).label(f"total_{key}"))
    day_answered = and_(StatusCheck.checked_at >= since["24h"], StatusCheck.status_code.is_not(None))
    columns.append(func.avg(case((day_answered, StatusCheck.latency_ms))).label("avg_latency"))
    columns.append(func.max(StatusCheck.checked_at).label("last_checked_at"))
    rows = {
        row.target: row
        for row in session.execute(
            select(StatusCheck.target, *columns)
            .where(StatusCheck.target.in_(names), StatusCheck.checked_at >= since["30d"])
            .group_by(StatusCheck.target)
        )
    }
    open_incidents = set(
        session.scalars(
            select(StatusIncident.target).where(
                StatusIncident.target.in_(names), StatusIncident.ended_at.is_(None)
            )
        )
    )
    targets = []
    for name in names:
        row = rows.get(name)
        last = session.execute(
            select(StatusCheck.ok, StatusCheck.status_code, StatusCheck.latency_ms, StatusCheck.error)
            .where(StatusCheck.target == name)
            .order_by(StatusCheck.checked_at.desc(), StatusCheck.id.desc())
            .limit(1)
        ).first()
        latencies = list(
            session.scalars(
                select(StatusCheck.latency_ms).where(
                    StatusCheck.target == name,
                    StatusCheck.checked_at >= since["24h"],
                    StatusCheck.status_code.is_not(None),
                )
            )
        )
        incidents = session.scalars(
            select(StatusIncident)
            .where(StatusIncident.target == name)
            .order_by(StatusIncident.started_at.desc(), StatusIncident.id.desc())
            .limit(RECENT_INCIDENTS)
        )
        state = "down" if name in open_incidents else ("up" if last is not None else "unknown")
        avg = row.avg_latency if row is not None else None
        targets.append(
            {
                "name": name,
                "state": state,
                "uptime": {
                    key: _percent(getattr(row, f"ok_{key}"), getattr(row, f"total_{key}"))
                    if row is not None
                    else None
                    for key in WINDOWS
                },
                "latency_ms": {
                    "avg": round(float(avg), 3) if avg is not None else None,
                    "p95": p95(latencies),
                },
                "last_check": None
                if last is None or row is None
                else {
                    "checked_at": _iso(row.last_checked_at),
                    "ok": bool(last.ok),
                    "status_code": last.status_code,
                    "latency_ms": last.latency_ms,
                    "error": last.error or None,
                },
                "incidents": [
                    {
                        "started_at": i.started_at.isoformat(),
                        "ended_at": i.ended_at.isoformat() if i.ended_at else None,
                        "duration_s": round(((i.ended_at or now) - i.started_at).total_seconds(), 3),
                        "ongoing": i.ended_at is None,
                    }
                    for i in incidents
                ],
            }
        )
    return {"generated_at": now.isoformat(), "targets": targets}


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite's max() gives back the stored text
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def series(session: Session, name: str, now: dt.datetime) -> list[tuple[dt.datetime, float, bool]]:
    """The last 24 h of one target's checks, oldest first, for the chart."""
    rows = session.execute(
        select(StatusCheck.checked_at, StatusCheck.latency_ms, StatusCheck.ok)
        .where(StatusCheck.target == name, StatusCheck.checked_at >= now - WINDOWS["24h"])
        .order_by(StatusCheck.checked_at, StatusCheck.id)
    )
    return [(row.checked_at, float(row.latency_ms), bool(row.ok)) for row in rows]


__all__ = ["WINDOWS", "p95", "series", "status"]
