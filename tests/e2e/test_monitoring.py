"""Monitoring as an operator sees it: real processes; a function stops and comes back."""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest

from devtools.stack import Process, Stack
from tests.e2e.client import Client, ok
from tests.status.servers import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]


def test_a_stopped_function_shows_down_once_and_up_again(backend: Any, db: Any, jwt_private_key: str) -> None:
    receiver = Receiver().start()
    names = ["users", "status", "gateway"]
    stack = Stack(
        names,
        env={
            "DATABASE_URL": backend.url,
            "DATA_DIR": str(backend.data_dir),
            "JWT_PRIVATE_KEY": jwt_private_key,
            "LOG_LEVEL": "WARNING",
            "STATUS_FAILURES_TO_DOWN": "2",
            "STATUS_TIMEOUT": "1",
            "STATUS_WEBHOOKS": receiver.url("/discord-hook") + "," + receiver.url("/plain"),
        },
    )
    stack.env["STATUS_TARGETS"] = f"users={stack.url('users')}/ready,gateway={stack.url('gateway')}/ready"
    try:
        stack.start()
        status, gateway = Client(stack.url("status")), Client(stack.url("gateway"))

        def check() -> None:
            ok(status.post("/internal/check", {"specversion": "1.0"}))

        def state(name: str) -> str:
            targets = ok(gateway.get("/status"))["targets"]
            return next(t["state"] for t in targets if t["name"] == name)

        check()
        assert state("users") == "up"

        users = stack.processes["users"]
        users.signal(signal.SIGTERM)
        users.popen.wait(timeout=15)
        check()
        assert state("users") == "up"  # one failure is not an outage yet
        check()
        assert state("users") == "down"
        assert "down" in gateway.get("/status/page").body.decode()
        check()  # still down: no second notification
        assert len(receiver.bodies("/plain")) == 1
        assert len(receiver.bodies("/discord-hook")) == 1
        assert "content" in receiver.bodies("/discord-hook")[0]

        stack.processes["users"] = Process("users", stack.ports["users"], stack.environment("users"))
        stack.processes["users"].wait_ready(time.monotonic() + 30)
        check()
        assert state("users") == "up"
        plain = receiver.bodies("/plain")
        assert len(plain) == 2 and len(receiver.bodies("/discord-hook")) == 2

        metrics = Client(stack.url("users")).get("/metrics").body.decode()
        assert 'function="users"' in metrics and 'route="/ready"' in metrics
    finally:
        stack.stop()
        receiver.stop()
