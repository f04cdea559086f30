"""Routes of the status function: the scheduled check and the public status report and page."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Request, Response, current_app
from sqlalchemy.orm import Session

from functions.status import checks, page, report
from spotifiuby.api import Api
from spotifiuby.config import Settings
from spotifiuby.db import utcnow
from spotifiuby.errors import Unauthorized

api = Api("status")
INTERNAL_TOKEN_HEADER = "X-Internal-Token"


def _state() -> Any:
    return current_app.extensions["status"]


@api.post("/internal/check", auth="none", summary="Check every target once (the schedule's trigger)")
def check(*, session: Session, settings: Settings, request: Request) -> Any:
    """Any body is accepted (a PingSource sends a CloudEvent); X-Internal-Token when INTERNAL_TOKEN is set."""
    if settings.internal_token:
        given = request.headers.get(INTERNAL_TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), settings.internal_token.encode()):
            raise Unauthorized("A valid X-Internal-Token is required.", code="invalid_internal_token")
    state = _state()
    return checks.run(session, state.config, state.pool)


@api.get("/status", auth="none", summary="State, uptime, latency and incidents of every target")
def status(*, session: Session) -> Any:
    return report.status(session, _state().config)


@api.get("/status/page", auth="none", summary="The HTML status page")
def status_page(*, session: Session) -> Response:
    now = utcnow()
    figures = report.status(session, _state().config, now)
    charts = {t["name"]: page.chart(report.series(session, t["name"], now), now) for t in figures["targets"]}
    html = page.render(figures, charts)
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
