"""The feedback function as a client sees it: real processes, real HTTP, everything through the gateway."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.client import Client, ok, token_of
from tests.factories import PASSWORD, create_user

pytestmark = pytest.mark.e2e


def test_two_listeners_rate_review_and_comment_an_album(gateway: Client, db: Any) -> None:
    for role, email in (
        ("admin", "root@example.com"),
        ("artist", "art@example.com"),
        ("listener", "ana@example.com"),
        ("listener", "bob@example.com"),
    ):
        create_user(db, role=role, email=email)
    admin, artist, ana, bob = (
        token_of(gateway, e, PASSWORD)
        for e in ("root@example.com", "art@example.com", "ana@example.com", "bob@example.com")
    )
    genre = ok(gateway.post("/genres", {"name": "Tango"}, token=admin), 201)
    album = ok(
        gateway.post(
            "/albums", {"title": "Arrabal", "genre_id": genre["id"], "min_plan": "free"}, token=artist
        ),
        201,
    )
    base = f"/albums/{album['id']}"

    # ratings: a second PUT replaces the first; bad values are refused
    ok(gateway.request("PUT", f"{base}/rating", {"value": 2}, token=ana))
    assert ok(gateway.request("PUT", f"{base}/rating", {"value": 5}, token=ana))["value"] == 5
    ok(gateway.request("PUT", f"{base}/rating", {"value": 4}, token=bob))
    refused = gateway.request("PUT", f"{base}/rating", {"value": 4.7}, token=bob)
    assert refused.status == 422 and refused.error_code() == "validation_failed"
    assert ok(gateway.get(f"{base}/rating", token=bob))["value"] == 4
    summary = ok(gateway.get(f"{base}/ratings/summary"))  # anonymous
    assert summary == {"count": 2, "average": 4.5, "histogram": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}}

    # reviews, newest first
    ok(gateway.request("PUT", f"{base}/review", {"text": "Un clásico."}, token=ana))
    ok(gateway.request("PUT", f"{base}/review", {"text": "Muy bueno."}, token=bob))
    reviews = ok(gateway.get(f"{base}/reviews"))
    assert reviews["total"] == 2
    assert [r["text"] for r in reviews["items"]] == ["Muy bueno.", "Un clásico."]

    # comments with a reply; the album's artist removes one
    first = ok(gateway.post(f"{base}/comments", {"text": "¿Vinilo?"}, token=ana), 201)
    reply = ok(gateway.post(f"{base}/comments", {"text": "Sí", "parent_id": first["id"]}, token=bob), 201)
    rude = ok(gateway.post(f"{base}/comments", {"text": "spam"}, token=bob), 201)
    nested = gateway.post(f"{base}/comments", {"text": "no", "parent_id": reply["id"]}, token=ana)
    assert nested.status == 422 and nested.error_code() == "validation_failed"
    not_yours = gateway.request("DELETE", f"/comments/{rude['id']}", token=ana)
    assert not_yours.status == 403 and not_yours.error_code() == "not_author"
    assert gateway.request("DELETE", f"/comments/{rude['id']}", token=artist).status == 204
    comments = ok(gateway.get(f"{base}/comments"))
    assert comments["total"] == 1
    assert comments["items"][0]["id"] == first["id"]
    assert [r["id"] for r in comments["items"][0]["replies"]] == [reply["id"]]

    # the music function shows the rating summary on the album
    shown = ok(gateway.get(base))
    assert shown["rating"]["count"] == 2
    assert shown["rating"]["average"] == pytest.approx(4.5)

    # the admin's metrics count today's feedback
    today = ok(gateway.get("/admin/metrics/feedback", token=admin))["days"][-1]
    assert today["ratings"] == 2 and today["reviews"] == 2 and today["comments"] == 2
