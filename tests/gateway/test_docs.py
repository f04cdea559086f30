"""``GET /openapi.json`` (merged from the functions) and ``GET /docs`` (Swagger UI from local assets)."""

from tests.gateway.servers import OPENAPI_HITS, closed_port_url


def test_merged_document_keeps_routed_paths_and_names_unreachable_functions(gateway):
    response = gateway(UPSTREAM_MUSIC_URL=closed_port_url()).get("/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.")
    assert "/users/{id}" in document["paths"]
    assert "/internal/only" not in document["paths"]  # the gateway does not route it
    assert document["components"]["schemas"]["Error"] == {"type": "object"}
    assert document["x-unavailable"] == ["music"]


def test_merged_document_is_cached(gateway):
    client = gateway(UPSTREAM_PAYMENTS_URL=closed_port_url())
    before = len(OPENAPI_HITS)
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/openapi.json").status_code == 200
    assert len(OPENAPI_HITS) == before + 1


def test_docs_page_uses_local_assets_and_the_merged_document(gateway):
    client = gateway()
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.content_type.startswith("text/html")
    html = page.get_data(as_text=True)
    assert 'url: "/openapi.json"' in html
    assert "/docs/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html  # nothing from a CDN
    asset = client.get("/docs/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert "javascript" in asset.content_type
    assert b"SwaggerUIBundle" in asset.data
    assert client.get("/docs/swagger-ui.css").status_code == 200


def test_unknown_or_escaping_asset_is_404(gateway):
    client = gateway()
    assert client.get("/docs/nope.js").status_code == 404
    assert client.get("/docs/../../../etc/passwd").status_code == 404
    assert client.get("/docs/%2e%2e/__init__.py").status_code == 404
