"""Fixtures of the gateway tests: the gateway's real functions-framework app in front of real servers."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from spotifiuby.config import Settings
from spotifiuby.tokens import TokenService, public_pem_of
from tests.gateway.servers import echo_app, serve_wsgi


@pytest.fixture(scope="session")
def echo_url() -> Iterator[str]:
    with serve_wsgi(echo_app) as url:
        yield url


@pytest.fixture
def gateway(make_client: Callable[..., Any], echo_url: str, jwt_private_key: str) -> Callable[..., Any]:
    """``gateway(RATE_LIMIT_BURST="2")``: a test client of the gateway, which holds the public key only
    and routes the users function's paths to the echo server unless told otherwise."""

    def make(**env: str) -> Any:
        defaults = {
            "JWT_PRIVATE_KEY": "",
            "JWT_PUBLIC_KEY": public_pem_of(jwt_private_key),
            "UPSTREAM_USERS_URL": echo_url,
            "UPSTREAM_CONNECT_TIMEOUT": "2",
            "UPSTREAM_READ_TIMEOUT": "5",
            "RATE_LIMIT_PER_MINUTE": "100000",
            "RATE_LIMIT_BURST": "100000",
        }
        return make_client("gateway", **{**defaults, **env})

    return make


@pytest.fixture
def tokens(jwt_private_key: str) -> TokenService:
    """Signs as the users function does."""
    return TokenService(Settings(jwt_private_key=jwt_private_key))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(user_id: int = 1) -> str:
    """An ``alg: none`` token with otherwise valid claims."""
    now = int(dt.datetime.now(dt.UTC).timestamp())
    header = {"alg": "none", "typ": "JWT"}
    claims = {
        "iss": "spotifiuby",
        "sub": str(user_id),
        "role": "admin",
        "typ": "access",
        "iat": now,
        "exp": now + 600,
    }
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}."


def echoed(response: Any) -> dict[str, Any]:
    """What the echo server received, as it answered through the gateway."""
    assert response.status_code < 500, response.get_data(as_text=True)
    return response.get_json()
