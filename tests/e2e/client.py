"""A tiny HTTP client for the end-to-end tests: urllib, JSON in and out, errors returned, not raised."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass
class Reply:
    status: int
    body: Any
    headers: Any

    def error_code(self) -> str | None:
        """The ``error.code`` of a SPEC-shaped JSON error body (asserting it is one)."""
        assert isinstance(self.body, dict) and "error" in self.body, self.body
        assert {"code", "message", "request_id"} <= set(self.body["error"]), self.body
        return self.body["error"]["code"]


class Client:
    """Requests to one base URL (the gateway, or a function reached directly)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def request(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
    ) -> Reply:
        all_headers = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
        if data is not None:
            all_headers.setdefault("Content-Type", "application/json")
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Reply(response.status, _body(response.read(), response.headers), response.headers)
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, _body(exc.read(), exc.headers), exc.headers)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json_body: Any = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, json_body, **kwargs)


def token_of(client: Client, email: str, password: str) -> str:
    """Log in through ``client`` and return the access token."""
    reply = client.post("/auth/login", {"email": email, "password": password})
    assert reply.status == 200, reply.body
    return reply.body["access_token"]


def ok(reply: Reply, status: int = 200) -> Any:
    """The body of a reply that must have ``status``."""
    assert reply.status == status, (reply.status, reply.body)
    return reply.body


def _body(raw: bytes, headers: Any) -> Any:
    """JSON decoded; any other content (audio, images) as the bytes received."""
    if not (headers.get("Content-Type") or "").startswith("application/json"):
        return raw
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")
