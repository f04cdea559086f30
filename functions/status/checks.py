"""One round of checks: probe every target in parallel, store the results, turn them into state
changes (incidents) and notifications, then deliver the pending notifications.

The probes run outside any transaction; the results are written in one transaction that first
takes the status lock (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL), so two
rounds running at once never both open the same incident. A transition creates one notification
row per webhook, unique per (target, state, transition_at, webhook): it is never notified twice.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import urllib3
from sqlalchemy import or_, select, text, update
from sqlalchemy.orm import Session

from functions.status.config import StatusConfig, Target
from spotifiuby.db import insert_ignore, utcnow
from spotifiuby.models import StatusCheck, StatusIncident, StatusNotification

LOCK_KEY = 0x57A7_0001  # pg_advisory_xact_lock key of the status function
MAX_PARALLEL_PROBES = 16


@dataclass(frozen=True)
class ProbeResult:
    target: str
    ok: bool
    status_code: int | None
    latency_ms: float
    error: str
    checked_at: dt.datetime


def _short(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    return f"{type(reason).__name__}: {reason}"[:200]


def probe(pool: urllib3.PoolManager, target: Target, timeout: float) -> ProbeResult:
    checked_at = utcnow()
    started = time.perf_counter()
    try:
        response = pool.request(
            "GET", target.url, timeout=urllib3.Timeout(total=timeout), retries=False, redirect=False
        )
        status, error = response.status, ""
    except Exception as exc:
        status, error = None, _short(exc)
    latency_ms = round((time.perf_counter() - started) * 1000, 3)
    ok = status is not None and 200 <= status < 300
    if status is not None and not ok:
        error = f"HTTP {status}"
    return ProbeResult(target.name, ok, status, latency_ms, error, checked_at)


def probe_all(pool: urllib3.PoolManager, config: StatusConfig) -> list[ProbeResult]:
    if not config.targets:
        return []
    workers = min(MAX_PARALLEL_PROBES, len(config.targets))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="status-probe") as executor:
        return list(executor.map(lambda t: probe(pool, t, config.timeout), config.targets))


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    # SQLite: the transaction began with BEGIN IMMEDIATE, writers are already serialized


def record(session: Session, config: StatusConfig, results: list[ProbeResult]) -> list[dict[str, Any]]:
    """Store the results and apply the state changes; returns the transitions. Commits."""
    _lock(session)
    transitions = []
    for result in results:
        session.add(
            StatusCheck(
                target=result.target,
                ok=result.ok,
                status_code=result.status_code,
                latency_ms=result.latency_ms,
                error=result.error,
                checked_at=result.checked_at,
            )
        )
    session.flush()
    for result in results:
        change = _transition(session, config, result)
        if change is None:
            continue
        state, at = change
        transitions.append({"target": result.target, "state": state, "at": at.isoformat()})
        if config.webhooks:
            rows = [
                {"target": result.target, "state": state, "transition_at": at, "webhook": url, "attempts": 0}
                for url in config.webhooks
            ]
            insert_ignore(session, StatusNotification.__table__, rows)
    session.commit()
    return transitions


def _transition(
    session: Session, config: StatusConfig, result: ProbeResult
) -> tuple[str, dt.datetime] | None:
    incident = session.scalars(
        select(StatusIncident)
        .where(StatusIncident.target == result.target, StatusIncident.ended_at.is_(None))
        .order_by(StatusIncident.id.desc())
        .limit(1)
    ).first()
    if result.ok:
        if incident is None:
            return None
        incident.ended_at = result.checked_at
        return "up", result.checked_at
    if incident is not None:
        return None
    recent = list(
        session.scalars(
            select(StatusCheck.ok)
            .where(StatusCheck.target == result.target)
            .order_by(StatusCheck.checked_at.desc(), StatusCheck.id.desc())
            .limit(config.failures_to_down)
        )
    )
    if len(recent) < config.failures_to_down or any(recent):
        return None
    session.add(StatusIncident(target=result.target, started_at=result.checked_at))
    return "down", result.checked_at


def payload(notification: StatusNotification) -> dict[str, Any]:
    since = notification.transition_at.isoformat()
    if "discord" in notification.webhook.lower():
        mark = "\U0001f534" if notification.state == "down" else "\U0001f7e2"
        text_ = f"{mark} Spotifiuby: **{notification.target}** is {notification.state} since {since}"
        return {"content": text_}
    return {
        "target": notification.target,
        "state": notification.state,
        "since": since,
        "service": "spotifiuby",
        "notification_id": notification.id,
    }


def deliver_pending(
    session: Session,
    config: StatusConfig,
    pool: urllib3.PoolManager,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, int]:
    """Post every undelivered notification to its (still configured) webhook, a few attempts each.

    A worker first leases the row; the delivery is recorded by a compare-and-set on
    ``delivered_at``. Commits after every step, so no transaction is held during a post."""
    summary = {"delivered": 0, "failed": 0}
    if not config.webhooks:
        return summary
    pending = list(
        session.scalars(
            select(StatusNotification.id)
            .where(
                StatusNotification.delivered_at.is_(None),
                StatusNotification.attempts < config.webhook_max_attempts,
                StatusNotification.webhook.in_(config.webhooks),
            )
            .order_by(StatusNotification.id)
        )
    )
    session.commit()
    backoffs = config.webhook_backoff * 2**config.webhook_attempts
    lease = config.webhook_attempts * config.timeout + backoffs + 30
    table = StatusNotification
    for notification_id in pending:
        now = utcnow()
        claimed = session.execute(
            update(table)
            .where(
                table.id == notification_id,
                table.delivered_at.is_(None),
                or_(table.lease_until.is_(None), table.lease_until < now),
            )
            .values(lease_until=now + dt.timedelta(seconds=lease))
        ).rowcount
        session.commit()
        if claimed != 1:
            continue
        notification = session.get(table, notification_id)
        assert notification is not None
        body = json.dumps(payload(notification)).encode()
        delivered = False
        for attempt in range(config.webhook_attempts):
            if attempt:
                sleep(config.webhook_backoff * 2 ** (attempt - 1))
            error = _post(pool, notification.webhook, body, config.timeout)
            session.execute(
                update(table)
                .where(table.id == notification_id)
                .values(attempts=table.attempts + 1, last_error=error)
            )
            session.commit()
            if not error:
                delivered = True
                break
        values: dict[str, Any] = {"lease_until": None}
        where = [table.id == notification_id]
        if delivered:
            values["delivered_at"] = utcnow()
            where.append(table.delivered_at.is_(None))
        session.execute(update(table).where(*where).values(**values))
        session.commit()
        summary["delivered" if delivered else "failed"] += 1
    return summary


def _post(pool: urllib3.PoolManager, url: str, body: bytes, timeout: float) -> str:
    """Post one notification; the error, or an empty string on a 2xx answer."""
    try:
        response = pool.request(
            "POST",
            url,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": "spotifiuby-status"},
            timeout=urllib3.Timeout(total=timeout),
            retries=False,
            redirect=False,
        )
    except Exception as exc:
        return _short(exc)
    return "" if 200 <= response.status < 300 else f"HTTP {response.status}"


def run(session: Session, config: StatusConfig, pool: urllib3.PoolManager) -> dict[str, Any]:
    """One whole round; the JSON summary of POST /internal/check."""
    results = probe_all(pool, config)
    session.commit()  # nothing of the request may be open while we take the lock
    transitions = record(session, config, results)
    notifications = deliver_pending(session, config, pool)
    return {
        "checked": [
            {
                "target": r.target,
                "ok": r.ok,
                "status_code": r.status_code,
                "latency_ms": r.latency_ms,
                "error": r.error or None,
            }
            for r in results
        ],
        "transitions": transitions,
        "notifications": notifications,
    }
