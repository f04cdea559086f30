"""Routes under ``/auth``: anyone may call them; they hand out and take back credentials."""

from typing import Any

from sqlalchemy.orm import Session

from functions.users.auth import federated, service
from functions.users.auth.schemas import (
    FederatedSchema,
    LoginSchema,
    RefreshTokenSchema,
    ResetConfirmSchema,
    ResetRequestSchema,
    SessionSchema,
    SignupSchema,
)
from spotifiuby.api import Api
from spotifiuby.app import context
from spotifiuby.auth import Caller
from spotifiuby.config import Settings

api = Api("auth")


@api.post("/auth/signup", body=SignupSchema, response=SessionSchema, status=201, auth="none")
def signup(*, body: dict[str, Any], session: Session, settings: Settings) -> dict:
    """Create an account with email and password."""
    return service.signup(session, body=body, tokens=context().tokens, settings=settings)


@api.post("/auth/login", body=LoginSchema, response=SessionSchema, auth="none")
def login(*, body: dict[str, Any], session: Session, settings: Settings) -> dict:
    """Log in with email and password (throttled after repeated failures)."""
    return service.login(
        session, email=body["email"], password=body["password"], tokens=context().tokens, settings=settings
    )


@api.post("/auth/refresh", body=RefreshTokenSchema, response=SessionSchema, auth="none")
def refresh(*, body: dict[str, Any], session: Session, settings: Settings) -> dict:
    """Trade a refresh token for a new token pair (the old one is spent)."""
    return service.refresh(
        session, refresh_token=body["refresh_token"], tokens=context().tokens, settings=settings
    )


@api.post("/auth/logout", body=RefreshTokenSchema, status=204)
def logout(*, body: dict[str, Any], caller: Caller, session: Session) -> None:
    """Revoke a refresh token (and the session it belongs to)."""
    service.logout(session, user_id=caller.user_id, refresh_token=body["refresh_token"])


@api.post("/auth/federated", body=FederatedSchema, response=SessionSchema, auth="none")
def federated_login(*, body: dict[str, Any], session: Session, settings: Settings) -> dict:
    """Sign up or log in with an OpenID Connect ID token."""
    return federated.federated_login(
        session, id_token=body["id_token"], tokens=context().tokens, settings=settings
    )


@api.post("/auth/password-reset", body=ResetRequestSchema, status=202, auth="none")
def password_reset(*, body: dict[str, Any], session: Session, settings: Settings) -> dict:
    """Mail a single-use reset token (answers the same whether or not the email exists)."""
    service.request_password_reset(session, email=body["email"], settings=settings)
    return {"status": "accepted"}


@api.post("/auth/password-reset/confirm", body=ResetConfirmSchema, status=204, auth="none")
def password_reset_confirm(*, body: dict[str, Any], session: Session) -> None:
    """Choose a new password with a reset token; every session of the account is revoked."""
    service.confirm_password_reset(session, token=body["token"], password=body["password"])
