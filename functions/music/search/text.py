"""Full-text matching for ``q=`` filters and ``GET /search``: PostgreSQL tsvector, SQLite FTS5.

``text_filter(session, model, q)`` is the SQL condition "this row matches ``q``" and
``text_rank(session, model, q)`` a number to order matches by (higher is better), for songs,
albums and playlists (the tables the search migration indexes; see ``search/database.py``).

What ``q`` means, on both databases: its whitespace-separated words (at most 10; words without a
letter or digit are dropped), all of which must match the title or the description, the last one as
a prefix ("search as you type"). Each word is handed to the database quoted, so the user's quotes,
``*``, ``-``, ``AND``/``OR``/``NOT``, ``:`` or ``&`` are plain text, never query syntax; a word with
inner punctuation (``AC/DC``, ``rock-and-roll``) is tokenized by the database exactly as the stored
text was and matches as a phrase. Matching is case-insensitive and keeps accents (``canción`` does
not match ``cancion``). A ``q`` with no word matches nothing.

Ranking weighs a title match ten times a description match and, between equal matches, favours
the shorter text: PostgreSQL ``ts_rank`` with weights A=1, B=0.1 on the generated ``search_vector``
and length normalization; SQLite ``bm25`` with column weights 1 and 0.1, negated (bm25 is lower for
better). The two formulas differ in detail (bm25 also weighs rare words up), so only clearly
different ranks order rows the same way on both databases; callers break ties by id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    TableClause,
    bindparam,
    column,
    false,
    func,
    inspect,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy.orm import Session

MAX_WORDS = 10
TITLE_WEIGHT, DESCRIPTION_WEIGHT = 1.0, 0.1
# ts_rank's weights are ordered {D, C, B, A}; the vector uses A (title) and B (description)
_PG_WEIGHTS = f"'{{0, 0, {DESCRIPTION_WEIGHT}, {TITLE_WEIGHT}}}'::float4[]"


def search_words(q: str) -> list[str]:
    """The words of ``q`` that can match something (each holds a letter or a digit)."""
    return [word for word in q.split() if any(ch.isalnum() for ch in word)][:MAX_WORDS]


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _names(model: Any) -> tuple[str, str]:
    """(the name the query uses for the model's table, the table's own name)."""
    info = inspect(model)
    return info.selectable.name, info.mapper.local_table.name


def tsquery_text(words: list[str]) -> str:
    """``words`` as a PostgreSQL ``to_tsquery`` expression: quoted, ANDed, the last as a prefix."""
    quoted = ["'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in words]
    return " & ".join(quoted) + ":*"


def fts5_query(words: list[str]) -> str:
    """``words`` as an SQLite FTS5 query: quoted strings (implicitly ANDed), the last as a prefix."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words) + " *"


def _pg_match(model: Any, words: list[str]) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    name, _table = _names(model)
    vector = literal_column(f"{name}.search_vector")
    query = func.to_tsquery(
        literal_column("'simple'::regconfig"), bindparam(None, tsquery_text(words), unique=True)
    )
    return vector, query


def _fts(model: Any, words: list[str]) -> tuple[TableClause, ColumnElement[bool]]:
    """The model's FTS5 table and the condition "its row matches ``words``"."""
    fts = table(f"{_names(model)[1]}_fts", column("rowid"))
    # FTS5 spells "match any column" with the table's own name on the left
    match = literal_column(fts.name).op("MATCH", is_comparison=True)(
        bindparam(None, fts5_query(words), unique=True)
    )
    return fts, match


def text_filter(session: Session, model: Any, q: str) -> ColumnElement[bool]:
    words = search_words(q)
    if not words:
        return false()
    if _is_postgres(session):
        vector, query = _pg_match(model, words)
        return vector.op("@@", is_comparison=True)(query)
    fts, match = _fts(model, words)
    return model.id.in_(select(fts.c.rowid).where(match))


def text_rank(session: Session, model: Any, q: str) -> ColumnElement[Any]:
    """Higher for better matches: title matches rank above description-only matches."""
    words = search_words(q)
    if not words:
        return literal(0.0)
    if _is_postgres(session):
        vector, query = _pg_match(model, words)
        # normalization 1 divides by 1 + log(document length): shorter texts first, as bm25 does
        return func.ts_rank(literal_column(_PG_WEIGHTS), vector, query, 1, type_=Float)
    fts, match = _fts(model, words)
    # bm25 exists only inside a full-text query of the FTS table: one per ranked row, by rowid
    bm25 = func.bm25(literal_column(fts.name), TITLE_WEIGHT, DESCRIPTION_WEIGHT, type_=Float)
    return select(-bm25).select_from(fts).where(match, fts.c.rowid == model.id).scalar_subquery()
