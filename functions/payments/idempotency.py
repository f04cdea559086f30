"""``Idempotency-Key`` for every money-moving POST: the first answer is stored and replayed.

The record is inserted first, in the same transaction that moves the money, and completed with the
answer before the commit. A concurrent retry with the same key waits on the unique constraint until
the first commits, then replays its answer; so money moves once however many retries race. A request
that fails (402, 422, a crash) rolls back its record with everything else, so the same key can be
used again. The same key with another method, path or body is 409 ``idempotency_key_reused``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from flask import Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from spotifiuby.auth import Caller
from spotifiuby.db import is_unique_violation
from spotifiuby.errors import BadRequest, Conflict
from spotifiuby.models import IdempotencyRecord

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,255}$")


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def idempotent(
    session: Session, *, caller: Caller, request: Request, answer: Callable[[], tuple[int, Any]]
) -> Response:
    """Run ``answer`` (returning status and a JSON-able body) once per key; replay it afterwards."""
    key = request.headers.get(HEADER)
    if key is None:
        raise BadRequest(f"Money-moving requests need an {HEADER} header.", code="idempotency_key_required")
    if not _KEY.match(key):
        raise BadRequest(
            f"The {HEADER} must be 8 to 255 letters, digits or . _ : -.", code="idempotency_key_invalid"
        )
    fingerprint = _fingerprint(request)
    record = IdempotencyRecord(
        user_id=caller.user_id, key=key, request_fingerprint=fingerprint, response_status=0, response_body=""
    )
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        return _replay(session, caller=caller, key=key, fingerprint=fingerprint)
    status, body = answer()
    record.response_status, record.response_body = status, json.dumps(body)
    return _response(status, record.response_body, replayed=False)


def _replay(session: Session, *, caller: Caller, key: str, fingerprint: str) -> Response:
    first = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == caller.user_id, IdempotencyRecord.key == key
        )
    )
    if first.request_fingerprint != fingerprint:
        raise Conflict(f"This {HEADER} was used for a different request.", code="idempotency_key_reused")
    return _response(first.response_status, first.response_body, replayed=True)


def _response(status: int, body: str, *, replayed: bool) -> Response:
    response = Response(body, status=status, content_type="application/json")
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
