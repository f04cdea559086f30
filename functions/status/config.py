"""The status function's own settings, read from the environment.

``STATUS_TARGETS``: ``name=url`` pairs separated by commas (``users=http://127.0.0.1:8081/ready``);
unset, every ``UPSTREAM_<NAME>_URL`` + ``/ready`` and, when ``GATEWAY_URL`` is set, the gateway's
``/ready``. ``STATUS_FAILURES_TO_DOWN`` (default 3) consecutive failures mark a target down;
``STATUS_TIMEOUT`` (seconds, default 5) bounds each probe. ``STATUS_WEBHOOKS``: URLs separated by
commas; a URL containing ``discord`` gets ``{"content": "..."}``, any other plain JSON.
``STATUS_WEBHOOK_ATTEMPTS`` (default 3) posts per check and ``STATUS_WEBHOOK_BACKOFF`` (seconds,
default 0.5, doubled after each failure) between them; a notification still undelivered is tried
again on the next check, up to ``STATUS_WEBHOOK_MAX_ATTEMPTS`` (default 50) posts in all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from spotifiuby.config import ConfigError

NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class Target:
    name: str
    url: str


@dataclass(frozen=True)
class StatusConfig:
    targets: tuple[Target, ...] = ()
    failures_to_down: int = 3
    timeout: float = 5.0
    webhooks: tuple[str, ...] = ()
    webhook_attempts: int = 3
    webhook_backoff: float = 0.5
    webhook_max_attempts: int = 50

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StatusConfig:
        env = os.environ if env is None else env
        return cls(
            targets=_targets(env),
            failures_to_down=_number(env, "STATUS_FAILURES_TO_DOWN", 3, int, minimum=1),
            timeout=_number(env, "STATUS_TIMEOUT", 5.0, float, minimum=0.001),
            webhooks=tuple(_split(env.get("STATUS_WEBHOOKS", ""))),
            webhook_attempts=_number(env, "STATUS_WEBHOOK_ATTEMPTS", 3, int, minimum=1),
            webhook_backoff=_number(env, "STATUS_WEBHOOK_BACKOFF", 0.5, float, minimum=0),
            webhook_max_attempts=_number(env, "STATUS_WEBHOOK_MAX_ATTEMPTS", 50, int, minimum=1),
        )


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _targets(env: Mapping[str, str]) -> tuple[Target, ...]:
    if env.get("STATUS_TARGETS", "").strip():
        targets = []
        for item in _split(env["STATUS_TARGETS"]):
            name, sep, url = item.partition("=")
            name, url = name.strip().lower(), url.strip()
            if not sep or not name or not set(name) <= NAME_CHARS or len(name) > 64:
                raise ConfigError(f"STATUS_TARGETS: {item!r} is not name=url (name: a-z, 0-9, - and _)")
            if not url.startswith(("http://", "https://")):
                raise ConfigError(f"STATUS_TARGETS: the url of {name!r} must be http(s)")
            targets.append(Target(name, url))
        if len({t.name for t in targets}) != len(targets):
            raise ConfigError("STATUS_TARGETS names a target twice")
        return tuple(targets)
    defaults = [
        Target(key[len("UPSTREAM_") : -len("_URL")].lower(), env[key].rstrip("/") + "/ready")
        for key in sorted(env)
        if key.startswith("UPSTREAM_") and key.endswith("_URL") and env[key]
    ]
    if env.get("GATEWAY_URL"):
        defaults.append(Target("gateway", env["GATEWAY_URL"].rstrip("/") + "/ready"))
    return tuple(defaults)


def _number(env: Mapping[str, str], name: str, default, kind, *, minimum):  # type: ignore[no-untyped-def]
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {raw!r}")
    return value
