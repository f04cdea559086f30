"""Operator commands of the users function, run from its image next to the migrations job.

``python -m functions.users.cli create-admin [--email E] [--password P]`` makes sure an
administrator exists. The email and password default to ``ADMIN_EMAIL`` and ``ADMIN_PASSWORD``
(prefer the variable: a ``--password`` shows in the process list); with neither, a strong password
is generated and printed once. Exit status: 0 done (or an admin already existed), 1 database
trouble, 2 bad input.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Sequence

from marshmallow import ValidationError, validate
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from functions.users.auth.passwords import weakness
from spotifiuby.config import ConfigError, Settings
from spotifiuby.errors import Conflict

FAILURE = 1
USAGE_ERROR = 2


def generate_password() -> str:
    while True:  # a random string may, rarely, miss the letter-and-digit rule
        password = secrets.token_urlsafe(18)
        if weakness(password) is None:
            return password


def create_admin(settings: Settings, *, email: str | None, password: str | None) -> int:
    from functions.users.admin.service import ensure_first_admin
    from spotifiuby.db import Database
    from spotifiuby.models import User

    email = (email or settings.admin_email or "").strip().lower()
    password = password or settings.admin_password
    try:
        validate.Email()(email)
    except ValidationError:
        return _fail(f"an admin email is needed (--email or ADMIN_EMAIL); got {email!r}")
    if password is not None and weakness(password):
        return _fail(f"the admin password is too weak: {weakness(password)}")
    generated = password is None
    password = password or generate_password()

    database = Database(settings)
    try:
        with database.session() as session:
            existed = session.scalar(select(User.id).where(User.email == email)) is not None
            admin, changed = ensure_first_admin(session, email=email, password=password)
            admin_email, admin_id = admin.email, admin.id
    except Conflict:
        return _fail(f"{email} was created by someone else meanwhile; run the command again")
    except SQLAlchemyError as exc:
        # the class says enough (unreachable, not migrated); the message may quote the URL
        print(f"create-admin: database error ({type(exc).__name__}); is it up and migrated?", file=sys.stderr)
        return FAILURE
    finally:
        database.dispose()

    if not changed:
        print(f"An admin already exists: {admin_email} (id {admin_id}); nothing changed.")
    elif existed:
        print(
            f"Promoted the existing account {admin_email} (id {admin_id}) to admin; "
            "its password is unchanged."
        )
    else:
        print(f"Created admin {admin_email} (id {admin_id}).")
        if generated:
            print(f"Generated password (shown once, keep it): {password}")
    return 0


def _fail(message: str) -> int:
    print(f"create-admin: {message}", file=sys.stderr)
    return USAGE_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m functions.users.cli", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-admin", help="make sure an administrator exists")
    create.add_argument("--email", help="the admin's email (default: ADMIN_EMAIL)")
    create.add_argument("--password", help="the admin's password (default: ADMIN_PASSWORD, else generated)")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        return _fail(str(exc))
    return create_admin(settings, email=args.email, password=args.password)


if __name__ == "__main__":
    sys.exit(main())
