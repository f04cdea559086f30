"""Tables owned by the payments function: a double-entry ledger, settlements, subscriptions and
idempotency records.

Money is an integer of minor units (``MINOR_UNITS_PER_UNIT`` per unit of the currency: 10^9, so
one unit of ETH is 1_000_000_000 and the largest 64-bit value is about 9.2 billion units, which
SQLite's integers hold). Every movement is a ``Transfer`` of ``Entry`` rows summing to zero; an
account's ``balance`` is the sum of its entries, cached on the row and updated in the same
transaction (a test checks the two agree). A user wallet can never go below zero: the database
refuses it (check constraint), whatever the code does.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from spotifiuby.db import Base, UTCDateTime, utcnow

MINOR_UNITS_PER_UNIT = 10**9
DECIMALS = 9
ACCOUNT_KINDS = ("wallet", "revenue", "treasury", "external")
TRANSFER_KINDS = ("deposit", "withdrawal", "refund", "subscription", "plan_credit", "donation", "payout")


class Account(Base):
    """A user's wallet (one per user), the platform's revenue and treasury, or the outside world
    as seen through one settlement provider (its balance goes negative as money comes in)."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("kind IN ('wallet', 'revenue', 'treasury', 'external')", name="kind"),
        CheckConstraint("kind <> 'wallet' OR balance >= 0", name="wallet_not_negative"),
        UniqueConstraint("kind", "name", name="uq_accounts_kind_name"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    # wallets: "user:<id>"; platform accounts: "revenue", "treasury"; external: the provider's name
    name: Mapped[str] = mapped_column(String(100))
    # the wallet's owner; kept NULL when the account is deleted, so the ledger stays whole
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Transfer(Base):
    """One movement of money: immutable once written, its entries sum to zero."""

    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{kind}'" for kind in TRANSFER_KINDS) + ")", name="kind"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_transfers_kind_created_at", "kind", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)
    # who asked for it (the payer for a donation, the admin for a payout); NULL once deleted
    initiated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    memo: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Entry(Base):
    __tablename__ = "entries"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        Index("ix_entries_account_id_id", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id", ondelete="RESTRICT"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    amount: Mapped[int] = mapped_column(BigInteger)  # positive credits the account, negative debits it


class Settlement(Base):
    """A deposit or withdrawal as the settlement provider sees it.

    A deposit moves money only when confirmed (``transfer_id`` set then, once); a withdrawal debits
    the wallet when requested and is refunded (``refund_transfer_id``) if the provider fails it.
    """

    __tablename__ = "settlements"
    __table_args__ = (
        CheckConstraint("kind IN ('deposit', 'withdrawal')", name="kind"),
        CheckConstraint("status IN ('pending', 'confirmed', 'failed')", name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("provider", "reference", name="uq_settlements_provider_reference"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    provider: Mapped[str] = mapped_column(String(50))
    reference: Mapped[str] = mapped_column(String(200))  # the provider's id for it
    destination: Mapped[str | None] = mapped_column(String(200))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id", ondelete="RESTRICT"))
    refund_transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Subscription(Base):
    """A paid period of a plan. The caller's plan is their subscription whose period covers now."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'replaced', 'expired')", name="status"),
        Index("ix_subscriptions_user_id_expires_at", "user_id", "expires_at"),
        Index("ix_subscriptions_status_expires_at", "status", "expires_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    plan: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="active")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    price: Mapped[int] = mapped_column(BigInteger)  # what was charged for the period, minor units
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class IdempotencyRecord(Base):
    """The first answer to a money-moving request, replayed for retries with the same key."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_records_user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # method, path and SHA-256 of the body: the same key with another request is refused
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
