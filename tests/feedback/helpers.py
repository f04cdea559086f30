"""Shared helpers of the feedback tests: a target of either kind, with its owner."""

from __future__ import annotations

from typing import Any

import pytest

from spotifiuby.db import Database
from spotifiuby.models import Album, Song
from tests.factories import create_album, create_song, create_user

KINDS = ("songs", "albums")
each_kind = pytest.mark.parametrize("kind", KINDS)


def make_target(db: Database, kind: str, **fields: Any) -> tuple[Song | Album, Any]:
    """A song or album and its artist."""
    artist = fields.pop("artist", None) or create_user(db, role="artist")
    if kind == "songs":
        return create_song(db, artist=artist, **fields), artist
    return create_album(db, artist=artist, **fields), artist


def sql_queries(statements: list[str]) -> int:
    """The queries among counted statements (SQLite's ``BEGIN IMMEDIATE`` is not one)."""
    return sum(1 for statement in statements if not statement.lstrip().upper().startswith("BEGIN"))
