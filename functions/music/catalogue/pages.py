"""Pages of a query, for every list of the catalogue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from spotifiuby.db import count


def paginate(session: Session, stmt: Select, *, limit: int, offset: int) -> tuple[list[Any], int]:
    """One page of ``stmt`` (which must be ordered deterministically) and the total: two queries
    whatever the page size."""
    return list(session.scalars(stmt.limit(limit).offset(offset))), count(session, stmt)
