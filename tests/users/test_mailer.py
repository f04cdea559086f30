"""The SMTP mailer against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from functions.users.auth.mailer import SmtpMailer


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp_server():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, inbox
    controller.stop()


def test_smtp_mailer_delivers(smtp_server):
    controller, inbox = smtp_server
    SmtpMailer(f"smtp://127.0.0.1:{controller.port}", "Spotifiuby <n@x.test>").send(
        to="user@example.com", subject="Hello", text="code: abc"
    )
    [message] = inbox.messages
    assert message["To"] == "user@example.com"
    assert message["Subject"] == "Hello"
    assert "code: abc" in message.get_payload()
