"""Deleting a song or an album (through the music function) removes its feedback."""

from __future__ import annotations

from sqlalchemy import func, select

from spotifiuby.models import Comment, Rating, Review
from tests.factories import auth_header, create_user
from tests.feedback.helpers import each_kind, make_target


def counts(db) -> tuple[int, int, int]:
    with db.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(m)) for m in (Rating, Review, Comment))


@each_kind
def test_deleting_the_target_removes_its_ratings_reviews_and_comments(make_client, db, settings, kind):
    target, owner = make_target(db, kind)
    kept, _ = make_target(db, kind)
    users = [create_user(db) for _ in range(2)]
    feedback = make_client("feedback")
    for target_id in (target.id, kept.id):
        for user in users:
            headers = auth_header(settings, user)
            feedback.put(f"/{kind}/{target_id}/rating", json={"value": 4}, headers=headers)
            feedback.put(f"/{kind}/{target_id}/review", json={"text": "nice"}, headers=headers)
            top = feedback.post(f"/{kind}/{target_id}/comments", json={"text": "c"}, headers=headers).json[
                "id"
            ]
            feedback.post(
                f"/{kind}/{target_id}/comments", json={"text": "r", "parent_id": top}, headers=headers
            )
    assert counts(db) == (4, 4, 8)
    response = make_client("music").delete(f"/{kind}/{target.id}", headers=auth_header(settings, owner))
    assert response.status_code == 204, response.json
    assert counts(db) == (2, 2, 4)
    assert feedback.get(f"/{kind}/{kept.id}/ratings/summary").json["count"] == 2
    assert feedback.get(f"/{kind}/{target.id}/ratings/summary").status_code == 404


def test_deleting_an_account_removes_what_it_wrote(make_client, db, settings):
    album, _ = make_target(db, "albums")
    user = create_user(db)
    headers = auth_header(settings, user)
    feedback = make_client("feedback")
    feedback.put(f"/albums/{album.id}/rating", json={"value": 4}, headers=headers)
    feedback.put(f"/albums/{album.id}/review", json={"text": "nice"}, headers=headers)
    feedback.post(f"/albums/{album.id}/comments", json={"text": "c"}, headers=headers)
    assert make_client("users").delete("/me", headers=headers).status_code == 204
    assert counts(db) == (0, 0, 0)
