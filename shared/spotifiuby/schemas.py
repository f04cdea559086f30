"""Request validation and the response shapes every function shares.

Request schemas derive from ``Schema``: unknown fields are rejected, and every string field a
function declares has a length bound. Lists are paginated with ``PageQuery`` and answered with
``page(...)``: ``{"items", "total", "limit", "offset"}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import RAISE, ValidationError, fields, post_load, validate
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


class StrictBoolean(fields.Boolean):
    """JSON ``true`` or ``false`` only: ``1``, ``"yes"`` or ``"true"`` are not booleans in a body."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class DayRangeQuery(Schema):
    """``from``/``to`` UTC days of the admin metrics: by default the last 7 days including today,
    one bound alone extends 7 days from it, at most 366 days; loads as ``start``/``end`` dates."""

    DEFAULT_DAYS = 7
    MAX_DAYS = 366

    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")

    @post_load
    def _range(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        span = dt.timedelta(days=self.DEFAULT_DAYS - 1)
        today = dt.datetime.now(dt.UTC).date()
        end = data.get("end") or (data["start"] + span if "start" in data else today)
        start = data.get("start") or end - span
        if start > end:
            raise ValidationError({"from": ["Must not be after 'to'."]})
        if (end - start).days + 1 > self.MAX_DAYS:
            raise ValidationError({"to": [f"The range spans at most {self.MAX_DAYS} days."]})
        return {"start": start, "end": end}


def midnight(day: dt.date) -> dt.datetime:
    """The UTC instant a day starts: ``[midnight(start), midnight(end + 1 day))`` is a day range."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
