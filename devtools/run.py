"""The local runner (``./dev up``): the whole backend on this machine, SQLite under ``var/``.

Migrates the database, makes sure a first admin exists, adds the music demo content to an empty
catalogue (unless ``DEMO_CONTENT=0``), starts every function with the gateway on ``GATEWAY_PORT``
(default 8080) and the others on the ports after ``FUNCTIONS_BASE_PORT`` (default the gateway's + 1;
``0`` picks free ports), then waits. Ctrl-C or SIGTERM stops everything and exits 0; a function
that dies stops everything and exits 1.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import urllib.request
from pathlib import Path
from types import FrameType

from devtools.stack import GATEWAY, ROOT, Stack, StackError, discover
from spotifiuby.config import Settings

DEFAULT_ADMIN_EMAIL = "admin@spotifiuby.local"


def prepare(settings: Settings) -> None:
    """Bring the schema up to date and make sure an admin can log in (the users CLI does it)."""
    from functions.users.cli import create_admin
    from migrations import upgrade

    upgrade(settings.effective_database_url)
    email = settings.admin_email or DEFAULT_ADMIN_EMAIL
    if create_admin(settings, email=email, password=settings.admin_password) != 0:
        raise SystemExit(1)
    print(demo_content(settings))


def demo_content(settings: Settings) -> str:
    """Add the music demo catalogue when the catalogue is empty; one line saying what happened."""
    if not settings.demo_content:
        return "demo content: off (DEMO_CONTENT=0)"
    from functions.music.demo import ensure_demo_content
    from functions.music.media.storage import storage_for
    from spotifiuby.db import Database

    database = Database(settings)
    try:
        with database.session() as session:
            added = ensure_demo_content(session, storage_for(settings))
    finally:
        database.dispose()
    if added is None:
        return "demo content: the catalogue has content already, nothing added"
    return (
        f"demo content: added {added.songs} songs with audio, {added.albums} albums and {added.artists} "
        f"artists in {added.genres} genres (DEMO_CONTENT=0 turns this off)"
    )


def ports(names: list[str]) -> dict[str, int]:
    gateway_port = int(os.environ.get("GATEWAY_PORT", "8080"))
    base = int(os.environ.get("FUNCTIONS_BASE_PORT", gateway_port + 1))
    others = [name for name in names if name != GATEWAY]
    pinned = {name: base + i for i, name in enumerate(others)} if base else {}
    return {GATEWAY: gateway_port, **pinned}


STATUS = "status"


def status_timer(url: str, interval: float, stop: threading.Event) -> threading.Thread:
    """Trigger the status function's check every ``interval`` seconds (the cluster's PingSource)."""
    headers = {"Content-Type": "application/json"}
    if os.environ.get("INTERNAL_TOKEN"):
        headers["X-Internal-Token"] = os.environ["INTERNAL_TOKEN"]

    def tick() -> None:
        while True:
            request = urllib.request.Request(f"{url}/internal/check", b"{}", headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=max(interval, 30)):
                    pass
            except OSError as exc:
                print(f"status check failed: {exc}", file=sys.stderr)
            if stop.wait(interval):
                return

    thread = threading.Thread(target=tick, name="status-timer", daemon=True)
    thread.start()
    return thread


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # the functions' log lines and ours interleave on the terminal; a pipe must not hold ours back
    sys.stdout.reconfigure(line_buffering=True)
    data_dir = Path(os.environ.get("DATA_DIR", ROOT / "var")).resolve()
    settings = Settings.from_env({**os.environ, "DATA_DIR": str(data_dir)})
    # the runner makes the admin; the password need not sit in every function's environment
    os.environ.pop("ADMIN_PASSWORD", None)
    names = discover()
    if GATEWAY not in names:
        raise SystemExit("functions/gateway/main.py is missing: there is no public entry to start")
    stack = Stack(names, env={"DATA_DIR": str(data_dir)}, ports=ports(names), echo=True)
    if STATUS in names and not os.environ.get("STATUS_TARGETS"):
        # the status function checks every other function and the gateway
        checked = [name for name in names if name != STATUS]
        stack.env["STATUS_TARGETS"] = ",".join(f"{name}={stack.url(name)}/ready" for name in checked)
    stop_timer = threading.Event()
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        prepare(settings)
        stack.start()
        print(f"gateway: {stack.url(GATEWAY)}  (API docs: {stack.url(GATEWAY)}/docs)")
        if STATUS in names:
            status_timer(stack.url(STATUS), float(os.environ.get("STATUS_INTERVAL", "30")), stop_timer)
            print(f"status page: {stack.url(GATEWAY)}/status/page")
        for name in names:
            if name != GATEWAY:
                print(f"{name}: {stack.url(name)}")
        print("Ctrl-C stops everything.")
        while (dead := stack.dead()) is None:
            time.sleep(0.2)
        print(f"{dead.name} exited with code {dead.popen.returncode}; stopping.", file=sys.stderr)
        return 1
    except StackError as exc:
        print(f"could not start: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopping.")
        return 0
    finally:
        # a second Ctrl-C must not cut the cleanup short and leave processes behind
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_timer.set()
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
