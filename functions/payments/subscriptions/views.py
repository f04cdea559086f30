"""Routes of the payments function: plans and subscriptions, and the expiry job's internal route."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Request, Response
from sqlalchemy.orm import Session

from functions.payments import idempotency
from functions.payments.subscriptions import service
from functions.payments.subscriptions.plans import FREE, Plan, all_plans
from functions.payments.subscriptions.schemas import (
    CurrentSubscriptionSchema,
    ExpiredSchema,
    PlanSchema,
    SubscribeSchema,
    SubscriptionChangeSchema,
)
from spotifiuby.api import Api
from spotifiuby.auth import Caller
from spotifiuby.config import Settings
from spotifiuby.db import utcnow
from spotifiuby.errors import NotFound, Unauthorized
from spotifiuby.models.music import plan_level

api = Api("subscriptions")
INTERNAL_TOKEN_HEADER = "X-Internal-Token"


@api.get("/plans", response=PlanSchema(many=True), auth="none")
def list_plans(*, settings: Settings) -> tuple[Plan, ...]:
    """The plans in level order, with their price per period."""
    return all_plans(settings)


@api.get("/me/subscription", response=CurrentSubscriptionSchema)
def get_subscription(*, caller: Caller, session: Session) -> dict[str, Any]:
    """The caller's plan now (free when no paid period covers now)."""
    return service.current(session, user_id=caller.user_id, now=utcnow())


@api.post("/me/subscription", body=SubscribeSchema, response=SubscriptionChangeSchema, status=201)
def subscribe(
    *, body: dict[str, Any], caller: Caller, session: Session, settings: Settings, request: Request
) -> Response:
    """Renew the current plan or switch plans, paid from the wallet (Idempotency-Key required)."""

    def answer() -> tuple[int, Any]:
        change = service.subscribe(
            session, settings=settings, user_id=caller.user_id, plan_code=body["plan"], now=utcnow()
        )
        row = change.subscription
        result = {
            "id": row.id if row else None,
            "plan": row.plan if row else FREE,
            "level": plan_level(row.plan) if row else 0,
            "status": row.status if row else "active",
            "started_at": row.started_at if row else None,
            "expires_at": row.expires_at if row else None,
            "price": row.price if row else 0,
            "charged": change.charged,
            "credited": change.credited,
        }
        return 201, SubscriptionChangeSchema().dump(result)

    return idempotency.idempotent(session, caller=caller, request=request, answer=answer)


@api.post("/internal/subscriptions/expire", response=ExpiredSchema, auth="none")
def expire_subscriptions(*, session: Session, settings: Settings, request: Request) -> dict[str, int]:
    """Mark lapsed subscriptions expired (a scheduled job; any body, e.g. a CloudEvent, is ignored)."""
    if not settings.internal_token:
        raise NotFound()
    given = request.headers.get(INTERNAL_TOKEN_HEADER, "")
    if not hmac.compare_digest(given.encode(), settings.internal_token.encode()):
        raise Unauthorized("A valid X-Internal-Token is required.", code="invalid_internal_token")
    return {"expired": service.expire(session, now=utcnow())}
