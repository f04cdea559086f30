"""The merged API document (``GET /openapi.json``) and Swagger UI (``GET /docs``).

Imported only when one of those is requested. Every configured function's own ``/openapi.json`` is
fetched in parallel with a short timeout and merged into one OpenAPI 3 document:

- only the operations the gateway routes to that function are kept (what a client can reach);
- components with the same name and the same definition appear once; when the definitions differ,
  each function's copy is renamed ``<function>_<Name>`` and that function's ``$ref``s follow (so
  does every component that refers to a renamed one);
- functions that could not be read are named in ``x-unavailable``.

The merged document is cached for 60 seconds.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import urllib3
from flask import Response, send_from_directory

from functions.gateway.proxy import UpstreamPool, Upstreams
from functions.gateway.routes import RouteTable
from spotifiuby.errors import ApiError
from spotifiuby.observability import log

logger = logging.getLogger("spotifiuby.gateway")

CACHE_SECONDS = 60.0
FETCH_CONNECT_TIMEOUT = 2.0
FETCH_READ_TIMEOUT = 5.0
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class DocumentCache:
    """One merged document, rebuilt at most once per ``ttl`` (concurrent callers wait for it)."""

    def __init__(self, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._document: dict[str, Any] | None = None
        self._expires = 0.0

    def get(self, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._lock:
            if self._document is None or self._clock() >= self._expires:
                self._document = build()
                self._expires = self._clock() + self.ttl
            return self._document


def merged_openapi(upstreams: Upstreams, routes: RouteTable) -> dict[str, Any]:
    pools = list(upstreams)
    if not pools:
        return merge({}, [], routes)
    with ThreadPoolExecutor(max_workers=len(pools)) as executor:
        fetched = dict(zip((p.config.name for p in pools), executor.map(fetch_document, pools), strict=True))
    documents = {name: doc for name, doc in fetched.items() if doc is not None}
    return merge(documents, [name for name, doc in fetched.items() if doc is None], routes)


def fetch_document(upstream: UpstreamPool) -> dict[str, Any] | None:
    """The function's own OpenAPI document, or ``None`` when it cannot be had quickly."""
    timeout = urllib3.Timeout(
        connect=min(upstream.config.connect_timeout, FETCH_CONNECT_TIMEOUT),
        read=min(upstream.config.read_timeout, FETCH_READ_TIMEOUT),
    )
    try:
        response = upstream.pool.urlopen(
            "GET", upstream.base_path + "/openapi.json", retries=False, redirect=False, timeout=timeout
        )
        document = json.loads(response.data) if response.status == 200 else None
    except (urllib3.exceptions.HTTPError, ValueError) as exc:
        log(
            logger,
            logging.WARNING,
            "openapi fetch failed",
            upstream=upstream.config.name,
            error=type(exc).__name__,
        )
        return None
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        log(
            logger,
            logging.WARNING,
            "openapi fetch failed",
            upstream=upstream.config.name,
            error="not_openapi",
        )
        return None
    return document


def merge(
    documents: Mapping[str, dict[str, Any]], unavailable: list[str], routes: RouteTable
) -> dict[str, Any]:
    """One OpenAPI 3 document from the functions' own, keyed by function name."""
    names = sorted(documents)
    definitions: dict[tuple[str, str], dict[str, Any]] = {}  # (section, name) -> {function: definition}
    for function in names:
        for section, entries in documents[function].get("components", {}).items():
            for name, definition in entries.items():
                definitions.setdefault((section, name), {})[function] = definition
    renamed = _conflicting(definitions)

    merged: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {
            "title": "Spotifiuby API",
            "version": "1.0.0",
            "description": "Every function's API as the gateway serves it.",
        },
        "paths": {},
        "components": {},
        "tags": [],
        "x-unavailable": sorted(unavailable),
    }
    for function in names:
        refs = {
            _ref(section, name): _ref(section, f"{function}_{name}")
            for section, name in renamed
            if function in definitions[(section, name)]
        }
        document = _rewrite(documents[function], refs)
        for path, item in document.get("paths", {}).items():
            operations = {
                method: op for method, op in item.items() if _routed(routes, method, path, function)
            }
            if operations:
                target = merged["paths"].setdefault(path, {})
                target.update({k: v for k, v in item.items() if k not in HTTP_METHODS})
                target.update(operations)
        for section, entries in document.get("components", {}).items():
            for name, definition in entries.items():
                key = f"{function}_{name}" if (section, name) in renamed else name
                merged["components"].setdefault(section, {})[key] = definition
        for tag in document.get("tags", []):
            if tag.get("name") not in {t.get("name") for t in merged["tags"]}:
                merged["tags"].append(tag)
    return merged


def _conflicting(definitions: dict[tuple[str, str], dict[str, Any]]) -> set[tuple[str, str]]:
    conflicting = {
        key
        for key, by_function in definitions.items()
        if len({json.dumps(d, sort_keys=True) for d in by_function.values()}) > 1
    }
    # a component that refers to a renamed one becomes function-specific too
    while True:
        spread = {
            key
            for key, by_function in definitions.items()
            if key not in conflicting and any(_refs_in(d) & conflicting for d in by_function.values())
        }
        if not spread:
            return conflicting
        conflicting |= spread


def _ref(section: str, name: str) -> str:
    return f"#/components/{section}/{name}"


def _refs_in(value: Any) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/") and ref.count("/") == 3:
            _, _, section, name = ref.split("/")
            found.add((section, name))
        for item in value.values():
            found |= _refs_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= _refs_in(item)
    return found


def _rewrite(value: Any, refs: dict[str, str]) -> Any:
    if not refs:
        return value
    if isinstance(value, dict):
        return {
            key: refs.get(item, item) if key == "$ref" and isinstance(item, str) else _rewrite(item, refs)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_rewrite(item, refs) for item in value]
    return value


def _routed(routes: RouteTable, method: str, path: str, function: str) -> bool:
    if method not in HTTP_METHODS:
        return False
    try:
        # "{id}" is an ordinary segment to the matcher: only a {param} of a route accepts it
        return routes.match(method.upper(), path).route.upstream == function
    except ApiError:
        return False


DOCS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>Spotifiuby API</title>
  <link rel="stylesheet" type="text/css" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
  <script src="/docs/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
  <script>
    window.onload = function () {
      window.ui = SwaggerUIBundle({
        url: "/openapi.json",
        dom_id: "#swagger-ui",
        deepLinking: true,
        validatorUrl: null,
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        layout: "StandaloneLayout"
      });
    };
  </script>
</body>
</html>
"""


def docs_page() -> Response:
    return Response(DOCS_PAGE, content_type="text/html; charset=utf-8")


def docs_asset(asset: str) -> Response:
    """A file of the swagger-ui-bundle package (no CDN); unknown names are 404."""
    from swagger_ui_bundle import swagger_ui_path

    return send_from_directory(str(swagger_ui_path), asset, max_age=24 * 3600)
