"""The gateway on a real HTTP server: what a test client cannot show (framing, unread bodies)."""

import contextlib
import http.client
import json
import urllib.parse

import pytest

from tests.gateway.conftest import bearer
from tests.gateway.servers import CHUNK, GATES, Gate, serve_wsgi


@pytest.fixture
def gateway_http(gateway):
    """``gateway_http(**env)``: an ``http.client`` connection to the gateway served on a local port."""
    with contextlib.ExitStack() as servers:

        def connect(**env):
            url = urllib.parse.urlsplit(servers.enter_context(serve_wsgi(gateway(**env).application)))
            return http.client.HTTPConnection(url.hostname, url.port, timeout=5)

        yield connect


def test_oversized_content_length_is_answered_without_waiting_for_the_body(gateway_http):
    connection = gateway_http()
    connection.putrequest("POST", "/auth/signup")
    connection.putheader("Content-Length", str(500 * 1024 * 1024))
    connection.endheaders()  # and no body: a gateway that read it would wait until the timeout
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"]["code"] == "payload_too_large"


def test_chunked_upload_reaches_the_function_with_a_length(gateway_http, tokens):
    connection = gateway_http()
    parts = [b"x" * 1000, b"y" * 3000, b"z"]
    connection.request(
        "PUT",
        "/me/push-token",
        body=iter(parts),
        headers={
            "Content-Type": "application/octet-stream",
            **bearer(tokens.issue(user_id=1, role="listener")),
        },
        encode_chunked=True,
    )
    response = connection.getresponse()
    seen = json.loads(response.read())
    assert response.status == 200
    assert seen["headers"]["content-length"] == "4001"
    assert "transfer-encoding" not in seen["headers"]


def test_stream_arrives_while_the_upstream_is_still_sending(gateway_http):
    GATES["over-http"] = gate = Gate()
    connection = gateway_http()
    connection.request("GET", "/users/1?stream=4&gate=over-http")
    response = connection.getresponse()
    assert response.status == 200
    assert response.read(CHUNK) == b"a" * CHUNK
    assert not gate.finished.is_set()
    gate.opened.set()
    assert response.read() == b"b" * (3 * CHUNK)
