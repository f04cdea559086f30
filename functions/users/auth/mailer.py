"""Outgoing mail behind one small interface.

``OutboxMailer`` (the development default) writes each message as a JSON file under
``DATA_DIR/outbox`` where a developer or a test reads it; ``SmtpMailer`` sends through a real SMTP
server (``SMTP_URL=smtp://user:password@host:587`` with STARTTLS, or ``smtps://`` for TLS).
Neither logs the message text, which carries single-use tokens.
"""

from __future__ import annotations

import json
import logging
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from spotifiuby.config import Settings
from spotifiuby.db import utcnow

logger = logging.getLogger("spotifiuby.mail")


class Mailer(Protocol):
    def send(self, *, to: str, subject: str, text: str) -> None: ...


class OutboxMailer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, *, to: str, subject: str, text: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent_at = utcnow()
        path = self.directory / f"{sent_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.json"
        message = {"to": to, "subject": subject, "text": text, "sent_at": sent_at.isoformat()}
        path.write_text(json.dumps(message))
        logger.info("mail written to the outbox", extra={"fields": {"file": path.name}})


class SmtpMailer:
    def __init__(self, url: str, sender: str) -> None:
        self.url = urlsplit(url)
        self.sender = sender

    def send(self, *, to: str, subject: str, text: str) -> None:
        import smtplib

        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(text)
        secure = self.url.scheme == "smtps"
        smtp_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
        with smtp_class(
            self.url.hostname or "localhost", self.url.port or (465 if secure else 25), timeout=10
        ) as smtp:
            if not secure and smtp.has_extn("starttls"):
                smtp.starttls()
            if self.url.username:
                smtp.login(unquote(self.url.username), unquote(self.url.password or ""))
            smtp.send_message(message)
        logger.info("mail sent over SMTP")


def mailer_for(settings: Settings) -> Mailer:
    if settings.mailer == "smtp":
        return SmtpMailer(settings.smtp_url or "", settings.mail_from)
    return OutboxMailer(settings.data_dir / "outbox")
