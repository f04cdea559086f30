"""End-to-end fixtures: the real functions as processes (devtools.stack), reached over HTTP.

One stack per backend for the whole session (starting processes is the slow part); ``db`` empties
the tables before each test, so tests still do not depend on each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devtools.stack import GATEWAY, Stack
from tests.e2e.client import Client


@pytest.fixture(scope="session")
def stack(backend: Any, jwt_private_key: str) -> Iterator[Stack]:
    env = {
        "DATABASE_URL": backend.url,
        "DATA_DIR": str(backend.data_dir),
        "JWT_PRIVATE_KEY": jwt_private_key,
        "LOG_LEVEL": "WARNING",
    }
    with Stack(env=env) as running:
        yield running


@pytest.fixture
def gateway(stack: Stack, db: Any) -> Client:
    """The gateway of the running stack, on empty tables."""
    if GATEWAY not in stack.names:
        pytest.fail("functions/gateway/main.py does not exist", pytrace=False)
    return Client(stack.url(GATEWAY))


@pytest.fixture
def direct(stack: Stack, db: Any) -> Client:
    """The users function's own port, bypassing the gateway."""
    return Client(stack.url("users"))
