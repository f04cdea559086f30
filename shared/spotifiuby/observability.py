"""Request ids, W3C trace context, the JSON request log line and Prometheus metrics.

Log lines carry only what is listed in SPEC section 2 (never headers, bodies or query strings),
which is how passwords and tokens stay out of the logs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import secrets
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily

disable_created_metrics()  # the *_created series double the output and nothing here reads them

REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered.", ["function", "route", "method", "status"]
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request (until the body starts).",
    ["function", "route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def request_id_from(header: str | None) -> str:
    """Keep a sane incoming ``X-Request-Id``; otherwise make one."""
    if header and _REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


@dataclass(frozen=True)
class TraceContext:
    trace_id: str
    parent_id: str | None
    span_id: str
    flags: str

    @property
    def traceparent(self) -> str:
        """The header to send downstream: same trace, this hop's span as the parent."""
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"


def trace_from(header: str | None) -> TraceContext:
    """Continue an incoming W3C ``traceparent`` or start a new trace."""
    match = _TRACEPARENT.match(header or "")
    if match and set(match.group(1)) != {"0"} and set(match.group(2)) != {"0"}:
        trace_id, parent_id, flags = match.groups()
        return TraceContext(trace_id, parent_id, secrets.token_hex(8), flags)
    return TraceContext(secrets.token_hex(16), None, secrets.token_hex(8), "01")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            # the exception type and where it was raised; messages may quote SQL or values
            line["exception"] = record.exc_info[0].__name__
            line["traceback"] = _frames(record.exc_info[2])
        return json.dumps(line, default=str)


def _frames(tb: Any) -> list[str]:
    frames = []
    while tb is not None:
        code = tb.tb_frame.f_code
        frames.append(f"{code.co_filename}:{tb.tb_lineno} in {code.co_name}")
        tb = tb.tb_next
    return frames[-10:]


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at the time (test capture, functions-framework's wrapper)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stdout

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure_logging(level: str) -> None:
    """One JSON handler on stdout for the ``spotifiuby`` loggers (idempotent)."""
    logger = logging.getLogger("spotifiuby")
    logger.setLevel(level)
    if not any(getattr(h, "_spotifiuby", False) for h in logger.handlers):
        handler = _StdoutHandler()
        handler.setFormatter(JsonFormatter())
        handler._spotifiuby = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False


def log(logger: logging.Logger, level: int, message: str, **fields: Any) -> None:
    logger.log(level, message, extra={"fields": fields})


# --- process and database pool metrics ------------------------------------------------------------

COLD_START = Gauge(
    "process_cold_start_seconds",
    "Seconds from the process start until the function's app was built.",
    ["function"],
)
_IMPORTED_AT = time.perf_counter()  # the fallback origin where /proc is not available


def process_age() -> float:
    """Seconds since this process started.

    On Linux: ``/proc/uptime`` minus the process start time (field 22 of ``/proc/self/stat``, in
    clock ticks since boot), both read now, so the clock resolution is the tick (10 ms). Elsewhere:
    seconds since this module was imported, which is close to the start of the interpreter.
    """
    try:
        with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime:
            # the command name may contain spaces and parentheses: fields start after the last ')'
            fields = stat.read().rpartition(")")[2].split()
            up = float(uptime.read().split()[0])
        age = up - int(fields[19]) / os.sysconf("SC_CLK_TCK")  # fields[19] is field 22 of stat(5)
    except (OSError, ValueError, IndexError, AttributeError):
        age = 0.0
    return age if age > 0 else time.perf_counter() - _IMPORTED_AT


def record_cold_start(function: str) -> None:
    COLD_START.labels(function).set(max(process_age(), 1e-6))


class PoolCollector:
    """``db_pool_*{function}`` gauges, read from each function's SQLAlchemy pool at scrape time."""

    def __init__(self) -> None:
        self.databases: dict[str, Any] = {}  # function name -> spotifiuby.db.Database

    def collect(self) -> Any:
        checked_out = GaugeMetricFamily(
            "db_pool_checked_out", "Database connections in use.", labels=["function"]
        )
        size = GaugeMetricFamily(
            "db_pool_size", "Database pool size (connections kept).", labels=["function"]
        )
        overflow = GaugeMetricFamily(
            "db_pool_overflow",
            "Database connections beyond the pool size (negative: not yet opened).",
            labels=["function"],
        )
        for function, database in sorted(self.databases.items()):
            pool = database.engine.pool
            if not all(hasattr(pool, name) for name in ("checkedout", "size", "overflow")):
                continue
            checked_out.add_metric([function], pool.checkedout())
            size.add_metric([function], pool.size())
            overflow.add_metric([function], pool.overflow())
        return [checked_out, size, overflow]

    def describe(self) -> Any:
        return []  # no samples at registration: the pools come later


POOLS = PoolCollector()
REGISTRY.register(POOLS)


def register_pool(function: str, database: Any) -> None:
    """Report ``database``'s pool under ``function`` from now on (a rebuilt app replaces it)."""
    POOLS.databases[function] = database
