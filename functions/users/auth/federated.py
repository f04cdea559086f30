"""Sign-up or login with an OpenID Connect ID token (Google, Firebase, any OIDC issuer).

The token must be signed by a key of the configured JWKS (``OIDC_JWKS_URL``, fetched and cached by
PyJWT) and carry the configured issuer and audience. Accounts are matched by (issuer, subject); a
first login with a verified email that already has an account links to it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from functions.users import events
from functions.users.auth.service import create_user, token_pair
from spotifiuby.config import Settings
from spotifiuby.errors import Conflict, Forbidden, ServiceUnavailable, Unauthorized
from spotifiuby.models import FederatedIdentity, User
from spotifiuby.tokens import TokenService

ALGORITHMS = ["RS256", "ES256"]


@cache
def _jwks_client(url: str) -> Any:
    from jwt import PyJWKClient

    return PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)


def verify_id_token(id_token: str, settings: Settings) -> dict[str, Any]:
    import jwt

    if not (settings.oidc_issuer and settings.oidc_audience and settings.oidc_jwks_url):
        raise ServiceUnavailable("Federated login is not configured.", code="federated_not_configured")
    try:
        key = _jwks_client(settings.oidc_jwks_url).get_signing_key_from_jwt(id_token)
    except jwt.PyJWKClientConnectionError:
        raise ServiceUnavailable(
            "The identity provider's keys cannot be fetched.", code="federated_unavailable"
        ) from None
    except jwt.PyJWTError:
        raise Unauthorized("The ID token is invalid.", code="invalid_token") from None
    try:
        return jwt.decode(
            id_token,
            key.key,
            algorithms=ALGORITHMS,
            audience=settings.oidc_audience,
            issuer=settings.oidc_issuer,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except jwt.PyJWTError:
        raise Unauthorized("The ID token is invalid.", code="invalid_token") from None


def federated_login(session: Session, *, id_token: str, tokens: TokenService, settings: Settings) -> dict:
    claims = verify_id_token(id_token, settings)
    try:
        user, created = _account_for(session, claims)
    except (IntegrityError, Conflict):
        # a concurrent first login of the same person created it: use theirs
        session.rollback()
        user, created = _account_for(session, claims)
    if user.blocked:
        raise Forbidden("This account is blocked.", code="blocked")
    events.record(
        session, kind="signup" if created else "login", method="federated", user_id=user.id, email=user.email
    )
    return token_pair(session, user=user, tokens=tokens, settings=settings)


def _account_for(session: Session, claims: dict[str, Any]) -> tuple[User, bool]:
    issuer, subject = claims["iss"], str(claims["sub"])
    identity = session.scalar(
        select(FederatedIdentity).where(
            FederatedIdentity.issuer == issuer, FederatedIdentity.subject == subject
        )
    )
    if identity is not None:
        return session.get(User, identity.user_id), False
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is not True:
        raise Unauthorized("The ID token has no verified email.", code="invalid_token")
    user = session.scalar(select(User).where(User.email == email))
    created = user is None
    if created:
        name = str(claims.get("name") or email.split("@")[0])[:100]
        user = create_user(session, email=email, name=name, password=None)
    with session.begin_nested():
        session.add(FederatedIdentity(user_id=user.id, issuer=issuer, subject=subject))
    return user, created
