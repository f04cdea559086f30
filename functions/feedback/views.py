"""Routes of the feedback function.

The target routes are declared once and registered for each kind of target (``targets.KINDS``):
``/songs/<id>/...`` and ``/albums/<id>/...`` run the same code.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from functions.feedback import comments, metrics, ratings, reviews
from functions.feedback.schemas import (
    CommentBody,
    CommentEditBody,
    CommentSchema,
    CommentThreadPage,
    FeedbackMetricsSchema,
    RatingBody,
    RatingSchema,
    RatingSummarySchema,
    ReviewBody,
    ReviewPage,
    ReviewSchema,
)
from functions.feedback.targets import KINDS, TargetKind
from spotifiuby.api import Api
from spotifiuby.auth import Caller
from spotifiuby.models import Rating
from spotifiuby.schemas import DayRangeQuery, PageQuery, page

api = Api("feedback")


def register_target_routes(kind: TargetKind) -> None:
    prefix = f"/{kind.name}/<int:target_id>"
    noun = kind.noun

    @api.put(f"{prefix}/rating", body=RatingBody, response=RatingSchema, summary=f"Rate a {noun} (1 to 5)")
    def put_rating(*, target_id: int, body: dict[str, Any], caller: Caller, session: Session) -> Rating:
        return ratings.put(session, kind=kind, target_id=target_id, caller=caller, **body)

    @api.get(f"{prefix}/rating", response=RatingSchema, summary=f"The caller's rating of a {noun}")
    def get_rating(*, target_id: int, caller: Caller, session: Session) -> Rating:
        return ratings.get_own(session, kind=kind, target_id=target_id, caller=caller)

    @api.delete(f"{prefix}/rating", status=204, summary=f"Remove the caller's rating of a {noun}")
    def delete_rating(*, target_id: int, caller: Caller, session: Session) -> None:
        ratings.remove(session, kind=kind, target_id=target_id, caller=caller)

    @api.get(
        f"{prefix}/ratings/summary",
        response=RatingSummarySchema,
        auth="optional",
        summary=f"Count, average and histogram of a {noun}'s ratings",
    )
    def rating_summary(*, target_id: int, caller: Caller | None, session: Session) -> dict[str, Any]:
        return ratings.summary(session, kind=kind, target_id=target_id, caller=caller)

    @api.put(f"{prefix}/review", body=ReviewBody, response=ReviewSchema, summary=f"Review a {noun}")
    def put_review(
        *, target_id: int, body: dict[str, Any], caller: Caller, session: Session
    ) -> dict[str, Any]:
        return reviews.put(session, kind=kind, target_id=target_id, caller=caller, **body)

    @api.delete(f"{prefix}/review", status=204, summary=f"Remove the caller's review of a {noun}")
    def delete_review(*, target_id: int, caller: Caller, session: Session) -> None:
        reviews.remove(session, kind=kind, target_id=target_id, caller=caller)

    @api.get(
        f"{prefix}/reviews",
        query=PageQuery,
        response=ReviewPage,
        auth="optional",
        summary=f"Reviews of a {noun}, newest first",
    )
    def list_reviews(
        *, target_id: int, query: dict[str, Any], caller: Caller | None, session: Session
    ) -> dict[str, Any]:
        items, total = reviews.list_reviews(session, kind=kind, target_id=target_id, caller=caller, **query)
        return page(items, total, query)

    @api.post(
        f"{prefix}/comments",
        body=CommentBody,
        response=CommentSchema,
        status=201,
        summary=f"Comment on a {noun}, or reply to a comment",
    )
    def post_comment(
        *, target_id: int, body: dict[str, Any], caller: Caller, session: Session
    ) -> dict[str, Any]:
        return comments.create(
            session,
            kind=kind,
            target_id=target_id,
            caller=caller,
            text=body["text"],
            parent_id=body.get("parent_id"),
        )

    @api.get(
        f"{prefix}/comments",
        query=PageQuery,
        response=CommentThreadPage,
        auth="optional",
        summary=f"Comments on a {noun}, newest first, each with its replies",
    )
    def list_comments(
        *, target_id: int, query: dict[str, Any], caller: Caller | None, session: Session
    ) -> dict[str, Any]:
        items, total = comments.list_comments(session, kind=kind, target_id=target_id, caller=caller, **query)
        return page(items, total, query)


for _kind in KINDS:
    register_target_routes(_kind)


@api.patch("/comments/<int:comment_id>", body=CommentEditBody, response=CommentSchema)
def edit_comment(
    *, comment_id: int, body: dict[str, Any], caller: Caller, session: Session
) -> dict[str, Any]:
    """Change the text of one's own comment."""
    return comments.edit(session, comment_id=comment_id, caller=caller, **body)


@api.delete("/comments/<int:comment_id>", status=204)
def delete_comment(*, comment_id: int, caller: Caller, session: Session) -> None:
    """Delete a comment and its replies (its author, the owner of the song or album, or an admin)."""
    comments.remove(session, comment_id=comment_id, caller=caller)


@api.get("/admin/metrics/feedback", query=DayRangeQuery, response=FeedbackMetricsSchema, auth="admin")
def feedback_metrics(*, query: dict[str, Any], session: Session) -> dict[str, Any]:
    """Ratings, reviews and comments created per UTC day."""
    return metrics.feedback_metrics(session, **query)
