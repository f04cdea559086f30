"""Moderation and user-metrics bodies."""

import datetime as dt
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate

from functions.users.profiles.schemas import UserSearchQuery
from spotifiuby.models.users import ROLES
from spotifiuby.schemas import Schema, Text

DEFAULT_METRICS_DAYS = 7
MAX_METRICS_DAYS = 366


class StrictBoolean(fields.Boolean):
    """JSON ``true`` or ``false`` only: ``1``, ``"yes"`` or ``"true"`` are not booleans in a body."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class AdminUserQuery(UserSearchQuery):
    blocked = fields.Boolean()


class ModerationSchema(Schema):
    blocked = StrictBoolean()
    role = fields.String(validate=validate.OneOf(ROLES))
    reason = Text(min_length=1, max_length=500)


class UserMetricsQuery(Schema):
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")

    @post_load
    def _range(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """Default to the last 7 UTC days including today; one side alone defaults the other."""
        today = dt.datetime.now(dt.UTC).date()
        end = data.get("end") or (
            data["start"] + dt.timedelta(days=DEFAULT_METRICS_DAYS - 1) if "start" in data else today
        )
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_METRICS_DAYS - 1)
        if start > end:
            raise ValidationError({"from": ["Must not be after 'to'."]})
        if (end - start).days + 1 > MAX_METRICS_DAYS:
            raise ValidationError({"to": [f"The range spans at most {MAX_METRICS_DAYS} days."]})
        return {"start": start, "end": end}


class MethodCountsSchema(Schema):
    password = fields.Integer(required=True)
    federated = fields.Integer(required=True)


class DayMetricsSchema(Schema):
    date = fields.Date(required=True)
    signups = fields.Nested(MethodCountsSchema, required=True)
    logins = fields.Nested(MethodCountsSchema, required=True)
    password_resets = fields.Integer(required=True)


class UserTotalsSchema(Schema):
    users = fields.Integer(required=True)
    active = fields.Integer(required=True)
    blocked = fields.Integer(required=True)


class UserMetricsSchema(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")
    days = fields.List(fields.Nested(DayMetricsSchema), required=True)
    totals = fields.Nested(UserTotalsSchema, required=True)
