"""Operator commands of the music function, run from its image.

``python -m functions.music.cli sweep-storage [--older-than-minutes 60] [--dry-run]`` deletes the
stored audio and covers that no song or album refers to any more (see ``media/sweep.py``) and that
were written more than the given minutes ago (at least 1; default 60); ``--dry-run`` only counts
them. It uses the function's configuration (``DATABASE_URL``, ``DATA_DIR``, ``STORAGE_BACKEND`` and
the ``S3_*`` variables). Exit status: 0 done, 1 storage or database trouble, 2 bad input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy.exc import SQLAlchemyError

from spotifiuby.config import ConfigError, Settings

FAILURE = 1
USAGE_ERROR = 2


def sweep_storage(settings: Settings, *, older_than: dt.timedelta, dry_run: bool) -> int:
    from functions.music.media.storage import storage_for
    from functions.music.media.sweep import sweep
    from spotifiuby.db import Database
    from spotifiuby.observability import configure_logging

    configure_logging(settings.log_level)  # the sweep's JSON line with the counts, on stdout
    database = None
    try:
        database = Database(settings)
        storage = storage_for(settings)
        with database.session() as session:
            result = sweep(session, storage, older_than=older_than, dry_run=dry_run)
    except SQLAlchemyError as exc:
        # the class says enough (unreachable, not migrated); the message may quote the URL
        print(
            f"sweep-storage: database error ({type(exc).__name__}); is it up and migrated?", file=sys.stderr
        )
        return FAILURE
    except (OSError, ValueError, BotoCoreError, ClientError) as exc:  # ValueError: a bad S3 endpoint
        print(f"sweep-storage: storage error ({type(exc).__name__}): {exc}", file=sys.stderr)
        return FAILURE
    finally:
        if database is not None:
            database.dispose()

    if dry_run:
        print(f"Dry run: {result.deleted} unreferenced files would be deleted, {result.kept} kept.")
    else:
        print(f"Deleted {result.deleted} unreferenced files, kept {result.kept}.")
    return 0


def _minutes(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of minutes: {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1: a younger file may be an upload in flight")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m functions.music.cli", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    sweep = commands.add_parser("sweep-storage", help="delete stored files no song or album refers to")
    sweep.add_argument(
        "--older-than-minutes",
        type=_minutes,
        default=60,
        metavar="N",
        help="only files written more than N minutes ago (default 60)",
    )
    sweep.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"sweep-storage: {exc}", file=sys.stderr)
        return USAGE_ERROR
    return sweep_storage(
        settings, older_than=dt.timedelta(minutes=args.older_than_minutes), dry_run=args.dry_run
    )


if __name__ == "__main__":
    sys.exit(main())
