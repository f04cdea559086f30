"""Moderation and user-metrics bodies."""

from marshmallow import fields, validate

from functions.users.profiles.schemas import UserSearchQuery
from spotifiuby.models.users import ROLES
from spotifiuby.schemas import Schema, StrictBoolean, Text


class AdminUserQuery(UserSearchQuery):
    blocked = fields.Boolean()


class ModerationSchema(Schema):
    blocked = StrictBoolean()
    role = fields.String(validate=validate.OneOf(ROLES))
    reason = Text(min_length=1, max_length=500)


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
