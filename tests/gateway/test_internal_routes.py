"""Cluster-only routes (schedules, provider confirmations) are never reachable through the gateway."""

from __future__ import annotations

import pytest

from functions.gateway.proxy import IDENTITY_PREFIXES
from functions.gateway.routes import ROUTES, RouteTable
from spotifiuby.errors import NotFound


@pytest.mark.parametrize("path", ["/internal/subscriptions/expire", "/internal/settlements/1/confirm"])
def test_internal_paths_are_not_routed(path):
    with pytest.raises(NotFound):
        RouteTable(ROUTES).match("POST", path)


def test_a_client_sent_internal_token_is_stripped():
    assert "x-internal-token".startswith(IDENTITY_PREFIXES)
