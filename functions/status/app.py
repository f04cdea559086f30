"""The status function: uptime checks of every function and the gateway, incidents, webhook
notifications, and the public status report and page (SPEC section 8)."""

from __future__ import annotations

from dataclasses import dataclass

import urllib3
from flask import Flask

from functions.status.config import StatusConfig
from spotifiuby.app import create_function_app
from spotifiuby.config import Settings


@dataclass
class StatusState:
    config: StatusConfig
    pool: urllib3.PoolManager


def create_app(settings: Settings | None = None, config: StatusConfig | None = None) -> Flask:
    from functions.status.views import api

    app = create_function_app("status", [api], settings)
    config = config or StatusConfig.from_env()
    app.extensions["status"] = StatusState(config, urllib3.PoolManager(maxsize=16, block=False))
    return app
