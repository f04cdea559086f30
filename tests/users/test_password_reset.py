"""Password reset: a single-use, expiring token handed to the mailer."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import select

from spotifiuby.models import PasswordResetToken, UserEvent
from tests.factories import PASSWORD, create_user

NEW_PASSWORD = "Fresh456word"


def reset_token_sent_to(data_dir, email: str) -> str:
    """The token in the newest outbox mail to ``email`` (the development mailer)."""
    mails = [json.loads(p.read_text()) for p in sorted((data_dir / "outbox").glob("*.json"))]
    [*_, mail] = [m for m in mails if m["to"] == email]
    return re.search(r"^([A-Za-z0-9_-]{40,})$", mail["text"], re.MULTILINE).group(1)


def test_reset_flow_changes_the_password_and_revokes_sessions(make_client, db, backend):
    client = make_client("users")
    user = create_user(db, email="reset@example.com")
    login = client.post("/auth/login", json={"email": user.email, "password": PASSWORD}).json
    assert client.post("/auth/password-reset", json={"email": "Reset@Example.com"}).status_code == 202
    token = reset_token_sent_to(backend.data_dir, user.email)

    weak = client.post("/auth/password-reset/confirm", json={"token": token, "password": "weak"})
    assert weak.status_code == 422  # and the token is still usable
    done = client.post("/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204

    again = client.post("/auth/password-reset/confirm", json={"token": token, "password": "Other789word"})
    assert again.status_code == 400 and again.json["error"]["code"] == "invalid_token"
    assert client.post("/auth/refresh", json={"refresh_token": login["refresh_token"]}).status_code == 401
    assert client.post("/auth/login", json={"email": user.email, "password": PASSWORD}).status_code == 401
    assert client.post("/auth/login", json={"email": user.email, "password": NEW_PASSWORD}).status_code == 200
    with db.session() as session:
        assert session.scalars(select(UserEvent.kind).where(UserEvent.kind == "password_reset")).all() == [
            "password_reset"
        ]


def test_unknown_email_gets_the_same_answer_and_no_mail(make_client, db, backend):
    response = make_client("users").post("/auth/password-reset", json={"email": "ghost@example.com"})
    assert response.status_code == 202
    outbox = backend.data_dir / "outbox"
    mails = [json.loads(p.read_text()) for p in outbox.glob("*.json")] if outbox.exists() else []
    assert all(m["to"] != "ghost@example.com" for m in mails)


def test_expired_and_unknown_tokens_are_refused(make_client, db, backend):
    client = make_client("users")
    user = create_user(db, email="late@example.com")
    client.post("/auth/password-reset", json={"email": user.email})
    token = reset_token_sent_to(backend.data_dir, user.email)
    with db.session() as session:
        session.scalar(select(PasswordResetToken)).expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(
            seconds=1
        )
    expired = client.post("/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert expired.status_code == 400
    unknown = client.post("/auth/password-reset/confirm", json={"token": "x" * 43, "password": NEW_PASSWORD})
    assert unknown.status_code == 400
    assert client.post("/auth/login", json={"email": user.email, "password": PASSWORD}).status_code == 200
