"""The route table: which public paths go to which function, and who may call them.

A pattern is a path of literal segments, ``{name}`` parameters (one non-empty segment) and, as the
last segment only, ``*`` (one or more further segments): ``/users/{id}/followers``, ``/auth/*``.
Among the routes whose pattern matches the path and whose methods include the request's, the most
specific wins: patterns are compared segment by segment (a literal beats ``{param}``, which beats
``*``), then the longer beats the shorter. A path no route matches is 404; a path some route
matches, but not with this method, is 405 with ``Allow`` naming every method the path accepts.
``HEAD`` is accepted wherever ``GET`` is. Adding a function is adding its entries to ``ROUTES``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from spotifiuby.errors import MethodNotAllowed, NotFound

_LITERAL, _PARAM, _WILDCARD = 2, 1, 0  # ranks: higher is more specific


@dataclass(frozen=True)
class Route:
    """``anonymous``: no token needed (a token sent must still be valid, unless ``verify_token`` is
    off: then the Authorization header goes to the function unchecked, as logout needs).
    ``max_body_bytes``: the largest request body, in bytes or as the name of the setting that holds
    it (``"max_audio_bytes"``: the limit the function itself applies); ``None`` means
    ``Settings.max_body_bytes``."""

    methods: tuple[str, ...]
    pattern: str
    upstream: str
    anonymous: bool = False
    max_body_bytes: int | str | None = None
    verify_token: bool = True
    segments: tuple[tuple[int, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.pattern.startswith("/"):
            raise ValueError(f"route pattern must start with '/': {self.pattern!r}")
        if not self.verify_token and not self.anonymous:
            raise ValueError(f"only an anonymous route may skip token verification: {self.pattern!r}")
        segments = tuple(_segment(text) for text in self.pattern[1:].split("/"))
        if any(kind == _WILDCARD for kind, _ in segments[:-1]):
            raise ValueError(f"'*' may only end a route pattern: {self.pattern!r}")
        object.__setattr__(self, "methods", tuple(m.upper() for m in self.methods))
        object.__setattr__(self, "segments", segments)

    @property
    def specificity(self) -> tuple[int, ...]:
        """Compared as tuples: segment ranks first, then length (a longer tuple wins a tie)."""
        return tuple(kind for kind, _ in self.segments)

    def accepts(self, method: str) -> bool:
        return method in self.methods or (method == "HEAD" and "GET" in self.methods)

    def match(self, parts: Sequence[str]) -> dict[str, str] | None:
        """The path parameters when ``parts`` (the path split on ``/``) fits the pattern, else ``None``."""
        params: dict[str, str] = {}
        for index, (kind, text) in enumerate(self.segments):
            if kind == _WILDCARD:
                rest = "/".join(parts[index:])
                return params if rest.strip("/") else None
            if index >= len(parts) or not parts[index]:
                return None
            if kind == _LITERAL and parts[index] != text:
                return None
            if kind == _PARAM:
                params[text] = parts[index]
        return params if len(parts) == len(self.segments) else None


def _segment(text: str) -> tuple[int, str]:
    if text == "*":
        return _WILDCARD, ""
    if text.startswith("{") and text.endswith("}") and len(text) > 2:
        return _PARAM, text[1:-1]
    if not text or any(c in text for c in "{}*"):
        raise ValueError(f"bad route segment {text!r}")
    return _LITERAL, text


@dataclass(frozen=True)
class Match:
    route: Route
    params: dict[str, str]


class RouteTable:
    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = tuple(routes)
        seen: dict[tuple[tuple[int, str], ...], set[str]] = {}
        for route in self.routes:
            # {id} and {user_id} in the same place are the same pattern
            shape = tuple((kind, text if kind == _LITERAL else "") for kind, text in route.segments)
            clash = seen.setdefault(shape, set()) & set(route.methods)
            if clash:
                raise ValueError(f"two routes for {sorted(clash)} {route.pattern}")
            seen[shape].update(route.methods)

    def match(self, method: str, path: str) -> Match:
        """The route for ``method`` and ``path``; ``NotFound`` or ``MethodNotAllowed`` otherwise."""
        parts = path.removeprefix("/").split("/")
        candidates = [(route, params) for route in self.routes if (params := route.match(parts)) is not None]
        if not candidates:
            raise NotFound("No such path.")
        allowed = [(route, params) for route, params in candidates if route.accepts(method)]
        if not allowed:
            methods = {m for route, _ in candidates for m in route.methods}
            if "GET" in methods:
                methods.add("HEAD")
            raise MethodNotAllowed(headers={"Allow": ", ".join(sorted(methods))})
        route, params = max(allowed, key=lambda candidate: candidate[0].specificity)
        return Match(route, params)


USERS = "users"
MUSIC = "music"
FEEDBACK = "feedback"
PAYMENTS = "payments"
STATUS = "status"

# answered by the gateway itself (functions/gateway/fanout.py), never proxied: not in ROUTES
ADMIN_METRICS = "/admin/metrics"

ROUTES: tuple[Route, ...] = (
    # auth: POST only; the Authorization header passes unchecked (logout verifies it itself)
    Route(("POST",), "/auth/*", USERS, anonymous=True, verify_token=False, max_body_bytes=64 * 1024),
    Route(("GET", "PATCH", "DELETE"), "/me", USERS),
    Route(("PUT", "DELETE"), "/me/following/{id}", USERS),
    Route(("GET",), "/me/genres", USERS),
    Route(("PUT", "DELETE"), "/me/genres/{id}", USERS),
    Route(("PUT", "DELETE"), "/me/push-token", USERS),
    Route(("GET",), "/users", USERS, anonymous=True),
    Route(("GET",), "/users/{id}", USERS, anonymous=True),
    Route(("GET",), "/users/{id}/followers", USERS, anonymous=True),
    Route(("GET",), "/users/{id}/following", USERS, anonymous=True),
    Route(("GET",), "/admin/users", USERS),
    Route(("PATCH", "DELETE"), "/admin/users/{id}", USERS),
    Route(("GET",), "/admin/metrics/users", USERS),
    # music
    Route(("GET",), "/genres", MUSIC, anonymous=True),
    Route(("POST",), "/genres", MUSIC),
    Route(("GET",), "/genres/{id}", MUSIC, anonymous=True),
    Route(("PATCH", "DELETE"), "/genres/{id}", MUSIC),
    Route(("GET",), "/songs", MUSIC, anonymous=True),
    Route(("POST",), "/songs", MUSIC),
    Route(("GET",), "/songs/{id}", MUSIC, anonymous=True),
    Route(("PATCH", "DELETE"), "/songs/{id}", MUSIC),
    Route(("GET",), "/songs/{id}/audio", MUSIC),
    Route(("PUT",), "/songs/{id}/audio", MUSIC, max_body_bytes="max_audio_bytes"),
    Route(("GET",), "/albums", MUSIC, anonymous=True),
    Route(("POST",), "/albums", MUSIC),
    Route(("GET",), "/albums/{id}", MUSIC, anonymous=True),
    Route(("PATCH", "DELETE"), "/albums/{id}", MUSIC),
    Route(("PUT", "DELETE"), "/albums/{id}/songs/{song_id}", MUSIC),
    Route(("GET",), "/albums/{id}/cover", MUSIC, anonymous=True),
    Route(("PUT",), "/albums/{id}/cover", MUSIC, max_body_bytes="max_image_bytes"),
    Route(("GET",), "/playlists", MUSIC, anonymous=True),
    Route(("POST",), "/playlists", MUSIC),
    Route(("GET",), "/playlists/{id}", MUSIC, anonymous=True),
    Route(("PATCH", "DELETE"), "/playlists/{id}", MUSIC),
    Route(("POST", "PUT"), "/playlists/{id}/tracks", MUSIC),
    Route(("DELETE",), "/playlists/{id}/tracks/{song_id}", MUSIC),
    Route(("PUT", "DELETE"), "/playlists/{id}/collaborators/{user_id}", MUSIC),
    Route(("GET", "PUT", "DELETE"), "/me/favorites/*", MUSIC),
    Route(("GET",), "/me/history", MUSIC),
    Route(("GET",), "/search", MUSIC, anonymous=True),
    Route(("PATCH",), "/admin/songs/{id}", MUSIC),
    Route(("PATCH",), "/admin/albums/{id}", MUSIC),
    Route(("GET",), "/admin/metrics/content", MUSIC),
    # feedback, on songs and albums alike
    *(
        route
        for kind in ("songs", "albums")
        for route in (
            Route(("GET", "PUT", "DELETE"), f"/{kind}/{{id}}/rating", FEEDBACK),
            Route(("GET",), f"/{kind}/{{id}}/ratings/summary", FEEDBACK, anonymous=True),
            Route(("PUT", "DELETE"), f"/{kind}/{{id}}/review", FEEDBACK),
            Route(("GET",), f"/{kind}/{{id}}/reviews", FEEDBACK, anonymous=True),
            Route(("GET",), f"/{kind}/{{id}}/comments", FEEDBACK, anonymous=True),
            Route(("POST",), f"/{kind}/{{id}}/comments", FEEDBACK),
        )
    ),
    Route(("PATCH", "DELETE"), "/comments/{id}", FEEDBACK),
    Route(("GET",), "/admin/metrics/feedback", FEEDBACK),
    # payments (its /internal/... routes are for the cluster's schedules and providers only)
    Route(("GET",), "/plans", PAYMENTS, anonymous=True),
    Route(("GET", "POST"), "/me/subscription", PAYMENTS),
    Route(("GET",), "/me/wallet", PAYMENTS),
    Route(("POST",), "/me/wallet/deposits", PAYMENTS),
    Route(("POST",), "/me/wallet/withdrawals", PAYMENTS),
    Route(("GET",), "/me/transactions", PAYMENTS),
    Route(("POST",), "/users/{id}/donations", PAYMENTS),
    Route(("POST",), "/admin/payouts", PAYMENTS),
    Route(("GET",), "/admin/transactions", PAYMENTS),
    Route(("GET",), "/admin/metrics/payments", PAYMENTS),
    Route(("GET",), "/status", STATUS, anonymous=True),
    Route(("GET",), "/status/page", STATUS, anonymous=True),
)
