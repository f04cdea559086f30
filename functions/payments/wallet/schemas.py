"""Request and response shapes of the wallet, deposits, withdrawals, donations, payouts and the
payment history. Amounts are ``money.Amount``: decimal strings in, decimal strings out."""

from __future__ import annotations

from marshmallow import fields, validate

from functions.payments.money import Amount
from spotifiuby.models.payments import TRANSFER_KINDS
from spotifiuby.schemas import PageQuery, Schema, Text, page_schema


class AmountBody(Schema):
    amount = Amount(required=True)


class WithdrawalBody(Schema):
    amount = Amount(required=True)
    destination = Text(required=True, min_length=1, max_length=200)


class DonationBody(Schema):
    amount = Amount(required=True)
    message = Text(load_default="", max_length=500)


class PayoutBody(Schema):
    user_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    amount = Amount(required=True)


class ConfirmBody(Schema):
    status = fields.String(required=True, validate=validate.OneOf(("confirmed", "failed")))


class DepositDetailsSchema(Schema):
    provider = fields.String(required=True)
    instructions = fields.String(required=True)


class WalletSchema(Schema):
    balance = Amount(required=True)
    currency = fields.String(required=True)
    deposit = fields.Nested(DepositDetailsSchema, required=True)


class SettlementSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    amount = Amount(required=True)
    destination = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class TransferSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    amount = Amount(required=True)
    initiated_by = fields.Integer(allow_none=True)
    memo = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class CounterpartySchema(Schema):
    kind = fields.String(required=True)  # wallet, revenue, treasury or external
    user_id = fields.Integer(allow_none=True)  # the other wallet's owner (donations)


class TransactionSchema(Schema):
    id = fields.Integer(required=True)  # the transfer's id
    kind = fields.String(required=True)
    amount = Amount(required=True)  # always positive; ``direction`` says which way it went
    direction = fields.String(required=True)  # "in" or "out" of the caller's wallet
    counterparty = fields.Nested(CounterpartySchema, allow_none=True)
    memo = fields.String(required=True)
    created_at = fields.DateTime(required=True)


TransactionPage = page_schema(TransactionSchema)


class SignedAmount(fields.Field):
    """A signed amount (``"-0.5"``) of a ledger entry, for the admin's view of a transfer."""

    def _serialize(self, value, attr, obj, **kwargs):  # type: ignore[no-untyped-def]
        from functions.payments.money import format_amount

        return None if value is None else format_amount(value)


class EntrySchema(Schema):
    account_id = fields.Integer(required=True)
    account_kind = fields.String(required=True)
    account_name = fields.String(required=True)
    user_id = fields.Integer(allow_none=True)
    amount = SignedAmount(required=True)


class AdminTransferSchema(TransferSchema):
    entries = fields.List(fields.Nested(EntrySchema), required=True)


AdminTransferPage = page_schema(AdminTransferSchema)


class AdminTransactionsQuery(PageQuery):
    user_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    kind = fields.String(validate=validate.OneOf(TRANSFER_KINDS))


class PaymentMetricsQuery(Schema):
    days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=366))


class KindFiguresSchema(Schema):
    count = fields.Integer(required=True)
    amount = Amount(required=True)


class PaymentDaySchema(Schema):
    date = fields.Date(required=True)
    deposits = fields.Nested(KindFiguresSchema, required=True)
    withdrawals = fields.Nested(KindFiguresSchema, required=True)
    refunds = fields.Nested(KindFiguresSchema, required=True)
    subscriptions = fields.Nested(KindFiguresSchema, required=True)
    plan_credits = fields.Nested(KindFiguresSchema, required=True)
    donations = fields.Nested(KindFiguresSchema, required=True)
    payouts = fields.Nested(KindFiguresSchema, required=True)


class PaymentMetricsSchema(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")
    currency = fields.String(required=True)
    days = fields.List(fields.Nested(PaymentDaySchema), required=True)
