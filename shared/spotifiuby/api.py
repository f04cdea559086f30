"""Routes of a function, declared once: parsing, authorization, serialization and OpenAPI.

A view is a plain function; the decorator says what it takes and returns::

    api = Api("users")

    @api.post("/auth/signup", body=SignupSchema, response=SessionSchema, status=201, auth="none")
    def signup(*, body, session): ...

The view receives, by parameter name, only what it asks for among ``body``, ``query`` (both
already validated), ``caller`` (``auth.Caller`` or ``None``), ``session`` (the request's database
session, committed when the view returns), ``settings`` and ``request``, plus the path parameters.
``auth`` is ``"none"`` (token ignored), ``"optional"`` (anonymous allowed, a token present must be
valid), ``"user"`` or ``"admin"``. The OpenAPI document is built from these declarations on first
request of ``/openapi.json``, so building it costs nothing at cold start.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema

AUTH_LEVELS = ("none", "optional", "user", "admin")
INJECTABLE = ("body", "query", "caller", "session", "settings", "request")
_PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass
class Operation:
    method: str
    rule: str
    view: Callable[..., Any]
    body: Schema | None
    query: Schema | None
    response: Schema | None
    status: int
    auth: str
    summary: str
    tag: str
    raw_body: str | None = None
    wants: frozenset[str] = field(default_factory=frozenset)

    @property
    def openapi_path(self) -> str:
        return _PATH_PARAM.sub(lambda m: "{" + m.group(2) + "}", self.rule)


def _instance(schema: type[Schema] | Schema | None) -> Schema | None:
    return schema() if isinstance(schema, type) else schema


class Api:
    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.operations: list[Operation] = []

    def route(
        self,
        method: str,
        rule: str,
        *,
        body: type[Schema] | Schema | None = None,
        query: type[Schema] | Schema | None = None,
        response: type[Schema] | Schema | None = None,
        status: int = 200,
        auth: str = "user",
        raw_body: str | None = None,
        summary: str | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        if auth not in AUTH_LEVELS:
            raise ValueError(f"auth must be one of {AUTH_LEVELS}")

        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            params = inspect.signature(view).parameters
            self.operations.append(
                Operation(
                    method=method,
                    rule=rule,
                    view=view,
                    body=_instance(body),
                    query=_instance(query),
                    response=_instance(response),
                    status=status,
                    auth=auth,
                    summary=summary or (inspect.getdoc(view) or view.__name__).splitlines()[0],
                    tag=self.tag,
                    raw_body=raw_body,
                    wants=frozenset(name for name in INJECTABLE if name in params),
                )
            )
            return view

        return register

    def get(self, rule: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route("GET", rule, **kwargs)

    def post(self, rule: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route("POST", rule, **kwargs)

    def put(self, rule: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route("PUT", rule, **kwargs)

    def patch(self, rule: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route("PATCH", rule, **kwargs)

    def delete(self, rule: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.route("DELETE", rule, **kwargs)


def openapi_document(title: str, operations: list[Operation]) -> dict[str, Any]:
    """The OpenAPI 3 document of a function, generated from its declared schemas (apispec)."""
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    from spotifiuby.schemas import ErrorResponse

    spec = APISpec(title=title, version="1.0.0", openapi_version="3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Error", schema=ErrorResponse)
    error = {"description": "Error", "content": {"application/json": {"schema": "Error"}}}

    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        parameters: list[Any] = [
            {
                "in": "path",
                "name": name,
                "required": True,
                "schema": {"type": "integer" if converter == "int" else "string"},
            }
            for converter, name in _PATH_PARAM.findall(op.rule)
        ]
        if op.query is not None:
            parameters.append({"in": "query", "schema": op.query})
        operation: dict[str, Any] = {"tags": [op.tag], "summary": op.summary, "parameters": parameters}
        if op.body is not None:
            json_body = {"application/json": {"schema": op.body}}
            operation["requestBody"] = {"required": True, "content": json_body}
        elif op.raw_body:
            operation["requestBody"] = {
                "required": True,
                "content": {op.raw_body: {"schema": {"type": "string", "format": "binary"}}},
            }
        success: dict[str, Any] = {"description": "Success"}
        if op.response is not None:
            success["content"] = {"application/json": {"schema": op.response}}
        responses: dict[str, Any] = {str(op.status): success, "default": error}
        if op.body is not None or op.query is not None or op.raw_body:
            responses["422"] = error
        if op.auth in ("user", "admin", "optional"):
            responses["401"] = error
        if op.auth in ("user", "admin"):
            operation["security"] = [{"bearerAuth": []}]
            responses["403"] = error
        elif op.auth == "optional":
            operation["security"] = [{}, {"bearerAuth": []}]
        if parameters and any(p.get("in") == "path" for p in parameters):
            responses["404"] = error
        operation["responses"] = responses
        paths.setdefault(op.openapi_path, {})[op.method.lower()] = operation
    for path, methods in paths.items():
        spec.path(path=path, operations=methods)
    return spec.to_dict()
