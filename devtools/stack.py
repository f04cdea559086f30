"""Start the functions as real processes, the way production runs them, and stop them cleanly.

Each function is ``functions-framework --target NAME --source functions/NAME/main.py`` in its own
process group, so a terminal's Ctrl-C reaches only the runner (which then stops them in order) and
a kill of the group also takes the gunicorn worker that functions-framework forks. ``Stack`` is
the context manager the local runner, the end-to-end tests and the benchmarks share.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GATEWAY = "gateway"


class StackError(RuntimeError):
    """A function process died or never became ready."""


def discover(root: Path = ROOT) -> list[str]:
    """The function names under ``functions/``, the gateway last (it fronts all the others)."""
    names = sorted(path.parent.name for path in (root / "functions").glob("*/main.py"))
    return sorted(names, key=lambda name: name == GATEWAY)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """The direct child processes of ``pid`` (read from /proc: there is no portable API)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # the command name may contain spaces and parentheses: fields start after the last ')'
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


class Process:
    """One functions-framework process; keeps the tail of its output for error messages."""

    def __init__(
        self,
        name: str,
        port: int,
        env: Mapping[str, str],
        *,
        source: Path | None = None,
        venv: Path = ROOT / ".venv",
        echo: bool = False,
    ) -> None:
        self.name = name
        self.port = port
        self.output: deque[str] = deque(maxlen=40)
        self.started_at = time.perf_counter()
        self.popen = subprocess.Popen(
            [
                str(venv / "bin" / "functions-framework"),
                f"--target={name}",
                f"--source={source or ROOT / 'functions' / name / 'main.py'}",
                "--host=127.0.0.1",
                f"--port={port}",
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        # the pipe must always be drained, or a chatty process blocks on a full pipe
        self._reader = threading.Thread(target=self._read_output, args=(echo,), daemon=True)
        self._reader.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.popen.pid

    def _read_output(self, echo: bool) -> None:
        assert self.popen.stdout is not None
        for raw in self.popen.stdout:
            line = raw.decode(errors="replace")
            self.output.append(line)
            if echo:
                sys.stdout.write(line)
                sys.stdout.flush()

    def tail(self) -> str:
        if self.popen.poll() is not None:
            self._reader.join(
                timeout=2
            )  # a dead process's last words (its traceback) may still be in the pipe
        return "".join(self.output) or "(no output)\n"

    def wait_ready(self, deadline: float, path: str = "/ready", interval: float = 0.05) -> None:
        while True:
            if self.popen.poll() is not None:
                raise StackError(
                    f"{self.name} exited with code {self.popen.returncode} before it was ready; "
                    f"its last output:\n{self.tail()}"
                )
            if get_status(self.url + path) == 200:
                return
            if time.monotonic() > deadline:
                raise StackError(
                    f"{self.name} did not answer 200 on {path} in time; its last output:\n{self.tail()}"
                )
            time.sleep(interval)

    def signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)


def upstream_env(urls: Mapping[str, str]) -> dict[str, str]:
    """How the gateway learns where each function is (``UPSTREAM_<NAME>_URL``, see spotifiuby.config)."""
    return {f"UPSTREAM_{name.upper()}_URL": url for name, url in urls.items()}


def get_status(url: str, timeout: float = 2.0) -> int | None:
    """The HTTP status of a GET, or ``None`` when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, urllib.error.URLError):
        return None


def stop_all(processes: Iterable[Process], grace: float = 10.0) -> None:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL whatever is left of each process group."""
    processes = list(processes)
    for process in processes:
        if process.popen.poll() is None:
            process.popen.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
        # also reaches a worker whose arbiter already died
        process.signal(signal.SIGKILL)
        process.popen.wait()


class Stack:
    """The functions as running processes: ``with Stack(env=...) as stack: stack.url("gateway")``.

    ``ports`` pins some functions' ports (the others get free ones); ``env`` is added to every
    function's environment; ``echo`` copies their output (the JSON log lines) to our stdout.
    """

    def __init__(
        self,
        names: Iterable[str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        ports: Mapping[str, int] | None = None,
        echo: bool = False,
        ready_timeout: float = 30.0,
        venv: Path = ROOT / ".venv",
    ) -> None:
        self.names = list(names) if names is not None else discover()
        self.env = dict(env or {})
        self.ports = {name: (ports or {}).get(name) or free_port() for name in self.names}
        self.echo = echo
        self.ready_timeout = ready_timeout
        self.venv = venv
        self.processes: dict[str, Process] = {}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def environment(self, name: str) -> dict[str, str]:
        env = {"DATA_DIR": str(ROOT / "var"), "THREADS": "4", **self.env}
        if name == GATEWAY:
            env.update(upstream_env({other: self.url(other) for other in self.names if other != GATEWAY}))
        return env

    def start(self) -> Stack:
        """Start every function at once (imports are most of a cold start) and wait until all are ready."""
        try:
            for name in self.names:
                self.processes[name] = Process(
                    name, self.ports[name], self.environment(name), venv=self.venv, echo=self.echo
                )
            deadline = time.monotonic() + self.ready_timeout
            for process in self.processes.values():
                process.wait_ready(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def dead(self) -> Process | None:
        """A function process that has exited, if any."""
        return next((p for p in self.processes.values() if p.popen.poll() is not None), None)

    def stop(self) -> None:
        stop_all(self.processes.values())

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
