"""Text matching for ``q=`` filters and ``GET /search``.

``text_filter(session, model, q)`` is the SQL condition "this row matches the words of ``q``" and
``text_rank(session, model, q)`` a number to order matches by (higher is better), for songs, albums
and playlists. This first version matches every word case-insensitively as a substring of the title
or description; the full-text version (PostgreSQL tsvector, SQLite FTS5) keeps these signatures.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, literal, or_
from sqlalchemy.orm import Session


def _words(q: str) -> list[str]:
    return [word for word in q.split() if word][:10]


def text_filter(session: Session, model: Any, q: str) -> ColumnElement[bool]:
    return and_(
        *(
            or_(
                model.title.icontains(word, autoescape=True),
                model.description.icontains(word, autoescape=True),
            )
            for word in _words(q)
        )
    )


def text_rank(session: Session, model: Any, q: str) -> ColumnElement[Any]:
    """Title matches rank above description-only matches."""
    words = _words(q)
    if not words:
        return literal(0)
    return sum(
        (case((model.title.icontains(word, autoescape=True), 2), else_=1) for word in words), literal(0)
    )
