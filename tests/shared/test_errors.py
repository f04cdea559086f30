"""The error hierarchy: every status werkzeug may raise maps to a JSON error of the same status."""

from __future__ import annotations

import pytest

from spotifiuby.errors import from_status

STATUSES = [400, 401, 402, 403, 404, 405, 409, 413, 415, 416, 422, 429, 500, 502, 503, 504]


@pytest.mark.parametrize("status", STATUSES)
def test_each_status_has_its_error(status):
    error = from_status(status)()
    body = error.body("req-1")["error"]
    assert error.status == status
    assert set(body) == {"code", "message", "details", "request_id"}
    assert body["request_id"] == "req-1"


def test_an_unlisted_client_error_is_a_bad_request():
    assert from_status(418)().status == 400
