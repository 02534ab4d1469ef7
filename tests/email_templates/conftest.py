"""Fixtures for the email tests: a real SMTP server (aiosmtpd on 127.0.0.1) whose answers a test
scripts, and helpers to queue messages."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading

import pytest

from core.db import db
from core.mailsink import loopback_controller
from core.options import apply_changes


class ScriptedHandler:
    """Accepts messages (250) unless the next scripted answer says otherwise.

    Script entries: an SMTP reply such as ``"451 4.3.0 try later"``, or ``"disconnect"``
    (drop the connection after the data arrived, before answering).
    """

    def __init__(self) -> None:
        self.script: list[str] = []
        self.received: list[email.message.EmailMessage] = []
        self.delay = 0.0
        self.lock = threading.Lock()

    @property
    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.received]

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            answer = self.script.pop(0) if self.script else "250 OK"
        if answer == "disconnect":
            server.transport.abort()
            return "421 closing"
        if answer.startswith("250"):
            message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            with self.lock:
                self.received.append(message)
        return answer


@pytest.fixture
def smtp_server():
    handler = ScriptedHandler()
    controller = loopback_controller(handler, "127.0.0.1", 0)
    controller.start()
    controller.handler = handler
    yield controller
    controller.stop()


def set_email_options(**values) -> None:
    apply_changes("email_templates", values, user_id=None, source="test")
    db.session.commit()


@pytest.fixture
def mail_app(app, demo, smtp_server):
    """The app with the SMTP options pointing at the scripted server; quick retries."""
    with app.app_context():
        set_email_options(smtp_host="127.0.0.1", smtp_port=smtp_server.port, from_address="po@orderbridge.test",
                          retry_delay_seconds=60, smtp_timeout=5)
    return app


def queue(n: int = 1, prefix: str = "t", recipient: str = "someone@example.com") -> list[int]:
    """Queue ``n`` plain messages (inside an app context) and commit; returns their ids."""
    from plugins.email_templates.outbox import queue_email
    from plugins.email_templates.render import Rendered

    ids = []
    for i in range(n):
        row = queue_email(dedupe_key=f"{prefix}:{i}", type="BACK ORDER", recipient=recipient,
                          rendered=Rendered(f"Message {prefix} {i}", f"<p>{i}</p>", f"Body {i}"),
                          document=f"DOC {prefix}{i}")
        db.session.flush()
        ids.append(row.id)
    db.session.commit()
    return ids
