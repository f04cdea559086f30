"""The route matcher and the route table, without HTTP."""

import pytest

from functions.gateway.routes import ROUTES, Route, RouteTable
from spotifiuby.errors import MethodNotAllowed, NotFound

TABLE = RouteTable(
    [
        Route(("GET",), "/me", "users"),
        Route(("GET", "PUT"), "/me/*", "music"),
        Route(("GET",), "/me/wallet", "payments"),
        Route(("PUT", "DELETE"), "/me/genres/{id}", "users"),
        Route(("GET",), "/users/{id}", "users", anonymous=True),
        Route(("GET",), "/users/me", "users"),
        Route(("GET",), "/users/{id}/followers", "users", anonymous=True),
        Route(("POST",), "/auth/*", "users", anonymous=True, verify_token=False),
    ]
)


@pytest.mark.parametrize(
    ("method", "path", "pattern", "params"),
    [
        ("GET", "/me", "/me", {}),
        ("GET", "/me/wallet", "/me/wallet", {}),  # literal beats *
        ("GET", "/me/favorites/songs/3", "/me/*", {}),
        ("PUT", "/me/genres/7", "/me/genres/{id}", {"id": "7"}),  # {param} beats *
        ("GET", "/me/genres/7", "/me/*", {}),  # the specific route has no GET: the wildcard one serves
        ("GET", "/users/me", "/users/me", {}),  # literal beats {param}
        ("GET", "/users/42", "/users/{id}", {"id": "42"}),
        ("GET", "/users/42/followers", "/users/{id}/followers", {"id": "42"}),
        ("HEAD", "/users/42", "/users/{id}", {"id": "42"}),  # HEAD wherever GET
        ("POST", "/auth/password-reset/confirm", "/auth/*", {}),
    ],
)
def test_most_specific_route_wins(method, path, pattern, params):
    match = TABLE.match(method, path)
    assert match.route.pattern == pattern
    assert match.params == params


@pytest.mark.parametrize(
    "path", ["/", "/nope", "/users", "/users/", "/users/42/unknown", "/auth", "/auth/", "/Me"]
)
def test_unknown_path_is_not_found(path):
    with pytest.raises(NotFound):
        TABLE.match("GET", path)


def test_wrong_method_is_405_naming_every_method_of_the_path():
    with pytest.raises(MethodNotAllowed) as raised:
        TABLE.match("DELETE", "/users/42")
    assert raised.value.headers["Allow"] == "GET, HEAD"
    with pytest.raises(MethodNotAllowed) as raised:
        TABLE.match("POST", "/me/genres/7")  # both /me/genres/{id} and /me/* match the path
    assert raised.value.headers["Allow"] == "DELETE, GET, HEAD, PUT"


def test_specificity_compares_segments_then_length():
    literal, param, wildcard = (Route(("GET",), p, "x") for p in ("/a/b", "/a/{id}", "/a/*"))
    assert literal.specificity > param.specificity > wildcard.specificity
    assert Route(("GET",), "/a/{id}/c", "x").specificity > param.specificity


@pytest.mark.parametrize("pattern", ["no-slash", "/a/*/b", "/a//b", "/a/{}", "/a/b*"])
def test_bad_patterns_are_refused(pattern):
    with pytest.raises(ValueError):
        Route(("GET",), pattern, "x")


def test_two_routes_for_the_same_method_and_shape_are_refused():
    with pytest.raises(ValueError, match="two routes"):
        RouteTable([Route(("GET",), "/users/{id}", "a"), Route(("GET", "PUT"), "/users/{name}", "b")])
    RouteTable([Route(("GET",), "/users/{id}", "a"), Route(("PUT",), "/users/{name}", "b")])


def test_only_anonymous_routes_may_skip_token_verification():
    with pytest.raises(ValueError):
        Route(("POST",), "/x", "users", verify_token=False)


USERS_TABLE = RouteTable(ROUTES)


@pytest.mark.parametrize(
    ("method", "path", "anonymous"),
    [
        ("POST", "/auth/signup", True),
        ("POST", "/auth/logout", True),
        ("GET", "/me", False),
        ("PATCH", "/me", False),
        ("DELETE", "/me", False),
        ("PUT", "/me/following/3", False),
        ("DELETE", "/me/following/3", False),
        ("GET", "/me/genres", False),
        ("PUT", "/me/genres/3", False),
        ("DELETE", "/me/genres/3", False),
        ("PUT", "/me/push-token", False),
        ("GET", "/users", True),
        ("GET", "/users/3", True),
        ("GET", "/users/3/followers", True),
        ("GET", "/users/3/following", True),
        ("GET", "/admin/users", False),
        ("PATCH", "/admin/users/3", False),
        ("DELETE", "/admin/users/3", False),
        ("GET", "/admin/metrics/users", False),
    ],
)
def test_every_users_route_of_the_spec_is_routed(method, path, anonymous):
    route = USERS_TABLE.match(method, path).route
    assert route.upstream == "users"
    assert route.anonymous is anonymous


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/metrics"), ("GET", "/users/3/metrics"), ("GET", "/auth/x")]
)
def test_functions_metrics_and_unlisted_methods_are_not_routed(method, path):
    with pytest.raises((NotFound, MethodNotAllowed)):
        USERS_TABLE.match(method, path)
