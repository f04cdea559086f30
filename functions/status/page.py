"""GET /status/page: a self-contained HTML status page (inline CSS and SVG, no external asset)."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from functions.status.report import WINDOWS

WIDTH, HEIGHT, PAD = 720, 160, 28
NO_INCIDENTS = "<p><small>No incidents.</small></p>"
COLOURS = {"up": "#1a7f37", "down": "#cf222e", "unknown": "#6e7781"}
STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f8fa;color:#1f2328}
main{max-width:780px;margin:0 auto;padding:24px}h1{font-size:1.6rem}section{background:#fff;
border:1px solid #d0d7de;border-radius:8px;padding:16px;margin:16px 0}h2{margin:0 0 8px;font-size:1.2rem}
.state{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-size:.85rem;margin-left:8px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:2px 12px 2px 0;text-align:left;font-size:.9rem}
svg{width:100%;height:auto;background:#fbfbfc;border:1px solid #eaeef2}small{color:#6e7781}
"""


def _fmt(value: float | None, suffix: str) -> str:
    return "n/a" if value is None else f"{round(value, 1):g}{suffix}"


def _when(iso: str) -> str:
    """``2026-12-04T16:03:17.606276+00:00`` -> ``2026-12-04 16:03:17 UTC`` for people."""
    return iso[:19].replace("T", " ") + " UTC"


def chart(points: list[tuple[dt.datetime, float, bool]], now: dt.datetime) -> str:
    """An SVG of the response times over the last 24 h; failed checks as red dots on the axis."""
    start = now - WINDOWS["24h"]
    span = WINDOWS["24h"].total_seconds()
    top = max((latency for _, latency, ok in points if ok), default=0.0) or 1.0
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def x(at: dt.datetime) -> float:
        return round(PAD + inner_w * min(max((at - start).total_seconds() / span, 0.0), 1.0), 1)

    def y(latency: float) -> float:
        return round(PAD + inner_h * (1 - min(latency / top, 1.0)), 1)

    line = " ".join(f"{x(at)},{y(latency)}" for at, latency, ok in points if ok)
    failures = "".join(
        f'<circle cx="{x(at)}" cy="{HEIGHT - PAD}" r="3" fill="#cf222e"/>' for at, _, ok in points if not ok
    )
    return (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="response time, last 24 hours">'
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#8c959f"/>'
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" stroke="#8c959f"/>'
        f'<text x="{PAD + 4}" y="{PAD - 8}" font-size="11" fill="#57606a">{top:.1f} ms</text>'
        f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="11" fill="#57606a">24 h ago</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="11" fill="#57606a" text-anchor="end">now</text>'
        + (f'<polyline fill="none" stroke="#0969da" stroke-width="1.5" points="{line}"/>' if line else "")
        + failures
        + "</svg>"
    )


def render(report: dict[str, Any], charts: dict[str, str]) -> str:
    sections = []
    for target in report["targets"]:
        name, state = escape(target["name"]), target["state"]
        uptime = target["uptime"]
        latency = target["latency_ms"]
        incidents = "".join(
            f"<li>{escape(_when(i['started_at']))} to "
            f"{escape(_when(i['ended_at']) if i['ended_at'] else 'now (ongoing)')}"
            f" ({round(i['duration_s']):d} s)</li>"
            for i in target["incidents"]
        )
        sections.append(
            f'<section id="target-{name}"><h2>{name}<span class="state" '
            f'style="background:{COLOURS[state]}">{state}</span></h2>'
            "<table><tr><th>uptime 24 h</th><th>7 d</th><th>30 d</th><th>avg</th><th>p95</th></tr>"
            f"<tr><td>{_fmt(uptime['24h'], ' %')}</td><td>{_fmt(uptime['7d'], ' %')}</td>"
            f"<td>{_fmt(uptime['30d'], ' %')}</td><td>{_fmt(latency['avg'], ' ms')}</td>"
            f"<td>{_fmt(latency['p95'], ' ms')}</td></tr></table>"
            f"{charts[target['name']]}"
            + (f"<h3>Recent incidents</h3><ul>{incidents}</ul>" if incidents else NO_INCIDENTS)
            + "</section>"
        )
    body = "".join(sections) or "<p>No targets are configured.</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Spotifiuby status</title><style>{STYLE}</style></head><body><main>"
        f"<h1>Spotifiuby status</h1><p><small>Generated {escape(_when(report['generated_at']))}</small></p>"
        f"{body}</main></body></html>"
    )
