"""The payments function: ledger, wallets, deposits and withdrawals, donations, payouts, plans and
subscriptions, payment metrics."""

from flask import Flask

from spotifiuby.app import create_function_app
from spotifiuby.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from functions.payments.subscriptions.views import api as subscriptions_api
    from functions.payments.wallet.views import api as wallet_api

    return create_function_app("payments", [wallet_api, subscriptions_api], settings)
