"""Comments: POST/GET /{kind}/{id}/comments, PATCH/DELETE /comments/{id}."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from spotifiuby.models import Album, Comment, User
from tests.assertions import assert_error
from tests.factories import auth_header, create_user
from tests.feedback.helpers import each_kind, make_target, sql_queries
from tests.queries import counted_queries


def post(client, settings, kind, target_id, user, text="hi", **extra):
    return client.post(
        f"/{kind}/{target_id}/comments", json={"text": text, **extra}, headers=auth_header(settings, user)
    )


def comment_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Comment))


@each_kind
def test_comments_and_one_level_of_replies(make_client, db, settings, kind):
    target, _ = make_target(db, kind)
    ana, bob = create_user(db, name="Ana"), create_user(db, name="Bob")
    client = make_client("feedback")
    first = post(client, settings, kind, target.id, ana, "  first  ")
    assert first.status_code == 201, first.json
    assert first.json["text"] == "first"
    assert first.json["user"] == {"id": ana.id, "name": "Ana"}
    assert first.json["parent_id"] is None
    assert first.json[kind.removesuffix("s") + "_id"] == target.id
    second = post(client, settings, kind, target.id, ana, "second")  # many per user
    reply1 = post(client, settings, kind, target.id, bob, "reply 1", parent_id=first.json["id"])
    reply2 = post(client, settings, kind, target.id, ana, "reply 2", parent_id=first.json["id"])
    assert reply1.status_code == reply2.status_code == 201
    assert reply1.json["parent_id"] == first.json["id"]

    listed = client.get(f"/{kind}/{target.id}/comments")
    assert listed.status_code == 200, listed.json
    assert listed.json["total"] == 2
    assert [c["id"] for c in listed.json["items"]] == [second.json["id"], first.json["id"]]
    assert listed.json["items"][0]["replies"] == []
    assert listed.json["items"][1]["replies"] == [reply1.json, reply2.json]  # oldest first


def test_replying_to_a_reply_is_422(make_client, db, settings):
    album, _ = make_target(db, "albums")
    user = create_user(db)
    client = make_client("feedback")
    top = post(client, settings, "albums", album.id, user).json
    reply = post(client, settings, "albums", album.id, user, parent_id=top["id"]).json
    response = post(client, settings, "albums", album.id, user, parent_id=reply["id"])
    assert "parent_id" in assert_error(response, 422, "validation_failed")
    assert comment_count(db) == 2


@pytest.mark.parametrize(
    "parent", ["other_target", "same_id_other_kind", "missing", "zero", "string", "float"]
)
def test_a_parent_of_another_target_or_that_does_not_exist_is_422(make_client, db, settings, parent):
    album, _ = make_target(db, "albums")
    other, _ = make_target(db, "albums")
    song, _ = make_target(db, "songs")
    user = create_user(db)
    client = make_client("feedback")
    elsewhere = post(client, settings, "albums", other.id, user).json["id"]
    on_song = post(client, settings, "songs", song.id, user).json["id"]
    parent_id = {
        "other_target": elsewhere,
        "same_id_other_kind": on_song,
        "missing": 999_999,
        "zero": 0,
        "string": str(elsewhere),
        "float": 1.5,
    }[parent]
    response = post(client, settings, "albums", album.id, user, parent_id=parent_id)
    assert "parent_id" in assert_error(response, 422, "validation_failed")
    assert comment_count(db) == 2


@pytest.mark.parametrize("text", ["", "  ", "x" * 2001, None])
def test_comment_text_is_1_to_2000_characters(make_client, db, settings, text):
    song, _ = make_target(db, "songs")
    response = post(make_client("feedback"), settings, "songs", song.id, create_user(db), text)
    assert "text" in assert_error(response, 422, "validation_failed")
    assert comment_count(db) == 0


def test_only_the_author_edits(make_client, db, settings):
    song, owner = make_target(db, "songs")
    author, other = create_user(db), create_user(db)
    admin = create_user(db, role="admin")
    client = make_client("feedback")
    comment = post(client, settings, "songs", song.id, author, "tpyo").json
    for who in (other, owner, admin):
        response = client.patch(
            f"/comments/{comment['id']}", json={"text": "hacked"}, headers=auth_header(settings, who)
        )
        assert_error(response, 403, "not_author")
    edited = client.patch(
        f"/comments/{comment['id']}", json={"text": " typo "}, headers=auth_header(settings, author)
    )
    assert edited.status_code == 200, edited.json
    assert edited.json["text"] == "typo"
    assert edited.json["created_at"] == comment["created_at"]
    assert edited.json["updated_at"] >= comment["updated_at"]
    for body in ({"text": ""}, {"text": None}, {}, {"text": "ok", "parent_id": 1}):
        response = client.patch(
            f"/comments/{comment['id']}", json=body, headers=auth_header(settings, author)
        )
        assert_error(response, 422, "validation_failed")
    assert_error(
        client.patch("/comments/999999", json={"text": "x"}, headers=auth_header(settings, author)),
        404,
        "not_found",
    )


@each_kind
def test_delete_by_author_target_owner_or_admin_not_others(make_client, db, settings, kind):
    target, owner = make_target(db, kind)
    author, other = create_user(db), create_user(db)
    admin = create_user(db, role="admin")
    client = make_client("feedback")
    ids = [post(client, settings, kind, target.id, author, f"c{n}").json["id"] for n in range(3)]
    reply = post(client, settings, kind, target.id, other, "reply", parent_id=ids[0]).json["id"]

    assert_error(
        client.delete(f"/comments/{ids[0]}", headers=auth_header(settings, other)), 403, "not_author"
    )
    assert client.delete(f"/comments/{ids[0]}", headers=auth_header(settings, owner)).status_code == 204
    assert client.delete(f"/comments/{ids[1]}", headers=auth_header(settings, author)).status_code == 204
    assert client.delete(f"/comments/{ids[2]}", headers=auth_header(settings, admin)).status_code == 204
    with db.session() as session:  # the reply went with its parent
        assert session.get(Comment, reply) is None
    assert comment_count(db) == 0
    assert_error(client.delete(f"/comments/{ids[0]}", headers=auth_header(settings, owner)), 404, "not_found")
    assert_error(client.delete(f"/comments/{ids[0]}"), 401, "unauthorized")


def test_a_reply_author_may_delete_the_reply_only(make_client, db, settings):
    album, _ = make_target(db, "albums")
    author, replier = create_user(db), create_user(db)
    client = make_client("feedback")
    top = post(client, settings, "albums", album.id, author).json["id"]
    reply = post(client, settings, "albums", album.id, replier, parent_id=top).json["id"]
    assert_error(client.delete(f"/comments/{top}", headers=auth_header(settings, replier)), 403, "not_author")
    assert client.delete(f"/comments/{reply}", headers=auth_header(settings, replier)).status_code == 204
    assert client.get(f"/albums/{album.id}/comments").json["items"][0]["replies"] == []


def test_comments_on_hidden_targets_are_404(make_client, db, settings):
    album, owner = make_target(db, "albums")
    author = create_user(db)
    client = make_client("feedback")
    comment = post(client, settings, "albums", album.id, author).json["id"]
    with db.session() as session:
        session.execute(update(Album).where(Album.id == album.id).values(blocked=True))
    assert_error(client.get(f"/albums/{album.id}/comments"), 404, "not_found")
    assert_error(post(client, settings, "albums", album.id, author), 404, "not_found")
    response = client.patch(f"/comments/{comment}", json={"text": "x"}, headers=auth_header(settings, author))
    assert_error(response, 404, "not_found")
    assert_error(
        client.delete(f"/comments/{comment}", headers=auth_header(settings, author)), 404, "not_found"
    )
    # the owner still sees it and may moderate it
    assert client.get(f"/albums/{album.id}/comments", headers=auth_header(settings, owner)).json["total"] == 1
    assert client.delete(f"/comments/{comment}", headers=auth_header(settings, owner)).status_code == 204
    assert_error(client.get("/songs/424242/comments"), 404, "not_found")


def test_comments_of_blocked_accounts_are_hidden_from_non_admins(make_client, db, settings):
    song, _ = make_target(db, "songs")
    good, bad = create_user(db), create_user(db)
    client = make_client("feedback")
    top = post(client, settings, "songs", song.id, good).json["id"]
    post(client, settings, "songs", song.id, bad, parent_id=top)
    post(client, settings, "songs", song.id, bad)
    with db.session() as session:
        session.execute(update(User).where(User.id == bad.id).values(blocked=True))
    listed = client.get(f"/songs/{song.id}/comments").json
    assert listed["total"] == 1 and listed["items"][0]["replies"] == []
    admin = auth_header(settings, create_user(db, role="admin"))
    as_admin = client.get(f"/songs/{song.id}/comments", headers=admin).json
    assert as_admin["total"] == 2 and len(as_admin["items"][1]["replies"]) == 1


def test_comments_are_paginated(make_client, db, settings):
    album, _ = make_target(db, "albums")
    user = create_user(db)
    client = make_client("feedback")
    ids = [post(client, settings, "albums", album.id, user, f"c{n}").json["id"] for n in range(5)]
    page = client.get(f"/albums/{album.id}/comments?limit=2&offset=2").json
    assert page["total"] == 5 and (page["limit"], page["offset"]) == (2, 2)
    assert [c["id"] for c in page["items"]] == ids[::-1][2:4]
    for query in ("limit=-1", "limit=10000", "offset=-5"):
        assert_error(client.get(f"/albums/{album.id}/comments?{query}"), 422, "validation_failed")


def test_listing_comments_costs_the_same_queries_for_1_or_50(make_client, db, settings):
    song, _ = make_target(db, "songs")
    users = [create_user(db) for _ in range(5)]
    client = make_client("feedback")
    counts = []
    for wanted in (1, 50):
        while client.get(f"/songs/{song.id}/comments").json["total"] < wanted:
            n = client.get(f"/songs/{song.id}/comments").json["total"]
            top = post(client, settings, "songs", song.id, users[n % 5]).json["id"]
            post(client, settings, "songs", song.id, users[(n + 1) % 5], parent_id=top)
            post(client, settings, "songs", song.id, users[(n + 2) % 5], parent_id=top)
        with counted_queries(client) as statements:
            response = client.get(f"/songs/{song.id}/comments?limit=100")
        assert len(response.json["items"]) == wanted
        assert all(len(item["replies"]) == 2 for item in response.json["items"])
        counts.append(sql_queries(statements))
    assert counts[0] == counts[1] == 4, counts  # target, page with authors, total, replies with authors
