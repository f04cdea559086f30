"""Amounts: decimal strings in the API, integer minor units in the database, never a float.

``"0.1"`` is exactly 100_000_000 minor units. An amount has at most ``DECIMALS`` (9) decimals, is
positive, and at most ``MAX_AMOUNT`` (one million units), far inside the 64-bit integers SQLite
and PostgreSQL store.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields

from spotifiuby.models.payments import DECIMALS, MINOR_UNITS_PER_UNIT

MAX_AMOUNT = 1_000_000 * MINOR_UNITS_PER_UNIT
_AMOUNT = re.compile(rf"^(0|[1-9][0-9]{{0,15}})(\.[0-9]{{1,{DECIMALS}}})?$")


def parse_amount(text: str) -> int:
    """Minor units of a decimal string; ``ValueError`` saying why when it is not an amount."""
    if not isinstance(text, str) or not _AMOUNT.match(text):
        raise ValueError(f'An amount is a decimal string with at most {DECIMALS} decimals, like "0.002".')
    minor = int(Decimal(text) * MINOR_UNITS_PER_UNIT)
    if minor <= 0:
        raise ValueError("The amount must be greater than zero.")
    if minor > MAX_AMOUNT:
        raise ValueError(f"The amount must be at most {format_amount(MAX_AMOUNT)}.")
    return minor


def format_amount(minor: int) -> str:
    """``1_500_000`` -> ``"0.0015"``: exact, without trailing zeros (``"0"`` for zero)."""
    sign = "-" if minor < 0 else ""
    units, fraction = divmod(abs(minor), MINOR_UNITS_PER_UNIT)
    decimals = f"{fraction:0{DECIMALS}d}".rstrip("0")
    return f"{sign}{units}.{decimals}" if decimals else f"{sign}{units}"


class Amount(fields.Field):
    """A money field: loads a decimal string into minor units, dumps minor units as a string."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        try:
            return parse_amount(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value: int | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format_amount(value)
