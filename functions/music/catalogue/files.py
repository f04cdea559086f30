"""Removing the stored files of deleted content, once the deletion is committed.

A file is deleted only after its row is gone: a failed transaction leaves the row and its file as
they were. A file that cannot be removed then (storage down) is logged and left behind; it is
unreachable, since nothing refers to its key any more.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.orm import Session

from functions.music.media.storage import storage_for
from spotifiuby.config import Settings

logger = logging.getLogger("spotifiuby.music.files")


def commit_then_delete(session: Session, settings: Settings, keys: Iterable[str | None]) -> None:
    """Commit the request's transaction, then remove the files of ``keys`` (``None`` is skipped)."""
    session.commit()
    wanted = [key for key in keys if key is not None]
    if not wanted:
        return
    storage = storage_for(settings)
    for key in wanted:
        try:
            storage.delete(key)
        except Exception:
            logger.warning("stored file not deleted", exc_info=True, extra={"fields": {"key": key}})
