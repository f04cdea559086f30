"""Request validation and the response shapes every function shares.

Request schemas derive from ``Schema``: unknown fields are rejected, and every string field a
function declares has a length bound. Lists are paginated with ``PageQuery`` and answered with
``page(...)``: ``{"items", "total", "limit", "offset"}``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, ValidationError, fields, validate
from marshmallow import Schema as _Schema

from spotifiuby.errors import ValidationFailed

MAX_LIMIT = 100


class Schema(_Schema):
    class Meta:
        unknown = RAISE


class PageQuery(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_LIMIT))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)
    request_id = fields.String(allow_none=True)


class ErrorResponse(Schema):
    error = fields.Nested(ErrorBody, required=True)


def page_schema(item: type[_Schema]) -> type[_Schema]:
    """The schema of a page of ``item`` (named after it in the OpenAPI document)."""
    name = item.__name__.removesuffix("Schema") + "Page"
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item), required=True),
            "total": fields.Integer(required=True),
            "limit": fields.Integer(required=True),
            "offset": fields.Integer(required=True),
        },
    )


def page(items: list[Any], total: int, query: dict[str, Any]) -> dict[str, Any]:
    return {"items": items, "total": total, "limit": query["limit"], "offset": query["offset"]}


def load(schema: _Schema, data: Any) -> dict[str, Any]:
    """Validate ``data``; a failure is a 422 whose details name each bad field."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed(details=_flatten(messages)) from None


def _flatten(messages: dict[str, Any]) -> dict[str, Any]:
    """marshmallow says ``{"_schema": [...]}`` for whole-body errors; say ``body`` instead."""
    return {("body" if key == "_schema" else str(key)): value for key, value in messages.items()}


class Text(fields.String):
    """A string trimmed of surrounding whitespace, then held to length bounds."""

    def __init__(self, *, min_length: int = 0, max_length: int, **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(min=min_length, max=max_length), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()
