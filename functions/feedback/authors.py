"""Authors of reviews and comments: ``{id, name}`` joined into the query that lists them, and the
rule that hides what blocked accounts wrote from everyone but admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false
from sqlalchemy.orm import aliased

from spotifiuby.auth import Caller
from spotifiuby.models import User


def is_admin(caller: Caller | None) -> bool:
    return caller is not None and caller.is_admin


def with_authors(stmt: Select[Any], model: Any, caller: Caller | None) -> Select[Any]:
    """``stmt`` (a select of ``model``) joined to the authors' id and name; rows of blocked
    accounts are left out unless ``caller`` is an admin."""
    author = aliased(User, name="author")
    stmt = stmt.add_columns(author.name.label("author_name")).join(author, author.id == model.user_id)
    if not is_admin(caller):
        stmt = stmt.where(author.blocked == false())
    return stmt


def present(row: Any, name: str) -> dict[str, Any]:
    """A review or comment as answered, with its author."""
    return {
        "id": row.id,
        "user": {"id": row.user_id, "name": name},
        "text": row.text,
        "song_id": row.song_id,
        "album_id": row.album_id,
        "parent_id": getattr(row, "parent_id", None),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }
