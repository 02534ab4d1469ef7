"""The local mail sink: an SMTP server on loopback (aiosmtpd) that keeps what it receives.

``make run`` starts it beside the web server when no SMTP server is configured, so a new
machine can send mail and read it on the Mailbox page. Messages are stored in a Maildir
under the instance folder (``instance/mailbox``), one file per message, readable by any
process (the web pages read it; the sink writes it).
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8025


def mailbox_path(instance_path: str) -> Path:
    return Path(instance_path) / "mailbox"


class MaildirHandler:
    """aiosmtpd handler: store each accepted message in the Maildir, answer 250."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.box = mailbox.Maildir(str(path), create=True)  # makes tmp/, new/ and cur/ when absent

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw if isinstance(raw, bytes) else raw.encode(), policy=email.policy.SMTP)
        if "X-Envelope-To" not in message:
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.box.add(message)
        return "250 Message accepted for delivery"


def loopback_controller(handler, host: str = DEFAULT_HOST, port: int = 0):
    """aiosmtpd's ``Controller`` that may listen on port 0 (a free port, read back as ``.port``).

    The stock controller probes its own ``port`` once started, which fails for port 0.
    """
    from aiosmtpd.controller import Controller

    class _Controller(Controller):
        def _trigger_server(self):
            if self.server is not None:
                self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    return _Controller(handler, hostname=host, port=port)


def start(path: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT):
    """Start the sink in a background thread; returns the controller (``.port``, ``.stop()``)."""
    controller = loopback_controller(MaildirHandler(path), host, port)
    controller.start()
    return controller


def serve_forever(path: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    controller = start(path, host, port)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:  # Ctrl-C or honcho stopping the group
        pass
    finally:
        controller.stop()


@dataclass(frozen=True)
class StoredMessage:
    key: str
    message_id: str
    sender: str
    to: str
    subject: str
    date: datetime | None
    text: str
    html: str
    attachments: tuple[str, ...]


def _parts(message: email.message.EmailMessage) -> tuple[str, str, tuple[str, ...]]:
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    names = tuple(p.get_filename() or "attachment" for p in message.iter_attachments())
    text = text_part.get_content() if text_part is not None else ""
    html = html_part.get_content() if html_part is not None else ""
    return text, html, names


def read_messages(path: Path, limit: int = 200) -> list[StoredMessage]:
    """The newest ``limit`` messages of the Maildir, newest first."""
    if not (path / "cur").exists():
        return []
    box = mailbox.Maildir(str(path), factory=None, create=False)
    out = []
    for key in box.keys():
        with box.get_file(key) as fh:
            message = email.message_from_binary_file(fh, policy=email.policy.default)
        try:
            when = parsedate_to_datetime(message["Date"]) if message["Date"] else None
        except (TypeError, ValueError):
            when = None
        text, html, names = _parts(message)
        out.append(StoredMessage(key=key, message_id=str(message.get("Message-ID", "")),
                                 sender=str(message.get("From", "")), to=str(message.get("To", "")),
                                 subject=str(message.get("Subject", "")), date=when, text=text, html=html,
                                 attachments=names))
    out.sort(key=lambda m: (m.date.timestamp() if m.date else 0, m.key), reverse=True)
    return out[:limit]
