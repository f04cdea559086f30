"""The request logs of the real processes: one JSON line per request with the SPEC section 2 fields,
and no password, token, reset code, private key or Authorization header in any line.

The session's stack logs at WARNING (request lines are INFO), so this test starts its own small
stack (users, payments, gateway) at INFO and reads the output each process keeps (its last lines:
the journey is short enough to fit).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from devtools.stack import GATEWAY, Stack
from tests.e2e.client import Client, ok

PASSWORD = "Log-Secret-9x7q"
WRONG_PASSWORD = "Not-The-Secret-4k2"
REQUEST_FIELDS = {
    "time",
    "level",
    "function",
    "request_id",
    "method",
    "route",
    "status",
    "duration_ms",
    "user_id",
}
NAMES = ("users", "payments", GATEWAY)


@pytest.fixture(scope="module")
def logged_stack(backend: Any, jwt_private_key: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    data_dir = tmp_path_factory.mktemp("logs")
    env = {
        "DATABASE_URL": backend.url,
        "DATA_DIR": str(data_dir),
        "JWT_PRIVATE_KEY": jwt_private_key,
        "LOG_LEVEL": "INFO",
    }
    with Stack(NAMES, env=env) as running:
        yield running, data_dir


def lines_of(stack: Stack, name: str) -> list[str]:
    return [line.rstrip("\n") for line in list(stack.processes[name].output)]


def request_lines(stack: Stack, name: str) -> list[dict[str, Any]]:
    found = []
    for line in lines_of(stack, name):
        if line.startswith("{"):
            record = json.loads(line)  # every JSON-looking line must be whole JSON
            if record.get("message") == "request":
                found.append(record)
    return found


@pytest.mark.postgres_only
def test_request_lines_are_json_and_carry_no_secret(logged_stack: Any, db: Any, jwt_private_key: str) -> None:
    stack, data_dir = logged_stack
    gateway = Client(stack.url(GATEWAY))
    marker = f"logtest-{uuid.uuid4().hex[:12]}"  # this journey's request ids

    def headers(step: str) -> dict[str, str]:
        return {"X-Request-Id": f"{marker}-{step}"}

    email = f"{marker}@example.com"
    signup = ok(
        gateway.post(
            "/auth/signup", {"email": email, "password": PASSWORD, "name": "Logan"}, headers=headers("signup")
        ),
        201,
    )
    login = ok(gateway.post("/auth/login", {"email": email, "password": PASSWORD}, headers=headers("login")))
    refreshed = ok(
        gateway.post("/auth/refresh", {"refresh_token": login["refresh_token"]}, headers=headers("refresh"))
    )
    wrong = gateway.post(
        "/auth/login", {"email": email, "password": WRONG_PASSWORD}, headers=headers("wrong")
    )
    assert wrong.status == 401
    ok(gateway.post("/auth/password-reset", {"email": email}, headers=headers("reset")), 202)
    deposit = gateway.post(
        "/me/wallet/deposits",
        {"amount": "0.01"},
        token=refreshed["access_token"],
        headers={**headers("deposit"), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert deposit.status == 201, deposit.body

    reset_tokens = [json.loads(p.read_text())["text"] for p in (data_dir / "outbox").glob("*.json")]
    assert len(reset_tokens) == 1
    reset_token = next(word for word in reset_tokens[0].split() if len(word) >= 40)

    # the output is read by a thread of each Process: wait until the last lines have arrived
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        ours = [r for r in request_lines(stack, GATEWAY) if str(r.get("request_id", "")).startswith(marker)]
        if len(ours) >= 6 and any(
            str(r.get("request_id", "")).startswith(marker) for r in request_lines(stack, "payments")
        ):
            break
        time.sleep(0.1)

    by_function = {name: request_lines(stack, name) for name in NAMES}
    journey = {
        name: [r for r in records if str(r.get("request_id", "")).startswith(marker)]
        for name, records in by_function.items()
    }
    assert len(journey[GATEWAY]) == 6, journey[GATEWAY]
    assert len(journey["users"]) == 5, journey["users"]
    assert len(journey["payments"]) == 1, journey["payments"]
    for name, records in by_function.items():
        for record in records:
            assert set(record) >= REQUEST_FIELDS, (name, record)
            assert record["function"] == name
            assert record["level"] == "info"
            assert isinstance(record["status"], int) and isinstance(record["duration_ms"], int | float)
    statuses = {r["request_id"].removeprefix(marker + "-"): r for r in journey[GATEWAY]}
    assert statuses["wrong"]["status"] == 401 and statuses["wrong"]["user_id"] is None
    assert statuses["deposit"]["status"] == 201
    assert statuses["deposit"]["user_id"] == signup["user"]["id"]
    assert statuses["login"]["user_id"] is None  # anonymous at the gateway: /auth/* carries no token
    assert statuses["deposit"]["route"] == "/me/wallet/deposits"
    # the function saw the same request id the gateway logged
    assert journey["payments"][0]["request_id"] == statuses["deposit"]["request_id"]

    secrets = {
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "signup access token": signup["access_token"],
        "signup refresh token": signup["refresh_token"],
        "login access token": login["access_token"],
        "login refresh token": login["refresh_token"],
        "refreshed access token": refreshed["access_token"],
        "refreshed refresh token": refreshed["refresh_token"],
        "reset token": reset_token,
    }
    pem_body = [
        line.strip() for line in jwt_private_key.splitlines() if line.strip() and not line.startswith("-----")
    ]
    assert pem_body
    for name in NAMES:
        output = "\n".join(lines_of(stack, name))
        for what, value in secrets.items():
            assert value not in output, f"the {what} appears in the {name} output"
        for line in pem_body:
            assert line not in output, f"the JWT private key appears in the {name} output"
        assert "PRIVATE KEY" not in output
        assert "Bearer " not in output and "authorization" not in output.lower(), f"{name} logs a header"
