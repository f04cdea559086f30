"""Cold start of each function next to a hello-world floor.

Run: ``.venv/bin/python -m bench.cold_start [--runs 5]``.

Every run starts a fresh functions-framework process exactly as the stack does (THREADS=4) and
times, from the moment the process is spawned, the first 200 on ``/health`` and then the first
200 on a database-backed route; then it reads the idle resident memory of the process and of its
gunicorn worker. See bench/README.md for how to read the table.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from devtools.stack import (
    GATEWAY,
    ROOT,
    Process,
    Stack,
    children,
    discover,
    free_port,
    stop_all,
    upstream_env,
)
from devtools.stack import get_status as http_status

# one database-backed route per function (anonymous, so the figure is the function's own start)
DB_ROUTES = {"users": "/users?limit=1", "music": "/songs?limit=1"}
HELLO = ROOT / "bench" / "hello" / "main.py"


@dataclass
class Sample:
    health: float  # seconds from spawn to the first 200 on /health
    route: float | None  # seconds from spawn to the answer of its DB route (None: no route measured)
    route_status: int | None
    rss_main_kib: int
    rss_worker_kib: int


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(name: str, env: dict[str, str], *, source: Path | None = None, route: str | None) -> Sample:
    process = Process(name, free_port(), env, source=source)
    try:
        process.wait_ready(time.monotonic() + 60, path="/health", interval=0.005)
        health = time.perf_counter() - process.started_at
        route_time = route_status = None
        if route:
            route_status = http_status(process.url + route, timeout=30)
            route_time = time.perf_counter() - process.started_at
        time.sleep(0.5)  # let the first requests' garbage settle before reading "idle" memory
        worker_kib = sum(rss_kib(child) for child in children(process.pid))
        return Sample(health, route_time, route_status, rss_kib(process.pid), worker_kib)
    finally:
        stop_all([process])


def row(label: str, samples: list[Sample], floor: list[Sample]) -> list[str]:
    health = median([s.health for s in samples])
    rss = median([s.rss_main_kib + s.rss_worker_kib for s in samples])
    floor_health = median([s.health for s in floor])
    floor_rss = median([s.rss_main_kib + s.rss_worker_kib for s in floor])
    route_cell = ratio_cell = "-"
    if samples[0].route is not None:
        bad = {s.route_status for s in samples} - {200}
        if bad:
            route_cell = "HTTP " + ",".join(str(status) for status in sorted(bad, key=str))
        else:
            route = median([s.route for s in samples if s.route is not None])
            route_cell, ratio_cell = f"{route:.3f} s", f"x{route / floor_health:.2f}"
    return [
        label,
        f"{health:.3f} s",
        f"x{health / floor_health:.2f}",
        route_cell,
        ratio_cell,
        f"{median([s.rss_main_kib for s in samples]) / 1024:.1f}",
        f"{median([s.rss_worker_kib for s in samples]) / 1024:.1f}",
        f"x{rss / floor_rss:.2f}",
    ]


def print_table(rows: list[list[str]]) -> None:
    header = [
        "function",
        "/health",
        "vs floor",
        "first DB route",
        "vs floor",
        "RSS MiB",
        "worker MiB",
        "vs floor",
    ]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    for line in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from migrations import upgrade

    with tempfile.TemporaryDirectory() as data_dir:
        env = {"DATA_DIR": data_dir, "THREADS": "4"}
        upgrade(f"sqlite:///{data_dir}/spotifiuby.db")
        names = discover()
        results: dict[str, list[Sample]] = {}

        def run(label: str, name: str, extra_env: dict[str, str], **kwargs: object) -> None:
            print(f"{label}: {args.runs} runs", flush=True)
            results[label] = [measure(name, {**env, **extra_env}, **kwargs) for _ in range(args.runs)]

        run("hello (floor)", "hello", {}, source=HELLO, route=None)
        for name in names:
            if name in DB_ROUTES:
                run(name, name, {}, route=DB_ROUTES[name])
        if GATEWAY in names:
            # the gateway's first routed request goes to functions that are already warm
            with Stack([n for n in names if n != GATEWAY], env=env) as warm:
                upstreams = upstream_env({n: warm.url(n) for n in warm.names})
                run("gateway", GATEWAY, upstreams, route=DB_ROUTES["users"])
        else:
            print("gateway: skipped, functions/gateway/main.py does not exist yet")

    floor = results["hello (floor)"]
    print(f"\nmedian of {args.runs} fresh processes; times from spawn to the first answer")
    print_table([row(label, samples, floor) for label, samples in results.items()])


if __name__ == "__main__":
    main()
