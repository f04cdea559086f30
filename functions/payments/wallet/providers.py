"""Settlement providers: how money enters and leaves the ledger.

A provider is a small interface: ``deposit(settlement)`` and ``withdraw(settlement)`` answer an
``Outcome``. ``confirmed`` moves the money now; ``pending`` means the provider will tell us later,
through ``POST /internal/settlements/<id>/confirm``; ``failed`` refunds a withdrawal. The ledger never
knows which provider is behind an external account, so an on-chain provider (Ethereum JSON-RPC) can
be added here without touching it.

A provider is asked inside the request's transaction: if it raises, nothing of the request stays
(no settlement, no transfer). A provider that talks to the network must therefore only *submit*
and answer ``pending``, confirming later through the internal endpoint.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from spotifiuby.config import Settings
from spotifiuby.models import Settlement


class Outcome(StrEnum):
    CONFIRMED = "confirmed"
    PENDING = "pending"
    FAILED = "failed"


class Provider(Protocol):
    name: str

    def deposit(self, settlement: Settlement) -> Outcome: ...

    def withdraw(self, settlement: Settlement) -> Outcome: ...

    def instructions(self, currency: str) -> str: ...


class SandboxProvider:
    """The embedded default: deposits confirm at once; withdrawals too, except to a destination
    starting with ``fail:`` (so a failed settlement can be exercised through the API)."""

    name = "sandbox"

    def deposit(self, settlement: Settlement) -> Outcome:
        return Outcome.CONFIRMED

    def withdraw(self, settlement: Settlement) -> Outcome:
        if (settlement.destination or "").startswith("fail:"):
            return Outcome.FAILED
        return Outcome.CONFIRMED

    def instructions(self, currency: str) -> str:
        return f"Sandbox: POST /me/wallet/deposits with an amount of {currency}; it is credited at once."


class PendingProvider:
    """An asynchronous provider: every settlement waits for a later confirmation."""

    name = "pending"

    def deposit(self, settlement: Settlement) -> Outcome:
        return Outcome.PENDING

    def withdraw(self, settlement: Settlement) -> Outcome:
        return Outcome.PENDING

    def instructions(self, currency: str) -> str:
        return (
            f"POST /me/wallet/deposits with an amount of {currency}; the deposit is credited when the "
            "provider confirms it."
        )


PROVIDERS: dict[str, type[SandboxProvider] | type[PendingProvider]] = {
    SandboxProvider.name: SandboxProvider,
    PendingProvider.name: PendingProvider,
}


def provider_for(settings: Settings) -> Provider:
    """The provider ``SETTLEMENT_PROVIDER`` names; an unknown name is a configuration error."""
    try:
        return PROVIDERS[settings.settlement_provider]()
    except KeyError:
        raise RuntimeError(f"unknown SETTLEMENT_PROVIDER {settings.settlement_provider!r}") from None
