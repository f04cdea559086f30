"""The plans, from configuration: ``Settings.plan_prices`` (decimal strings, in plan order) and
``Settings.plan_period_days``.

Prices are parsed exactly into minor units with ``money.parse_amount``; ``"0"`` (or ``"0.000"``)
is a price of zero, which ``parse_amount`` refuses as an amount, so it is recognised first. The
``free`` plan must cost nothing: a configuration that prices it is refused (``ConfigError``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from functions.payments.money import parse_amount
from spotifiuby.config import ConfigError, Settings
from spotifiuby.models.music import PLANS, plan_level

FREE = "free"
_ZERO = re.compile(r"^0(\.0+)?$")


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    level: int
    price: int  # minor units per period
    period_days: int


def parse_price(text: str) -> int:
    """Minor units of a configured price; zero allowed (unlike an amount)."""
    if isinstance(text, str) and _ZERO.match(text):
        return 0
    try:
        return parse_amount(text)
    except ValueError as exc:
        raise ConfigError(f"PLAN_PRICES: {text!r} is not a price: {exc}") from None


@lru_cache(maxsize=8)
def _plans(prices: tuple[tuple[str, str], ...], period_days: int) -> tuple[Plan, ...]:
    by_code = dict(prices)
    if set(by_code) != set(PLANS) or len(prices) != len(PLANS):
        raise ConfigError(f"PLAN_PRICES must price exactly {', '.join(PLANS)}")
    if period_days < 1:
        raise ConfigError("PLAN_PERIOD_DAYS must be at least 1")
    plans = tuple(
        Plan(
            code=code,
            name=code.capitalize(),
            level=plan_level(code),
            price=parse_price(by_code[code]),
            period_days=period_days,
        )
        for code in PLANS
    )
    if plans[0].price != 0:
        raise ConfigError("PLAN_PRICES: the free plan must cost 0")
    return plans


def all_plans(settings: Settings) -> tuple[Plan, ...]:
    """Every plan, in level order."""
    return _plans(settings.plan_prices, settings.plan_period_days)


def plan_of(settings: Settings, code: str) -> Plan:
    """The plan with this code (codes are validated by the request schema before this)."""
    return all_plans(settings)[plan_level(code)]
