"""The error hierarchy every function raises, and its one JSON shape.

Every error body is ``{"error": {"code", "message", "details", "request_id"}}`` (SPEC section 2)::

    ApiError                      500 internal_error (base; also what an unexpected exception becomes)
    ├── BadRequest                400 bad_request, malformed_json, bad_query
    ├── Unauthorized              401 unauthorized, invalid_token, invalid_credentials
    ├── PaymentRequired           402 insufficient_funds
    ├── Forbidden                 403 forbidden, blocked, not_owner, admin_required
    ├── NotFound                  404 not_found
    ├── MethodNotAllowed          405 method_not_allowed
    ├── Conflict                  409 conflict, email_taken, last_admin
    ├── PayloadTooLarge           413 payload_too_large
    ├── UnsupportedMediaType      415 unsupported_media_type, content_mismatch
    ├── RangeNotSatisfiable       416 range_not_satisfiable (sets Content-Range)
    ├── ValidationFailed          422 validation_failed (details name each bad field)
    ├── TooManyRequests           429 rate_limited, too_many_failures (sets Retry-After)
    ├── BadGateway                502 bad_gateway
    ├── ServiceUnavailable        503 upstream_unavailable
    └── GatewayTimeout            504 upstream_timeout

Raise a subclass with a specific ``code`` when the client can act on it; the message is for humans
and never carries SQL, stack traces or secrets.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    status = 500
    code = "internal_error"
    message = "Internal server error."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.details = details or {}
        self.headers = headers or {}
        super().__init__(self.message)

    def body(self, request_id: str | None) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "details": self.details,
                "request_id": request_id,
            }
        }


class BadRequest(ApiError):
    status, code, message = 400, "bad_request", "The request is malformed."


class Unauthorized(ApiError):
    status, code, message = 401, "unauthorized", "Valid credentials are required."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="spotifiuby"'})
        super().__init__(message, **kwargs)


class PaymentRequired(ApiError):
    status, code, message = 402, "insufficient_funds", "The wallet does not hold enough money."


class Forbidden(ApiError):
    status, code, message = 403, "forbidden", "You are not allowed to do this."


class NotFound(ApiError):
    status, code, message = 404, "not_found", "Not found."


class MethodNotAllowed(ApiError):
    status, code, message = 405, "method_not_allowed", "Method not allowed on this path."


class Conflict(ApiError):
    status, code, message = 409, "conflict", "The request conflicts with the current state."


class PayloadTooLarge(ApiError):
    status, code, message = 413, "payload_too_large", "The request body is too large."


class UnsupportedMediaType(ApiError):
    status, code, message = 415, "unsupported_media_type", "Unsupported content type."


class RangeNotSatisfiable(ApiError):
    status, code, message = 416, "range_not_satisfiable", "The requested range is outside the file."

    def __init__(self, size: int | None = None) -> None:
        if size is None:
            super().__init__()
        else:
            super().__init__(details={"size": size}, headers={"Content-Range": f"bytes */{size}"})


class ValidationFailed(ApiError):
    status, code, message = 422, "validation_failed", "The request has invalid fields."


class TooManyRequests(ApiError):
    status, code, message = 429, "rate_limited", "Too many requests; retry later."

    def __init__(self, message: str | None = None, *, retry_after: int = 1, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(max(1, int(retry_after)))})
        super().__init__(message, **kwargs)


class BadGateway(ApiError):
    status, code, message = 502, "bad_gateway", "The upstream function answered badly."


class ServiceUnavailable(ApiError):
    status, code, message = 503, "upstream_unavailable", "The upstream function is unavailable."


class GatewayTimeout(ApiError):
    status, code, message = 504, "upstream_timeout", "The upstream function did not answer in time."


_BY_STATUS = {cls.status: cls for cls in ApiError.__subclasses__()}


def from_status(status: int) -> type[ApiError]:
    """The error class for an HTTP status werkzeug raised (404 for unknown routes, 413, ...)."""
    return _BY_STATUS.get(status, BadRequest if 400 <= status < 500 else ApiError)
