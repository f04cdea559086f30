"""Routes of the payments function: wallet, deposits, withdrawals, donations, payouts, history and
payment metrics. Every money-moving POST is idempotent (``Idempotency-Key``)."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Request, Response
from sqlalchemy.orm import Session

from functions.payments.idempotency import idempotent
from functions.payments.wallet import service
from functions.payments.wallet.providers import provider_for
from functions.payments.wallet.schemas import (
    AdminTransactionsQuery,
    AdminTransferPage,
    AmountBody,
    ConfirmBody,
    DonationBody,
    PaymentMetricsQuery,
    PaymentMetricsSchema,
    PayoutBody,
    SettlementSchema,
    TransactionPage,
    TransferSchema,
    WalletSchema,
    WithdrawalBody,
)
from spotifiuby.api import Api
from spotifiuby.auth import Caller
from spotifiuby.config import Settings
from spotifiuby.errors import NotFound, Unauthorized
from spotifiuby.schemas import PageQuery, page

api = Api("wallet")

INTERNAL_TOKEN_HEADER = "X-Internal-Token"
_settlement, _transfer = SettlementSchema(), TransferSchema()


@api.get("/me/wallet", response=WalletSchema)
def get_wallet(*, caller: Caller, session: Session, settings: Settings) -> dict[str, Any]:
    """The caller's balance, the currency and how to deposit."""
    return service.wallet(
        session, user_id=caller.user_id, currency=settings.currency, provider=provider_for(settings)
    )


@api.post("/me/wallet/deposits", body=AmountBody, response=SettlementSchema, status=201)
def create_deposit(
    *, body: dict[str, Any], caller: Caller, session: Session, settings: Settings, request: Request
) -> Response:
    """Deposit through the settlement provider (credited when it confirms). Needs Idempotency-Key."""

    def answer() -> tuple[int, Any]:
        settlement = service.deposit(
            session, user_id=caller.user_id, amount=body["amount"], provider=provider_for(settings)
        )
        return 201, _settlement.dump(settlement)

    return idempotent(session, caller=caller, request=request, answer=answer)


@api.post("/me/wallet/withdrawals", body=WithdrawalBody, response=SettlementSchema, status=201)
def create_withdrawal(
    *, body: dict[str, Any], caller: Caller, session: Session, settings: Settings, request: Request
) -> Response:
    """Withdraw: debited at once (402 when short), refunded if the settlement fails."""

    def answer() -> tuple[int, Any]:
        settlement = service.withdraw(
            session,
            user_id=caller.user_id,
            amount=body["amount"],
            destination=body["destination"],
            provider=provider_for(settings),
        )
        return 201, _settlement.dump(settlement)

    return idempotent(session, caller=caller, request=request, answer=answer)


@api.post(
    "/internal/settlements/<int:settlement_id>/confirm",
    body=ConfirmBody,
    response=SettlementSchema,
    auth="none",
)
def confirm_settlement(
    *, settlement_id: int, body: dict[str, Any], session: Session, settings: Settings, request: Request
) -> Any:
    """The settlement provider's confirmation (X-Internal-Token; never routed by the gateway)."""
    if not settings.internal_token:
        raise NotFound()
    given = request.headers.get(INTERNAL_TOKEN_HEADER, "")
    if not hmac.compare_digest(given.encode(), settings.internal_token.encode()):
        raise Unauthorized("A valid X-Internal-Token is required.", code="invalid_internal_token")
    return service.confirm(session, settlement_id=settlement_id, status=body["status"])


@api.post("/users/<int:user_id>/donations", body=DonationBody, response=TransferSchema, status=201)
def donate(
    *, user_id: int, body: dict[str, Any], caller: Caller, session: Session, request: Request
) -> Response:
    """Tip another user from the caller's own wallet. Needs Idempotency-Key."""

    def answer() -> tuple[int, Any]:
        transfer = service.donate(
            session,
            user_id=caller.user_id,
            to_user_id=user_id,
            amount=body["amount"],
            message=body["message"],
        )
        return 201, _transfer.dump(transfer)

    return idempotent(session, caller=caller, request=request, answer=answer)


@api.post("/admin/payouts", body=PayoutBody, response=TransferSchema, status=201, auth="admin")
def create_payout(*, body: dict[str, Any], caller: Caller, session: Session, request: Request) -> Response:
    """Pay a user from the platform treasury. Needs Idempotency-Key."""

    def answer() -> tuple[int, Any]:
        transfer = service.payout(
            session, admin_id=caller.user_id, user_id=body["user_id"], amount=body["amount"]
        )
        return 201, _transfer.dump(transfer)

    return idempotent(session, caller=caller, request=request, answer=answer)


@api.get("/me/transactions", query=PageQuery, response=TransactionPage)
def list_transactions(*, query: dict[str, Any], caller: Caller, session: Session) -> dict[str, Any]:
    """The caller's ledger history, newest first."""
    items, total = service.transactions(session, user_id=caller.user_id, **query)
    return page(items, total, query)


@api.get("/admin/transactions", query=AdminTransactionsQuery, response=AdminTransferPage, auth="admin")
def list_all_transactions(*, query: dict[str, Any], session: Session) -> dict[str, Any]:
    """Transfers with their entries, newest first; filter by user and kind."""
    items, total = service.admin_transactions(session, **query)
    return page(items, total, query)


@api.get("/admin/metrics/payments", query=PaymentMetricsQuery, response=PaymentMetricsSchema, auth="admin")
def payment_metrics(*, query: dict[str, Any], session: Session, settings: Settings) -> dict[str, Any]:
    """Per UTC day: count and amount of each kind of transfer."""
    return service.metrics(session, days=query["days"], currency=settings.currency)
