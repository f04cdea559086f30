"""Deleting stored files that no row refers to any more (``python -m functions.music.cli sweep-storage``).

A file can outlive its row: deleting an account cascades its songs and albums in the database, but
the users function cannot reach the storage; and a file whose deletion failed after the commit
(``catalogue/files.py``) is left behind. The sweep lists the keys under ``songs/`` and ``albums/``
and deletes those that no ``Song.audio_key`` or ``Album.cover_key`` names and that were last written
more than ``older_than`` ago. The margin is what keeps uploads safe: an upload stores its file
before its row points at it, so a fresh unreferenced file may be one about to be committed.
(On S3 a multipart object is dated when its upload started: the margin must outlast the slowest
upload.) Keys elsewhere in the storage are never touched.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from functions.music.media.service import AUDIO, COVER
from functions.music.media.storage import Storage
from spotifiuby.db import utcnow
from spotifiuby.observability import log

logger = logging.getLogger("spotifiuby.music.sweep")

SLOTS = (AUDIO, COVER)
SAFETY_MARGIN = dt.timedelta(hours=1)


@dataclass(frozen=True)
class SweepResult:
    kept: int  # stored files under the swept folders left in place: referenced, or too recent
    deleted: int  # unreferenced files deleted (on a dry run: that would have been)
    keys_deleted: tuple[str, ...]


def referenced_keys(session: Session) -> set[str]:
    """Every key a row points at: one query per table."""
    keys: set[str] = set()
    for slot in SLOTS:
        column = getattr(slot.model, f"{slot.column}_key")
        keys.update(session.scalars(select(column).where(column.is_not(None))))
    return keys


def sweep(
    session: Session,
    storage: Storage,
    *,
    older_than: dt.timedelta = SAFETY_MARGIN,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> SweepResult:
    """Delete the unreferenced files older than ``older_than`` (``dry_run``: only count them).

    Ends the session's transaction once the references are read, so no transaction (on SQLite: no
    write lock) is held while files are deleted. Storage and database errors propagate; what was
    deleted before stays deleted, and the next run carries on.
    """
    if older_than < dt.timedelta(0):
        raise ValueError("older_than must not be negative")
    cutoff = (now or utcnow()) - older_than
    old: list[str] = []
    recent = 0
    for slot in SLOTS:
        for key, modified in storage.keys(f"{slot.folder}/"):
            if modified < cutoff:
                old.append(key)
            else:
                recent += 1
    # read after listing: a file listed as old whose upload committed meanwhile is seen as referenced
    referenced = referenced_keys(session)
    session.commit()
    orphans = [key for key in old if key not in referenced]
    kept = recent + len(old) - len(orphans)
    deleted = 0
    try:
        if not dry_run:
            for key in orphans:
                storage.delete(key)
                deleted += 1
    except Exception:
        log(logger, logging.WARNING, "storage sweep stopped", kept=kept, deleted=deleted, dry_run=dry_run)
        raise
    log(logger, logging.INFO, "storage swept", kept=kept, deleted=len(orphans), dry_run=dry_run)
    return SweepResult(kept=kept, deleted=len(orphans), keys_deleted=tuple(orphans))
