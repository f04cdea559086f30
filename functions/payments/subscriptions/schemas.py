"""Request and response shapes of plans and subscriptions."""

from marshmallow import fields, validate

from functions.payments.money import Amount
from spotifiuby.models.music import PLANS
from spotifiuby.schemas import Schema


class PlanSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)
    price = Amount(required=True)  # "0" for free
    period_days = fields.Integer(required=True)


class SubscribeSchema(Schema):
    plan = fields.String(required=True, validate=validate.OneOf(PLANS))


class CurrentSubscriptionSchema(Schema):
    """The plan the caller has now; ``free`` (dates null) when no paid period covers now."""

    plan = fields.String(required=True)
    level = fields.Integer(required=True)
    status = fields.String(required=True)
    started_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)  # the end of the paid time, renewals included


class SubscriptionChangeSchema(Schema):
    """The period just bought (``id`` null and dates null when switching to free), with what was
    charged for it and what was credited back for the plan it replaced."""

    id = fields.Integer(allow_none=True)
    plan = fields.String(required=True)
    level = fields.Integer(required=True)
    status = fields.String(required=True)
    started_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    price = Amount(required=True)
    charged = Amount(required=True)
    credited = Amount(required=True)


class ExpiredSchema(Schema):
    expired = fields.Integer(required=True)
