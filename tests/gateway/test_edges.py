"""Body size, rate limit, CORS, the gateway's own endpoints and its production checks."""

import io

import pytest

from functions.gateway.app import create_app, guarded_metrics
from spotifiuby.config import ConfigError, Settings
from spotifiuby.errors import NotFound
from spotifiuby.tokens import public_pem_of
from tests.gateway.conftest import bearer, echoed

ORIGIN = "https://app.spotifiuby.example"


def test_content_length_over_the_limit_is_413_before_reading(gateway):
    # the declared length is a lie and no body follows: reading it would fail, refusing does not
    response = gateway(MAX_BODY_BYTES="1000").post(
        "/auth/signup", data=b"{}", environ_overrides={"CONTENT_LENGTH": str(50 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


def test_route_limit_applies_over_the_default(gateway):
    client = gateway(MAX_BODY_BYTES=str(1024 * 1024))
    assert (
        client.post("/auth/signup", data=b"x" * (64 * 1024 + 1)).status_code == 413
    )  # /auth/* allows 64 KiB
    assert echoed(client.post("/auth/signup", data=b"x" * (64 * 1024)))["method"] == "POST"


def test_chunked_body_is_cut_off_at_the_limit(gateway, tokens):
    client = gateway(MAX_BODY_BYTES="1000")
    token = bearer(tokens.issue(user_id=1, role="listener"))

    def put(size):
        return client.put(
            "/me/push-token",
            input_stream=io.BytesIO(b"x" * size),
            headers={"Transfer-Encoding": "chunked", **token},
            environ_overrides={"wsgi.input_terminated": True},
        )

    assert put(1001).status_code == 413
    assert echoed(put(1000))["headers"]["content-length"] == "1000"


def test_rate_limit_is_429_with_integer_retry_after(gateway):
    client = gateway(RATE_LIMIT_PER_MINUTE="1", RATE_LIMIT_BURST="2")
    assert [client.get("/users/1").status_code for _ in range(2)] == [200, 200]
    response = client.get("/users/1")
    assert response.status_code == 429
    assert response.json["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) == 60
    assert client.get("/health").status_code == 200  # probes are never limited


def test_rate_limit_counts_per_user_when_the_token_is_valid(gateway, tokens):
    client = gateway(RATE_LIMIT_PER_MINUTE="1", RATE_LIMIT_BURST="1")
    ann, bob = (bearer(tokens.issue(user_id=n, role="listener")) for n in (1, 2))
    assert client.get("/me", headers=ann).status_code == 200
    assert client.get("/me", headers=ann).status_code == 429
    assert client.get("/me", headers=bob).status_code == 200  # same address, another user
    assert client.get("/users/1").status_code == 200  # the address itself still has its token


def test_rate_limit_counts_per_client_address_behind_trusted_proxies(gateway):
    client = gateway(RATE_LIMIT_PER_MINUTE="1", RATE_LIMIT_BURST="1", TRUSTED_PROXY_HOPS="1")
    assert client.get("/users/1", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
    assert client.get("/users/1", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 429
    assert client.get("/users/1", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 200


def test_forwarded_for_cannot_dodge_the_limit_without_trusted_proxies(gateway):
    client = gateway(RATE_LIMIT_PER_MINUTE="1", RATE_LIMIT_BURST="1", TRUSTED_PROXY_HOPS="0")
    assert client.get("/users/1", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
    assert client.get("/users/1", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 429


def test_allowed_origin_gets_cors_headers(gateway):
    response = gateway(CORS_ORIGINS=f"{ORIGIN}, https://other.example").get(
        "/users/1", headers={"Origin": ORIGIN}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response.headers["Vary"]
    assert "X-Request-Id" in response.headers["Access-Control-Expose-Headers"]
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]


def test_other_origin_gets_no_cors_headers(gateway):
    response = gateway(CORS_ORIGINS=ORIGIN).get("/users/1", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Expose-Headers" not in response.headers


def test_preflight_is_answered_by_the_gateway(gateway):
    response = gateway(CORS_ORIGINS=ORIGIN).options(
        "/me",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in response.headers["Vary"]
    assert "Content-Type" not in response.headers


def test_preflight_from_another_origin_is_403(gateway):
    response = gateway(CORS_ORIGINS=ORIGIN).options(
        "/me", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert response.status_code == 403
    assert response.json["error"]["code"] == "cors_origin_denied"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_errors_carry_cors_headers_so_browsers_can_read_them(gateway):
    client = gateway(CORS_ORIGINS=ORIGIN, RATE_LIMIT_PER_MINUTE="1", RATE_LIMIT_BURST="1")
    client.get("/users/1")
    response = client.get("/users/1", headers={"Origin": ORIGIN})
    assert response.status_code == 429
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_plain_options_is_not_a_preflight(gateway):
    response = gateway(CORS_ORIGINS=ORIGIN).options("/users/1")
    assert response.status_code == 405


def test_metrics_need_the_metrics_token_when_set(gateway):
    client = gateway(METRICS_TOKEN="m3tr1cs-token-for-tests")
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer("wrong")).status_code == 401
    response = client.get("/metrics", headers=bearer("m3tr1cs-token-for-tests"))
    assert response.status_code == 200
    assert b"http_requests_total" in response.data


def test_metrics_label_proxied_requests_with_the_route_pattern(gateway):
    client = gateway()
    client.get("/users/12345")
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'function="gateway",method="GET",route="/users/{id}",status="200"' in metrics


def test_metrics_without_a_token_are_open_in_development_and_hidden_in_production():
    view = lambda: "metrics"  # noqa: E731
    assert guarded_metrics(view, Settings(environment="development"))() == "metrics"
    with pytest.raises(NotFound):
        guarded_metrics(view, Settings(environment="production"))()


def test_production_refuses_to_start_without_a_metrics_token(jwt_private_key):
    settings = Settings(
        environment="production",
        database_url="postgresql+pg8000://x@db/x",
        jwt_public_key=public_pem_of(jwt_private_key),
    )
    with pytest.raises(ConfigError, match="METRICS_TOKEN"):
        create_app(settings)
    assert create_app(settings.replace(metrics_token="a-long-metrics-token")) is not None


def test_health_and_ready_are_the_gateways_own(gateway):
    client = gateway(UPSTREAM_USERS_URL="")
    assert client.get("/health").json == {"status": "ok", "function": "gateway"}
    assert client.get("/ready").json["status"] == "ready"
