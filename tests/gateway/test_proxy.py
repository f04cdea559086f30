"""Forwarding through the gateway's real app to a real echo server."""

import base64
import io

from tests.gateway.conftest import bearer, echoed
from tests.gateway.servers import CHUNK, GATES, Gate

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


def test_unknown_path_is_404_json(gateway):
    response = gateway().get("/nope")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert response.json["error"]["request_id"] == response.headers["X-Request-Id"]


def test_known_path_with_wrong_method_is_405_with_allow(gateway):
    response = gateway().get("/me/following/5")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "DELETE, PUT"


def test_method_path_query_and_binary_body_go_byte_for_byte(gateway):
    body = bytes(range(256)) * 64
    response = gateway().post(
        "/auth/caf%C3%A9%20x?b=%FF&a=1&a=2&blank=&plus=a+b",
        data=body,
        headers={"Content-Type": "application/octet-stream"},
    )
    seen = echoed(response)
    assert seen["method"] == "POST"
    assert seen["raw_uri"] == "/auth/caf%C3%A9%20x?b=%FF&a=1&a=2&blank=&plus=a+b"
    assert seen["query"] == "b=%FF&a=1&a=2&blank=&plus=a+b"
    assert base64.b64decode(seen["body_b64"]) == body
    assert seen["headers"]["content-length"] == str(len(body))
    assert seen["headers"]["content-type"] == "application/octet-stream"


def test_escaped_slash_in_the_path_stays_escaped(gateway):
    assert echoed(gateway().post("/auth/x%2Fy%3Fz"))["raw_uri"] == "/auth/x%2Fy%3Fz"


def test_answer_without_content_type_gets_none_added(gateway, tokens):
    response = gateway().delete(
        "/me/following/3?empty=204", headers=bearer(tokens.issue(user_id=1, role="listener"))
    )
    assert response.status_code == 204
    assert "Content-Type" not in response.headers
    assert response.data == b""


def test_status_and_headers_come_back_minus_hop_by_hop(gateway):
    response = gateway().get("/users/1?status=418")
    assert response.status_code == 418
    assert response.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert response.headers["Content-Type"] == "application/json"
    assert "Access-Control-Allow-Origin" not in response.headers  # only the gateway answers CORS
    assert response.headers.get("Server") is None
    assert "Keep-Alive" not in response.headers


def test_headers_the_upstream_names_in_connection_are_not_relayed():
    from urllib3 import HTTPHeaderDict

    from functions.gateway.proxy import _relayed_headers

    upstream = HTTPHeaderDict(
        {"Connection": "X-Hop", "X-Hop": "1", "X-Kept": "2", "Transfer-Encoding": "chunked"}
    )
    assert _relayed_headers(upstream) == [("X-Kept", "2")]


def test_client_identity_and_forwarding_headers_are_stripped(gateway):
    response = gateway().get(
        "/users/1",
        headers={
            "X-User-Id": "1",
            "X-User-Role": "admin",
            "X-Role": "admin",
            "X-Email": "root@example.com",
            "X-Admin": "true",
            "X-Auth-User": "1",
            "X-Remote-User": "root",
            "X-Spotifiuby-User": "1",
            "X-Forwarded-User": "root",
            "X-Forwarded-For": "6.6.6.6",
            "X-Forwarded-Host": "evil.example",
            "Forwarded": "for=6.6.6.6",
            "Connection": "close, X-Secret-Hop",
            "X-Secret-Hop": "drop me",
            "X-Kept": "kept",
        },
    )
    headers = echoed(response)["headers"]
    for name in (
        "x-user-id",
        "x-user-role",
        "x-role",
        "x-email",
        "x-admin",
        "x-auth-user",
        "x-remote-user",
        "x-spotifiuby-user",
        "x-forwarded-user",
        "forwarded",
        "x-secret-hop",
    ):
        assert name not in headers, name
    assert headers["x-kept"] == "kept"
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-host"] == "localhost"


def test_forwarded_for_comes_from_the_trusted_proxy(gateway):
    response = gateway(TRUSTED_PROXY_HOPS="1").get(
        "/users/1", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7"}
    )
    assert echoed(response)["headers"]["x-forwarded-for"] == "203.0.113.7"


def test_sane_request_id_is_kept_and_trace_continues(gateway):
    response = gateway().get(
        "/users/1", headers={"X-Request-Id": "client-req-0001", "traceparent": TRACEPARENT}
    )
    headers = echoed(response)["headers"]
    assert headers["x-request-id"] == "client-req-0001"
    assert response.headers["X-Request-Id"] == "client-req-0001"
    version, trace_id, parent_id, flags = headers["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", TRACE_ID, "01")
    assert parent_id != "00f067aa0ba902b7"  # the gateway's own span


def test_insane_request_id_and_trace_are_replaced(gateway):
    response = gateway().get(
        "/users/1", headers={"X-Request-Id": "bad id\twith spaces", "traceparent": "garbage"}
    )
    headers = echoed(response)["headers"]
    assert headers["x-request-id"] != "bad id\twith spaces"
    assert headers["x-request-id"] == response.headers["X-Request-Id"]
    assert len(headers["traceparent"].split("-")[1]) == 32


def test_response_is_streamed_not_buffered(gateway):
    GATES["stream-test"] = gate = Gate()
    response = gateway().get("/users/1?stream=16&gate=stream-test", buffered=False)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert "Transfer-Encoding" not in response.headers  # the gateway's own server frames the body
    chunks = response.iter_encoded()
    first = b""
    while len(first) < CHUNK:
        first += next(chunks)
    # the upstream is still holding the rest back: the gateway passed on what it had
    assert first == b"a" * CHUNK
    assert not gate.finished.is_set()
    gate.opened.set()
    rest = b"".join(chunks)
    assert rest == b"b" * (15 * CHUNK)
    assert gate.finished.is_set()
    response.close()


def test_head_is_forwarded_as_head(gateway):
    response = gateway().head("/users/1")
    assert response.status_code == 200
    assert response.data == b""


def test_authorization_header_is_forwarded_as_is(gateway, tokens):
    token = tokens.issue(user_id=7, role="listener")
    seen = echoed(gateway().get("/me", headers=bearer(token)))
    assert seen["headers"]["authorization"] == f"Bearer {token}"
    assert seen["path"] == "/me"


def test_chunked_body_under_the_limit_goes_with_its_length(gateway, tokens):
    body = b"z" * 5000
    response = gateway(MAX_BODY_BYTES="6000").put(
        "/me/push-token",
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", **bearer(tokens.issue(user_id=1, role="listener"))},
        environ_overrides={"wsgi.input_terminated": True},
    )
    seen = echoed(response)
    assert base64.b64decode(seen["body_b64"]) == body
    assert seen["headers"]["content-length"] == "5000"
    assert "transfer-encoding" not in seen["headers"]


def test_connections_go_back_to_the_pool(gateway, tokens):
    client = gateway()
    pool = client.application.spotifiuby_app.extensions["gateway"].upstreams.get("users").pool
    token = bearer(tokens.issue(user_id=1, role="listener"))
    client.get("/users/1")
    before = pool.num_connections
    for _ in range(3):
        # closed as a WSGI server closes a response once sent
        with client.head("/users/1") as head:
            assert head.status_code == 200
        with client.delete("/me/following/3?empty=204", headers=token) as empty:
            assert empty.status_code == 204
        with client.get("/users/1") as full:
            assert full.get_data()
    assert pool.num_connections == before  # every request reused the one connection
