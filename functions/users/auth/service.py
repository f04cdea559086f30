"""Sign-up, login, token rotation, logout and password reset.

Refresh tokens are opaque random strings; only their SHA-256 is stored. Each login starts a
family; each refresh spends the presented token (an atomic ``UPDATE ... WHERE used_at IS NULL``)
and issues the next one in the family. Presenting a spent token again means it leaked: the whole
family is revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from functions.users import events
from functions.users.auth.passwords import hash_password, verify_password
from spotifiuby.config import Settings
from spotifiuby.db import is_unique_violation, utcnow
from spotifiuby.errors import BadRequest, Conflict, Forbidden, TooManyRequests, Unauthorized
from spotifiuby.models import PasswordResetToken, RefreshToken, User, UserEvent
from spotifiuby.tokens import TokenService


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_pair(
    session: Session, *, user: User, tokens: TokenService, settings: Settings, family_id: str | None = None
) -> dict[str, Any]:
    """A new access token and a refresh token of ``family_id`` (a new family when ``None``)."""
    refresh = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id or secrets.token_hex(16),
            token_hash=digest(refresh),
            expires_at=utcnow() + dt.timedelta(seconds=settings.refresh_token_ttl),
        )
    )
    return {
        "user": user,
        "access_token": tokens.issue(user_id=user.id, role=user.role),
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": settings.access_token_ttl,
    }


def create_user(
    session: Session, *, email: str, name: str, password: str | None, role: str = "listener"
) -> User:
    """Insert an account; an email taken in any letter case is 409, also under concurrent sign-ups."""
    user = User(
        email=email.strip().lower(),
        name=name,
        role=role,
        password_hash=hash_password(password) if password is not None else None,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise Conflict("An account with this email already exists.", code="email_taken") from None
        raise
    return user


def signup(session: Session, *, body: dict[str, Any], tokens: TokenService, settings: Settings) -> dict:
    user = create_user(
        session, email=body["email"], name=body["name"], password=body["password"], role=body["role"]
    )
    events.record(session, kind="signup", method="password", user_id=user.id, email=user.email)
    return token_pair(session, user=user, tokens=tokens, settings=settings)


def login(session: Session, *, email: str, password: str, tokens: TokenService, settings: Settings) -> dict:
    email = email.strip().lower()
    _throttle(session, email=email, settings=settings)
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not verify_password(user.password_hash, password):
        events.record(
            session, kind="login_failed", method="password", user_id=user.id if user else None, email=email
        )
        session.commit()  # the failure must count even though this request fails
        raise Unauthorized("Email or password is wrong.", code="invalid_credentials")
    if user.blocked:
        raise Forbidden("This account is blocked.", code="blocked")
    _rehash_if_needed(user, password)
    events.record(session, kind="login", method="password", user_id=user.id, email=email)
    return token_pair(session, user=user, tokens=tokens, settings=settings)


def _throttle(session: Session, *, email: str, settings: Settings) -> None:
    """After ``LOGIN_MAX_FAILURES`` failures within the window, wait until the oldest ages out."""
    since = utcnow() - dt.timedelta(seconds=settings.login_failure_window)
    failures, oldest = session.execute(
        select(func.count(), func.min(UserEvent.created_at)).where(
            UserEvent.kind == "login_failed", UserEvent.email == email, UserEvent.created_at > since
        )
    ).one()
    if failures >= settings.login_max_failures:
        retry_after = (oldest - since).total_seconds() if oldest else settings.login_failure_window
        raise TooManyRequests(
            "Too many failed logins for this account; try again later.",
            code="too_many_failures",
            retry_after=int(retry_after) + 1,
        )


def _rehash_if_needed(user: User, password: str) -> None:
    from functions.users.auth.passwords import _hasher

    if user.password_hash and _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)


def refresh(session: Session, *, refresh_token: str, tokens: TokenService, settings: Settings) -> dict:
    now = utcnow()
    row = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == digest(refresh_token)))
    if row is None or row.expires_at <= now:
        raise Unauthorized("The refresh token is invalid or expired.", code="invalid_token")
    spent = session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if spent != 1:
        revoke_family(session, family_id=row.family_id)
        session.commit()
        raise Unauthorized("The refresh token was already used; its session is revoked.", code="token_reused")
    user = session.get(User, row.user_id)
    if user is None:
        raise Unauthorized("The account no longer exists.", code="invalid_token")
    if user.blocked:
        raise Forbidden("This account is blocked.", code="blocked")
    return token_pair(session, user=user, tokens=tokens, settings=settings, family_id=row.family_id)


def revoke_family(session: Session, *, family_id: str) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_all(session: Session, *, user_id: int) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def logout(session: Session, *, user_id: int, refresh_token: str) -> None:
    """Revoke the presented token's family (the device's session); unknown tokens are ignored."""
    row = session.scalar(
        select(RefreshToken).where(
            RefreshToken.token_hash == digest(refresh_token), RefreshToken.user_id == user_id
        )
    )
    if row is not None:
        revoke_family(session, family_id=row.family_id)


def request_password_reset(session: Session, *, email: str, settings: Settings) -> None:
    """Hand a single-use reset token to the mailer; silent when the email has no account."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or user.blocked:
        return
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=digest(token),
            expires_at=utcnow() + dt.timedelta(seconds=settings.password_reset_ttl),
        )
    )
    session.commit()  # the token must exist before the mail announcing it leaves
    from functions.users.auth.mailer import mailer_for

    mailer_for(settings).send(
        to=user.email,
        subject="Reset your Spotifiuby password",
        text=(
            f"Hello {user.name},\n\nuse this code to choose a new password within "
            f"{settings.password_reset_ttl // 60} minutes:\n\n{token}\n\n"
            "If you did not ask for it, ignore this message.\n"
        ),
    )


def confirm_password_reset(session: Session, *, token: str, password: str) -> None:
    now = utcnow()
    row = session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == digest(token)))
    used = (
        row is not None
        and row.expires_at > now
        and session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
            .values(used_at=now)
        ).rowcount
        == 1
    )
    if not used:
        raise BadRequest("The reset token is invalid, expired or already used.", code="invalid_token")
    user = session.get(User, row.user_id)
    user.password_hash = hash_password(password)
    revoke_all(session, user_id=user.id)
    events.record(session, kind="password_reset", user_id=user.id, email=user.email)
