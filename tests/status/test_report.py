"""GET /status figures over a known sequence of checks, and the self-contained HTML page."""

from __future__ import annotations

import datetime as dt
import re

from spotifiuby.db import utcnow
from spotifiuby.models import StatusCheck, StatusIncident
from tests.status.servers import Target

TARGETS = "known=http://127.0.0.1:9/ready,fresh=http://127.0.0.1:9/ready"


def add_checks(db, target: str, rows: list[tuple[dt.timedelta, bool, int | None, float]]) -> None:
    now = utcnow()
    with db.session() as session:
        for age, ok, status_code, latency in rows:
            session.add(
                StatusCheck(
                    target=target,
                    ok=ok,
                    status_code=status_code,
                    latency_ms=latency,
                    error="" if ok else "HTTP 500",
                    checked_at=now - age,
                )
            )


def test_uptime_and_latency_for_a_known_sequence(make_client, db):
    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    add_checks(
        db,
        "known",
        [
            # the last 24 h: 3 up of 5; latencies of answered checks 10, 20, 30, 40 (the timeout excluded)
            (1 * hour, True, 200, 10.0),
            (2 * hour, True, 200, 20.0),
            (3 * hour, True, 200, 30.0),
            (4 * hour, False, 500, 40.0),
            (5 * hour, False, None, 5000.0),
            # 1 to 7 days ago: 5 down -> 7 d: 3 of 10
            *[(2 * day + i * hour, False, 500, 1.0) for i in range(5)],
            # 7 to 30 days ago: 5 up -> 30 d: 8 of 15
            *[(10 * day + i * hour, True, 200, 1.0) for i in range(5)],
            # older than 30 days: ignored
            *[(40 * day + i * hour, False, 500, 1.0) for i in range(7)],
        ],
    )
    now = utcnow()
    with db.session() as session:
        session.add(StatusIncident(target="known", started_at=now - 3 * day, ended_at=now - 3 * day + hour))
        session.add(StatusIncident(target="known", started_at=now - 40 * day, ended_at=now - 39 * day))
    client = make_client("status", STATUS_TARGETS=TARGETS)
    response = client.get("/status")
    assert response.status_code == 200
    report = {t["name"]: t for t in response.get_json()["targets"]}
    known = report["known"]
    assert known["state"] == "up"  # the last check succeeded and no incident is open
    assert known["uptime"] == {"24h": 60.0, "7d": 30.0, "30d": 53.33}
    assert known["latency_ms"] == {"avg": 25.0, "p95": 40.0}
    assert known["last_check"]["ok"] is True and known["last_check"]["latency_ms"] == 10.0
    assert [i["duration_s"] for i in known["incidents"]] == [3600.0, 86400.0]  # most recent first
    assert report["fresh"] == {
        "name": "fresh",
        "state": "unknown",
        "uptime": {"24h": None, "7d": None, "30d": None},
        "latency_ms": {"avg": None, "p95": None},
        "last_check": None,
        "incidents": [],
    }


def test_an_open_incident_means_down(make_client, db):
    add_checks(db, "known", [(dt.timedelta(minutes=1), False, None, 5.0)])
    with db.session() as session:
        session.add(StatusIncident(target="known", started_at=utcnow() - dt.timedelta(minutes=5)))
    client = make_client("status", STATUS_TARGETS=TARGETS)
    known = client.get("/status").get_json()["targets"][0]
    assert known["state"] == "down"
    assert known["incidents"][0]["ongoing"] is True and known["incidents"][0]["ended_at"] is None


def test_status_page_is_self_contained_html_with_svg_charts(make_client, db, target: Target, flaky: Target):
    client = make_client(
        "status", STATUS_TARGETS=f"api={target.url('/ready')},flaky={flaky.url('/ready')}", STATUS_TIMEOUT="2"
    )
    for status in (200, 200, 500, 200):
        flaky.status = status
        assert client.post("/internal/check").status_code == 200
    response = client.get("/status/page")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert html.startswith("<!doctype html>")
    assert html.count("<svg") == 2 and html.count("<polyline") == 2
    assert re.search(r'<polyline [^>]*points="[\d., ]+"', html)
    assert "<circle" in html  # the failed check of flaky
    assert 'id="target-api"' in html and 'id="target-flaky"' in html
    assert "75 %" in html  # flaky's uptime
    assert not re.search(r"https?://", html)  # no external asset (nor the targets' internal URLs)
    for tag in ("<script", "<link", "<img", "@import", "url("):
        assert tag not in html
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_status_page_escapes_and_handles_no_data(make_client, db):
    client = make_client("status", STATUS_TARGETS=TARGETS)
    html = client.get("/status/page").get_data(as_text=True)
    assert html.count("<svg") == 2 and "<polyline" not in html and "n/a" in html
