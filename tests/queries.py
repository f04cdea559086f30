"""Counting the SQL a function runs, for the "no query per list item" rule."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


@contextmanager
def counted_queries(client: Any) -> Iterator[list[str]]:
    """The statements the function behind ``client`` (from ``make_client``) runs inside the block."""
    engine = client.application.spotifiuby_app.extensions["spotifiuby"].database.engine
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
