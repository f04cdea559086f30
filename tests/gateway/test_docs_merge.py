"""Merging the functions' OpenAPI documents, without HTTP."""

from functions.gateway.docs import DocumentCache, merge
from functions.gateway.routes import Route, RouteTable

ROUTES = RouteTable(
    [
        Route(("GET",), "/songs/{id}", "music", anonymous=True),
        Route(("GET",), "/me", "users"),
        Route(("GET",), "/me/wallet", "payments"),
    ]
)
ERROR = {"type": "object", "properties": {"error": {"type": "object"}}}
BEARER = {"type": "http", "scheme": "bearer"}


def document(paths, schemas, tags=()):
    return {
        "openapi": "3.0.3",
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"bearerAuth": BEARER}},
        "tags": [{"name": t} for t in tags],
    }


def get(ref):
    return {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": ref}}}}}}}


USERS = document(
    {"/me": get("#/components/schemas/User"), "/internal": get("#/components/schemas/User")},
    {
        "User": {"type": "object", "properties": {"id": {"type": "integer"}}},
        "Page": {"type": "object", "properties": {"items": {"$ref": "#/components/schemas/User"}}},
        "Error": ERROR,
    },
    tags=["profiles"],
)
MUSIC = document(
    {"/songs/{id}": get("#/components/schemas/Page"), "/me": get("#/components/schemas/User")},
    {
        "User": {"type": "object", "properties": {"id": {"type": "string"}}},  # conflicts with users'
        "Page": {"type": "object", "properties": {"items": {"$ref": "#/components/schemas/User"}}},
        "Error": ERROR,
    },
    tags=["songs", "profiles"],
)


def test_paths_are_kept_only_where_the_gateway_routes_them():
    merged = merge({"users": USERS, "music": MUSIC}, [], ROUTES)
    assert set(merged["paths"]) == {"/me", "/songs/{id}"}
    # music also declares /me, but the gateway sends /me to users
    assert merged["paths"]["/me"]["get"] == _ref_to("#/components/schemas/users_User")


def test_identical_components_appear_once_and_conflicting_ones_are_prefixed():
    merged = merge({"users": USERS, "music": MUSIC}, [], ROUTES)
    schemas = merged["components"]["schemas"]
    assert schemas["Error"] == ERROR
    assert merged["components"]["securitySchemes"] == {"bearerAuth": BEARER}
    assert "User" not in schemas
    assert schemas["users_User"]["properties"]["id"]["type"] == "integer"
    assert schemas["music_User"]["properties"]["id"]["type"] == "string"
    # Page is written the same in both, but each refers to its own User: both are renamed
    assert schemas["music_Page"]["properties"]["items"] == {"$ref": "#/components/schemas/music_User"}
    assert schemas["users_Page"]["properties"]["items"] == {"$ref": "#/components/schemas/users_User"}
    assert merged["paths"]["/songs/{id}"]["get"] == _ref_to("#/components/schemas/music_Page")
    assert [t["name"] for t in merged["tags"]] == ["songs", "profiles"]


def test_unavailable_functions_are_named():
    merged = merge({"users": USERS}, ["payments", "music"], ROUTES)
    assert merged["x-unavailable"] == ["music", "payments"]
    assert merged["openapi"].startswith("3.")
    assert merged["components"]["schemas"]["User"]["properties"]["id"]["type"] == "integer"


def test_the_document_is_cached_for_its_ttl():
    now = [0.0]
    cache = DocumentCache(ttl=60, clock=lambda: now[0])
    builds = []

    def build():
        builds.append(now[0])
        return {"n": len(builds)}

    assert cache.get(build) == {"n": 1}
    now[0] = 59.9
    assert cache.get(build) == {"n": 1}
    now[0] = 60.0
    assert cache.get(build) == {"n": 2}


def _ref_to(ref):
    return get(ref)["get"]
