"""The full-text objects the search migration makes outside the SQLAlchemy models, by name.

PostgreSQL: a generated ``search_vector`` column and its GIN index ``ix_<table>_search`` on each
searchable table. SQLite: the FTS5 table ``<table>_fts`` and its shadow tables
(``<table>_fts_data``, ``_idx``, ``_docsize``, ``_config``). Alembic's comparison of the models
with the database must not see them (``migrations/env.py`` and ``tests/test_migrations.py`` pass
``include_object``). Imports nothing heavy: Alembic loads it for every migration run.
"""

from __future__ import annotations

import re
from typing import Any

SEARCHABLE_TABLES = ("songs", "albums", "playlists")
SEARCH_VECTOR = "search_vector"

_TABLES = "|".join(SEARCHABLE_TABLES)
_FTS_TABLE = re.compile(rf"^(?:{_TABLES})_fts(?:_(?:data|idx|docsize|config|content))?$")
_INDEX = re.compile(rf"^ix_(?:{_TABLES})_search$")


def is_search_object(name: str | None, type_: str) -> bool:
    """True for a database object of full-text search (see the module docstring)."""
    if name is None:
        return False
    if type_ == "table":
        return bool(_FTS_TABLE.match(name))
    if type_ == "column":
        return name == SEARCH_VECTOR
    if type_ == "index":
        return bool(_INDEX.match(name))
    return False


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's ``include_object`` hook: skip search objects found in the database only."""
    return not (reflected and compare_to is None and is_search_object(name, type_))
