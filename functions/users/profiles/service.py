"""Accounts, search, follows, liked genres and the push token.

Visibility: blocked accounts are hidden from everyone but admins (lists, profiles, follow counts),
as if they did not exist. The admin routes reuse ``list_users``, ``update`` and ``delete``.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, false, func, or_, select
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session, aliased

from functions.users.auth.service import revoke_all
from spotifiuby.db import insert_ignore, paginate
from spotifiuby.errors import Conflict, Forbidden, NotFound, ValidationFailed
from spotifiuby.models import Follow, Genre, LikedGenre, User

PUBLIC_COLUMNS = (User.id, User.name, User.bio, User.photo_url, User.role, User.created_at)


def _visible(user: Any, *, as_admin: bool) -> list[ColumnElement[bool]]:
    """The conditions under which ``user`` (the model or an alias) shows to the viewer."""
    return [] if as_admin else [user.blocked == false()]


def get_or_404(
    session: Session, *, user_id: int, hide_blocked: bool = False, key_share: bool = False
) -> User:
    """The account; 404 when it does not exist, or is blocked and ``hide_blocked`` (non-admins).

    ``key_share``: the row stays key-share locked until the transaction ends, so a row about to refer
    to it (a follow) cannot lose it to a concurrent delete, which waits instead.
    """
    if key_share:
        user = session.scalar(
            select(User)
            .where(User.id == user_id)
            .with_for_update(read=True, key_share=True)
            .execution_options(populate_existing=True)
        )
    else:
        user = session.get(User, user_id)
    if user is None or (user.blocked and hide_blocked):
        raise NotFound("No such user.")
    return user


def list_users(
    session: Session,
    *,
    as_admin: bool,
    limit: int,
    offset: int,
    q: str | None = None,
    role: str | None = None,
    blocked: bool | None = None,
) -> tuple[list[User], int]:
    """Accounts by id; ``q`` matches the name (and, for admins, the email) literally."""
    stmt = select(User).where(*_visible(User, as_admin=as_admin)).order_by(User.id)
    if q is not None:
        # autoescape: a user typing % or _ searches for that character, not a wildcard
        matches = [User.name.icontains(q, autoescape=True)]
        if as_admin:
            matches.append(User.email.icontains(q, autoescape=True))
        stmt = stmt.where(or_(*matches))
    if role is not None:
        stmt = stmt.where(User.role == role)
    if blocked is not None:
        stmt = stmt.where(User.blocked == blocked)
    return paginate(session, stmt, limit=limit, offset=offset)


def get_profile(session: Session, *, user_id: int, as_admin: bool) -> Row:
    """The public columns and both follow counts, in one query (the counts as subqueries)."""
    other = aliased(User)

    def follow_count(counted: Any, anchor: Any) -> Any:
        return (
            select(func.count())
            .select_from(Follow)
            .join(other, other.id == counted)
            .where(anchor == User.id, *_visible(other, as_admin=as_admin))
            .scalar_subquery()
        )

    stmt = select(
        *PUBLIC_COLUMNS,
        follow_count(Follow.follower_id, Follow.followed_id).label("followers_count"),
        follow_count(Follow.followed_id, Follow.follower_id).label("following_count"),
    ).where(User.id == user_id, *_visible(User, as_admin=as_admin))
    row = session.execute(stmt).first()
    if row is None:
        raise NotFound("No such user.")
    return row


def update(
    session: Session, *, user_id: int, changes: dict[str, Any], acting_admin_id: int | None = None
) -> User:
    """Partial update of an account. A change of ``role`` or ``blocked`` keeps one active admin.

    ``acting_admin_id`` is the admin doing it (``None`` for the owner editing their own profile).
    """
    standing = bool(changes.keys() & {"role", "blocked"})
    admins = _lock_active_admins(session, acting_admin_id=acting_admin_id) if standing else set()
    user = get_or_404(session, user_id=user_id)
    if standing:
        role = changes.get("role", user.role)
        blocked = changes.get("blocked", user.blocked)
        if admins == {user.id} and (role != "admin" or blocked):
            raise _last_admin()
        if blocked and not user.blocked:
            # access tokens stop at the next request (auth reads `blocked`); refresh stops now
            revoke_all(session, user_id=user.id)
    for field, value in changes.items():
        setattr(user, field, value)
    return user


def delete(session: Session, *, user_id: int, acting_admin_id: int | None = None) -> None:
    """Remove an account; the database cascades its follows, liked genres, tokens and identities,
    and keeps its recorded events (their ``user_id`` becomes NULL) so the metrics stay right."""
    admins = _lock_active_admins(session, acting_admin_id=acting_admin_id)
    user = get_or_404(session, user_id=user_id)
    if admins == {user.id}:
        raise _last_admin()
    session.execute(sql_delete(User).where(User.id == user.id))


def _lock_active_admins(session: Session, *, acting_admin_id: int | None) -> set[int]:
    """Ids of the non-blocked admins, row-locked until the transaction ends.

    Two admins demoting each other at once queue here; the second one then sees the first's
    change (PostgreSQL re-checks a locked row's WHERE) and the guard holds. On SQLite every write
    transaction is already serialized (BEGIN IMMEDIATE) and FOR UPDATE is not emitted.
    """
    admins = set(
        session.scalars(
            select(User.id)
            .where(User.role == "admin", User.blocked == false())
            .order_by(User.id)  # one lock order for everyone: no deadlock between two guards
            .with_for_update()
        )
    )
    if acting_admin_id is not None and acting_admin_id not in admins:
        # demoted or blocked while this request was waiting for the lock
        raise Forbidden("Administrators only.", code="admin_required")
    return admins


def _last_admin() -> Conflict:
    return Conflict("The last administrator cannot be removed, demoted or blocked.", code="last_admin")


def follow(session: Session, *, follower_id: int, user_id: int, as_admin: bool) -> None:
    """Idempotent: following twice, or two requests at once, leave one follow."""
    if user_id == follower_id:
        raise ValidationFailed(
            "You cannot follow yourself.", details={"user_id": ["Cannot follow yourself."]}
        )
    # locked: an account deleted at the same moment is either still there or 404, never a broken
    # insert (pg8000 raises that foreign-key violation as ProgrammingError, not IntegrityError)
    get_or_404(session, user_id=user_id, hide_blocked=not as_admin, key_share=True)
    insert_ignore(session, Follow.__table__, {"follower_id": follower_id, "followed_id": user_id})


def unfollow(session: Session, *, follower_id: int, user_id: int) -> None:
    """Idempotent. A blocked account can be unfollowed (it is only hidden, still there)."""
    if user_id == follower_id:
        raise ValidationFailed(
            "You cannot unfollow yourself.", details={"user_id": ["Cannot unfollow yourself."]}
        )
    get_or_404(session, user_id=user_id)
    session.execute(
        sql_delete(Follow).where(Follow.follower_id == follower_id, Follow.followed_id == user_id)
    )


def list_follows(
    session: Session,
    *,
    user_id: int,
    side: Literal["followers", "following"],
    as_admin: bool,
    limit: int,
    offset: int,
) -> tuple[list[User], int]:
    """Who follows ``user_id`` (``followers``) or whom it follows (``following``), newest first."""
    get_or_404(session, user_id=user_id, hide_blocked=not as_admin)
    listed, anchor = (
        (Follow.follower_id, Follow.followed_id)
        if side == "followers"
        else (Follow.followed_id, Follow.follower_id)
    )
    stmt = (
        select(User)
        .join(Follow, listed == User.id)
        .where(anchor == user_id, *_visible(User, as_admin=as_admin))
        .order_by(Follow.created_at.desc(), User.id.desc())
    )
    return paginate(session, stmt, limit=limit, offset=offset)


def list_genres(session: Session, *, user_id: int, limit: int, offset: int) -> tuple[list[LikedGenre], int]:
    stmt = select(LikedGenre).where(LikedGenre.user_id == user_id).order_by(LikedGenre.genre_id)
    return paginate(session, stmt, limit=limit, offset=offset)


def like_genre(session: Session, *, user_id: int, genre_id: int) -> None:
    """Idempotent; an unknown genre (or one an admin deletes meanwhile) is 404.

    The genre stays key-share locked until the transaction ends: an admin deleting it at the same
    moment either goes first (then this is 404) or waits and takes the new like away with the genre.
    """
    found = session.scalar(
        select(Genre.id).where(Genre.id == genre_id).with_for_update(read=True, key_share=True)
    )
    if found is None:
        raise NotFound("No such genre.")
    insert_ignore(session, LikedGenre.__table__, {"user_id": user_id, "genre_id": genre_id})


def unlike_genre(session: Session, *, user_id: int, genre_id: int) -> None:
    session.execute(
        sql_delete(LikedGenre).where(LikedGenre.user_id == user_id, LikedGenre.genre_id == genre_id)
    )


def set_push_token(session: Session, *, user_id: int, token: str | None) -> None:
    """Store the device's Expo push token (``None`` forgets it)."""
    session.execute(sql_update(User).where(User.id == user_id).values(push_token=token))
