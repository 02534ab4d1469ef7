"""Talking to the SMTP server with smtplib: connect from the options, build a message, and
say what an error means (retry later, or give up)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from core.mailsink import DEFAULT_HOST

from . import options, secrets_store
from .models import OutboxEmail
from .secrets_store import UnreadableSecret

PASSWORD_KEY = "smtp_password"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str
    password: str
    from_address: str
    timeout: int

    @property
    def uses_sink(self) -> bool:
        return not self.host


def settings(*, with_password: bool = False) -> SmtpSettings:
    """The options; no SMTP host means the local sink on loopback.

    The password is decrypted only when asked (to send or test), and only when a user name
    is set; an unreadable one raises :class:`UnreadableSecret`.
    """
    o = options.current()
    host = (o.smtp_host or "").strip()
    user = o.smtp_user if host else ""
    password = secrets_store.get(PASSWORD_KEY) if with_password and user else ""
    return SmtpSettings(
        host=host, port=o.smtp_port if host else o.sink_port, security=o.smtp_security if host else "none",
        user=user, password=password, from_address=o.from_address, timeout=o.smtp_timeout,
    )


def set_password(value: str) -> None:
    secrets_store.put(PASSWORD_KEY, value)


def password_state() -> str:
    """``"none"``, ``"set"`` or ``"unreadable"`` (encrypted under another SECRET_KEY)."""
    return secrets_store.state(PASSWORD_KEY)


def connect(s: SmtpSettings) -> smtplib.SMTP:
    host = s.host or DEFAULT_HOST
    if s.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, s.port, timeout=s.timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, s.port, timeout=s.timeout)
        if s.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if s.user:
        smtp.login(s.user, s.password)
    return smtp


def build_message(row: OutboxEmail, from_address: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Message-ID"] = row.message_id
    msg["From"] = from_address
    msg["To"] = row.recipient
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg.set_content(row.body_text or "")
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
    if row.attachment:
        maintype, _, subtype = ("application/pdf" if row.attachment_name.endswith(".pdf")
                                else "application/octet-stream").partition("/")
        msg.add_attachment(row.attachment, maintype=maintype, subtype=subtype, filename=row.attachment_name)
    return msg


@dataclass(frozen=True)
class Outcome:
    kind: str  # "sent" | "retry" | "dead"
    text: str


def classify(exc: BaseException) -> Outcome:
    """5xx: the server refused for good (dead). 4xx and lost connections: try again later."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        text = "; ".join(f"{rcpt}: {code} {_decode(msg)}" for rcpt, (code, msg) in exc.recipients.items())
        return Outcome("dead" if codes and all(c >= 500 for c in codes) else "retry", f"Recipient refused: {text}")
    if isinstance(exc, smtplib.SMTPResponseException):
        kind = "dead" if exc.smtp_code >= 500 else "retry"
        return Outcome(kind, f"The server answered {exc.smtp_code} {_decode(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return Outcome("retry", "The server closed the connection before accepting the message")
    if isinstance(exc, TimeoutError):
        return Outcome("retry", "The server did not answer in time")
    if isinstance(exc, OSError):
        return Outcome("retry", f"Cannot reach the mail server: {exc.strerror or exc}")
    return Outcome("retry", f"{type(exc).__name__}: {exc}")


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def send_test_message(to: str) -> str:
    """Send one message now (not through the outbox); returns the server's answer in words."""
    try:
        s = settings(with_password=True)
    except UnreadableSecret as exc:
        return f"Not sent: {exc}"
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = s.from_address, to, "OrderBridge test message"
    msg["Date"] = formatdate(usegmt=True)
    msg.set_content("This is a test message from OrderBridge. Your mail settings work.")
    where = f"{s.host}:{s.port}" if s.host else f"the local mail sink ({DEFAULT_HOST}:{s.port})"
    try:
        smtp = connect(s)
    except (smtplib.SMTPException, OSError) as exc:
        return f"Not sent: {classify(exc).text} ({where})."
    try:
        smtp.send_message(msg)
        code, answer = smtp.noop()
        return f"Sent to {to} through {where}. The server is ready ({code} {_decode(answer)})."
    except (smtplib.SMTPException, OSError) as exc:
        return f"Not sent: {classify(exc).text} ({where})."
    finally:
        _quit(smtp)


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
