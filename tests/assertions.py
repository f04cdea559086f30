"""Assertions every function's tests share."""

from __future__ import annotations

from typing import Any


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """``response`` is the SPEC's JSON error with this status and code; returns its ``details``."""
    assert response.status_code == status, (response.status_code, response.json)
    error = response.json["error"]
    assert error["code"] == code, response.json
    assert set(error) == {"code", "message", "details", "request_id"}, error
    return error["details"]
