"""The local runner (``./dev up``) as a developer uses it: start, sign up, Ctrl-C, nothing left behind."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from devtools.stack import ROOT, Stack, StackError, children, free_port
from tests.e2e.client import Client
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def descendants(pid: int) -> list[int]:
    found = children(pid)
    return found + [grandchild for child in found for grandchild in descendants(child)]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's bookkeeping remains


def test_runner_serves_then_stops_everything_on_sigint(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("ADMIN_EMAIL", "ADMIN_PASSWORD", "DATABASE_URL")},
        "DATA_DIR": str(tmp_path),
        "GATEWAY_PORT": str(free_port()),
        "FUNCTIONS_BASE_PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
    }
    runner = subprocess.Popen(
        [sys.executable, "-m", "devtools.run"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=lambda: [*map(lines.put, runner.stdout), lines.put(None)], daemon=True).start()
    try:
        output, urls, admin = [], {}, None
        deadline = time.monotonic() + 60
        while "gateway" not in urls:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, "the runner exited early:\n" + "".join(output)
            output.append(line)
            if match := re.match(r"Created admin (\S+) ", line):
                admin = [match.group(1)]
            if match := re.match(r"Generated password \(shown once, keep it\): (\S+)", line):
                admin.append(match.group(1))
            if match := re.match(r"(\w+): (http://\S+)", line):
                urls[match.group(1)] = match.group(2)
        processes = descendants(runner.pid)
        client = Client(urls["gateway"])

        signed_up = client.post(
            "/auth/signup", {"email": "dev@example.com", "password": PASSWORD, "name": "Dev"}
        )
        assert signed_up.status == 201, signed_up.body
        assert admin is not None, "the runner did not print the generated admin password:\n" + "".join(output)
        assert client.post("/auth/login", {"email": admin[0], "password": admin[1]}).status == 200

        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=30) == 0
        assert len(processes) >= 2  # at least the gateway and users, each with its gunicorn worker
        assert [pid for pid in processes if alive(pid)] == []
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()


def test_stack_reports_a_function_that_dies_at_start() -> None:
    with pytest.raises(StackError) as failure, Stack(["nosuch"]):
        pass

    message = str(failure.value)
    assert "nosuch exited with code" in message
    assert "functions/nosuch/main.py" in message  # functions-framework's own complaint, from the output tail
