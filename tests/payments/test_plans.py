"""GET /plans: the configured plans, exact prices, level order; the price parser behind it."""

from __future__ import annotations

import pytest

from functions.payments.subscriptions.plans import all_plans, parse_price, plan_of
from spotifiuby.config import ConfigError, Settings


def test_plans_are_listed_to_anyone_in_level_order_with_exact_prices(make_client):
    response = make_client("payments").get("/plans")
    assert response.status_code == 200
    assert response.json == [
        {"code": "free", "name": "Free", "level": 0, "price": "0", "period_days": 30},
        {"code": "regular", "name": "Regular", "level": 1, "price": "0.001", "period_days": 30},
        {"code": "silver", "name": "Silver", "level": 2, "price": "0.002", "period_days": 30},
        {"code": "gold", "name": "Gold", "level": 3, "price": "0.003", "period_days": 30},
    ]


def test_plans_follow_the_configuration(make_client):
    client = make_client(
        "payments", PLAN_PRICES="free=0.000,regular=1,silver=2.5,gold=0.123456789", PLAN_PERIOD_DAYS="7"
    )
    plans = client.get("/plans").json
    assert [(p["code"], p["price"], p["period_days"]) for p in plans] == [
        ("free", "0", 7),
        ("regular", "1", 7),
        ("silver", "2.5", 7),
        ("gold", "0.123456789", 7),
    ]


def test_plans_take_no_query(make_client):
    response = make_client("payments").get("/plans?level=1")
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("text", "minor"),
    [("0", 0), ("0.0", 0), ("0.000000000", 0), ("0.001", 1_000_000), ("1", 10**9), ("0.000000001", 1)],
)
def test_prices_parse_exactly(text, minor):
    assert parse_price(text) == minor


@pytest.mark.parametrize("text", ["-1", "0.0000000001", "1e-3", "abc", "", " 1", "00.1", "0.1.1"])
def test_bad_prices_are_a_configuration_error(text):
    with pytest.raises(ConfigError):
        parse_price(text)


def test_a_priced_free_plan_is_refused():
    settings = Settings(plan_prices=(("free", "0.1"), ("regular", "1"), ("silver", "2"), ("gold", "3")))
    with pytest.raises(ConfigError, match="free"):
        all_plans(settings)


def test_plan_lookup():
    gold = plan_of(Settings(), "gold")
    assert (gold.code, gold.level, gold.price, gold.period_days) == ("gold", 3, 3_000_000, 30)
