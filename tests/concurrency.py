"""Real concurrent requests for race tests: every call starts at the same instant."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def race(calls: Sequence[Callable[[], Any]], *, timeout: float = 60) -> list[Any]:
    """Run each call in its own thread, released together by a barrier; results in call order.

    The barrier times out (a thread that failed before it would otherwise hang the run).
    """
    barrier = threading.Barrier(len(calls), timeout=timeout)

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))
