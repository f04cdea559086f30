"""GET /metrics of every function: request counter and latency by route template, DB pool gauges,
cold-start gauge."""

from __future__ import annotations

import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from spotifiuby.observability import process_age


def samples(client) -> dict[str, list]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    found: dict[str, list] = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


def test_requests_are_counted_by_route_template_not_raw_path(make_client):
    client = make_client("users")
    assert client.get("/users/123456").status_code == 404
    assert client.get("/users/654321").status_code == 404
    found = samples(client)
    routes = {s.labels["route"] for s in found["http_requests_total"] if s.labels["function"] == "users"}
    assert "/users/<int:user_id>" in routes
    assert not any(re.search(r"\d{6}", route) for route in routes), routes
    counted = [
        s
        for s in found["http_requests_total"]
        if s.labels
        == {"function": "users", "route": "/users/<int:user_id>", "method": "GET", "status": "404"}
    ]
    assert counted and counted[0].value >= 2
    latency = [s for s in found["http_request_duration_seconds_count"] if s.labels["function"] == "users"]
    assert latency


@pytest.mark.parametrize("function", ["users", "music", "feedback", "payments"])
def test_pool_gauges_for_a_function_with_a_database(make_client, function):
    client = make_client(function)
    found = samples(client)
    for name in ("db_pool_checked_out", "db_pool_size", "db_pool_overflow"):
        mine = [s for s in found.get(name, []) if s.labels == {"function": function}]
        assert len(mine) == 1, (name, found.get(name))
    size = next(s for s in found["db_pool_size"] if s.labels["function"] == function)
    assert size.value >= 1
    checked_out = next(s for s in found["db_pool_checked_out"] if s.labels["function"] == function)
    assert checked_out.value >= 0


def test_no_pool_gauges_for_the_gateway(make_client):
    found = samples(make_client("gateway"))
    assert not any(s.labels["function"] == "gateway" for s in found.get("db_pool_size", []))


def test_cold_start_gauge_is_positive(make_client):
    found = samples(make_client("users"))
    cold = [s for s in found["process_cold_start_seconds"] if s.labels == {"function": "users"}]
    assert len(cold) == 1
    assert 0 < cold[0].value <= process_age()


def test_process_age_is_positive_and_grows():
    first = process_age()
    assert first > 0
    assert process_age() >= first
