"""Comments: many per user per target, with one level of replies.

Lists are pages of top-level comments, newest first (``created_at`` then id, descending), each with
all its replies oldest first. A page costs a fixed number of queries: the page with its authors
joined, the total, and the replies of the whole page with their authors joined.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from functions.feedback.authors import is_admin, present, with_authors
from functions.feedback.targets import TargetKind, get_target, kind_of, still_there
from spotifiuby.auth import Caller
from spotifiuby.db import count
from spotifiuby.errors import Forbidden, NotFound, ValidationFailed
from spotifiuby.models import Comment, User


def create(
    session: Session, *, kind: TargetKind, target_id: int, caller: Caller, text: str, parent_id: int | None
) -> dict[str, Any]:
    """A new comment, or a reply to a top-level comment of the same target (else 422 ``parent_id``)."""
    get_target(session, kind=kind, target_id=target_id, caller=caller)
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or getattr(parent, kind.column) != target_id:
            raise ValidationFailed(details={"parent_id": [f"No such comment on this {kind.noun}."]})
        if parent.parent_id is not None:
            raise ValidationFailed(details={"parent_id": ["Replies cannot be replied to."]})
    comment = Comment(user_id=caller.user_id, text=text, parent_id=parent_id, **{kind.column: target_id})
    session.add(comment)
    with still_there(kind):
        session.flush()
    return _present_one(session, comment)


def list_comments(
    session: Session, *, kind: TargetKind, target_id: int, caller: Caller | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    get_target(session, kind=kind, target_id=target_id, caller=caller)
    top = with_authors(
        select(Comment).where(kind.of(Comment) == target_id, Comment.parent_id.is_(None)), Comment, caller
    )
    rows = session.execute(
        top.order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit).offset(offset)
    ).all()
    threads = {row.Comment.id: {**present(row.Comment, row.author_name), "replies": []} for row in rows}
    if threads:
        replies = with_authors(select(Comment).where(Comment.parent_id.in_(threads)), Comment, caller)
        for row in session.execute(replies.order_by(Comment.created_at, Comment.id)):
            threads[row.Comment.parent_id]["replies"].append(present(row.Comment, row.author_name))
    return list(threads.values()), count(session, top.with_only_columns(Comment.id))


def edit(session: Session, *, comment_id: int, caller: Caller, text: str) -> dict[str, Any]:
    """Change the text of one's own comment (others: 403 ``not_author``)."""
    comment, _target = _get_visible(session, comment_id=comment_id, caller=caller)
    if comment.user_id != caller.user_id:
        raise Forbidden("Only the author may edit a comment.", code="not_author")
    comment.text = text
    session.flush()
    return _present_one(session, comment)


def remove(session: Session, *, comment_id: int, caller: Caller) -> None:
    """Delete a comment and, by cascade, its replies: its author, the target's owner or an admin."""
    comment, target = _get_visible(session, comment_id=comment_id, caller=caller)
    if caller.user_id not in (comment.user_id, target.artist_id) and not caller.is_admin:
        raise Forbidden(
            "Only the author, the owner of what was commented on or an admin may delete a comment.",
            code="not_author",
        )
    session.execute(delete(Comment).where(Comment.id == comment.id))


def _get_visible(session: Session, *, comment_id: int, caller: Caller) -> tuple[Comment, Any]:
    """The comment and its target; 404 when either is missing or hidden from ``caller`` (comments of
    blocked accounts are hidden from all but admins)."""
    row = session.execute(
        select(Comment, User.blocked).join(User, User.id == Comment.user_id).where(Comment.id == comment_id)
    ).first()
    if row is None or (row.blocked and not is_admin(caller)):
        raise NotFound("No such comment.")
    kind, target_id = kind_of(row.Comment)
    try:
        target = get_target(session, kind=kind, target_id=target_id, caller=caller)
    except NotFound:
        raise NotFound("No such comment.") from None
    return row.Comment, target


def _present_one(session: Session, comment: Comment) -> dict[str, Any]:
    name = session.scalar(select(User.name).where(User.id == comment.user_id))
    return present(comment, name)
