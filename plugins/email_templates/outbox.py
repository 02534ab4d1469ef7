"""Pending Emails: queue in the business transaction, claim by a conditional update, send, record.

The row is the truth and the queue message only a hint. Every state change below is
a conditional UPDATE on the row's current state, so a batch run, a worker and a clerk's
"send now" never send one message twice:

* claim: ``pending`` → ``sending`` (``SKIP LOCKED`` on PostgreSQL; SQLite's write lock
  serialises claimers), one message at a time, committed before talking to SMTP;
* after SMTP answered: ``sending`` → ``sent``, back to ``pending`` with a growing delay
  (4xx, connection lost), ``failed`` after the last attempt, or ``dead`` (5xx);
* a row still ``sending`` after a crash goes to ``failed`` for a person to look at: the
  server may have accepted it, so it is never resent blindly.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from core.db import db
from core.errors import ValidationError
from core.jobs import enqueue_after_commit
from core.models import utcnow

from . import PLUGIN, options
from .activity_log import email_event
from .models import OutboxEmail
from .render import Rendered
from .secrets_store import UnreadableSecret
from .smtp import SmtpSettings, build_message, classify, connect, settings

log = logging.getLogger(__name__)
SEND_JOB = f"{PLUGIN}.send_pending"


_KINDS = {"BACK ORDER": "Back-order email", "PO TO VENDOR": "Purchase order email",
          "ORDER ACKNOWLEDGEMENT": "Order acknowledgement email"}


def _kind(type_: str) -> str:
    return _KINDS.get(type_, "Email")


def new_message_id() -> str:
    domain = (options.from_address or "").rpartition("@")[2] or socket.getfqdn() or "orderbridge.local"
    return f"<{secrets.token_hex(16)}@{domain}>"


def queue_email(*, dedupe_key: str, type: str, recipient: str, rendered: Rendered, document: str = "",
                template_id: int | None = None, attachment: bytes | None = None,
                attachment_name: str = "", order_numbers: Iterable[str] = ()) -> OutboxEmail | None:
    """Write one message to Pending Emails in the caller's transaction; ``None`` if already queued.

    The activity log of the document (``"PO 0100022"``) and of the sales orders named in
    ``order_numbers`` says the email was queued, and later that it was sent or failed.

    The same ``dedupe_key`` (the same event) never queues twice. The Message-ID is fixed
    now, so a resend after review is recognisably the same message.
    """
    if not recipient or "@" not in recipient:
        raise ValidationError(None, f"Cannot queue the email for {document or 'this document'}: "
                                    "the recipient has no e-mail address.")
    if db.session.scalar(sa.select(OutboxEmail.id).where(OutboxEmail.dedupe_key == dedupe_key)):
        return None
    row = OutboxEmail(dedupe_key=dedupe_key, message_id=new_message_id(), type=type, recipient=recipient.strip(),
                      subject=rendered.subject[:250], body_text=rendered.body_text, body_html=rendered.body_html,
                      document=document[:80], template_id=template_id, attachment=attachment,
                      attachment_name=attachment_name, status="pending", attempts=0, next_attempt_at=utcnow())
    try:
        with db.session.begin_nested():  # a racing writer of the same event loses quietly
            db.session.add(row)
    except sa.exc.IntegrityError:
        return None
    email_event(row.document, "email_queued", f"{_kind(type)} to {row.recipient}: {row.subject}", order_numbers)
    if options.send_automatically:
        enqueue_after_commit(SEND_JOB)
    return row


# -- claiming and state changes --------------------------------------------------------------------


def claim(limit: int = 1, ids: Iterable[int] | None = None, now: datetime | None = None) -> list[int]:
    """Move up to ``limit`` due pending rows to ``sending`` and commit; returns their ids.

    Two statements in one transaction: pick the rows (``FOR UPDATE SKIP LOCKED`` on
    PostgreSQL, so concurrent claimers take different rows; SQLite's BEGIN IMMEDIATE makes
    claimers take turns), then the conditional update, which only changes rows still
    pending. (One ``UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`` may
    change more than ``n`` rows on PostgreSQL: the sub-select can be run again.)
    """
    now = now or utcnow()
    due = sa.select(OutboxEmail.id).where(OutboxEmail.status == "pending")
    if ids is None:
        due = due.where(OutboxEmail.next_attempt_at <= now)
    else:
        due = due.where(OutboxEmail.id.in_(list(ids)))
    due = due.order_by(OutboxEmail.next_attempt_at, OutboxEmail.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    picked = list(db.session.scalars(due))
    claimed: list[int] = []
    if picked:
        stmt = (sa.update(OutboxEmail).where(OutboxEmail.id.in_(picked), OutboxEmail.status == "pending")
                .values(status="sending", claimed_at=now, claim_token=secrets.token_hex(10),
                        attempts=OutboxEmail.attempts + 1)
                .returning(OutboxEmail.id).execution_options(synchronize_session=False))
        claimed = sorted(db.session.scalars(stmt))
    db.session.commit()
    return claimed


def _finish(row_id: int, token_state: str, **values) -> bool:
    """Conditional update from ``token_state``; True when this caller changed the row."""
    result = db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.id == row_id,
                                                             OutboxEmail.status == token_state)
                                .values(**values).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def _retry_values(attempts: int, text: str, now: datetime) -> dict:
    o = options.current()
    if attempts >= o.max_attempts:
        return {"status": "failed", "last_error": f"{text} (gave up after {attempts} attempts)"}
    delay = o.retry_delay_seconds * (2 ** max(0, attempts - 1))
    return {"status": "pending", "last_error": text, "next_attempt_at": now + timedelta(seconds=delay)}


def recover_stale(now: datetime | None = None, older_than: timedelta | None = None) -> int:
    """Rows left in ``sending`` by a crash → ``failed`` (the server may have them: a person decides)."""
    now = now or utcnow()
    older_than = older_than if older_than is not None else timedelta(minutes=options.stale_sending_minutes)
    result = db.session.execute(
        sa.update(OutboxEmail).where(OutboxEmail.status == "sending", OutboxEmail.claimed_at <= now - older_than)
        .values(status="failed", last_error="Interrupted while sending (the mail server may have received it): "
                                             "check, then requeue or cancel.")
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


@dataclass
class BatchResult:
    sent: int = 0
    retry: int = 0
    dead: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.sent} sent"]
        if self.retry:
            parts.append(f"{self.retry} to retry later")
        if self.dead:
            parts.append(f"{self.dead} refused by the server")
        if self.failed:
            parts.append(f"{self.failed} failed")
        return ", ".join(parts)


def send_pending(limit: int | None = None, ids: Iterable[int] | None = None,
                 now: datetime | None = None) -> BatchResult:
    """Send due pending emails (or the chosen ``ids``), one claim at a time, over one connection.

    Commits after each claim and after each result (that is what makes a crash recoverable).
    ``now`` (tests) decides which retries are due.
    """
    wanted = list(ids) if ids is not None else None
    result = BatchResult()
    try:
        s = settings(with_password=True)
    except UnreadableSecret as exc:  # claim nothing: the rows wait until the password is entered again
        result.errors.append(str(exc))
        log.error("pending emails not sent: %s", exc)
        return result
    sender = _Sender(s)
    try:
        done = 0
        while limit is None or done < limit:
            claimed = claim(1, ids=wanted, now=now)
            if not claimed:
                break
            for row_id in claimed:
                done += 1
                _send_one(sender, row_id, result)
    finally:
        sender.close()
    return result


class _Sender:
    """One SMTP connection, opened on first use and reopened after an error."""

    def __init__(self, s: SmtpSettings):
        self.settings, self.smtp = s, None

    def send(self, row: OutboxEmail) -> None:
        if self.smtp is None:
            self.smtp = connect(self.settings)
        self.smtp.send_message(build_message(row, self.settings.from_address))

    def drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            finally:
                self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.drop()


def _send_one(sender: _Sender, row_id: int, result: BatchResult) -> None:
    row = db.session.get(OutboxEmail, row_id)
    try:
        sender.send(row)
    except (smtplib.SMTPException, OSError) as exc:
        outcome = classify(exc)
        if not isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
            sender.drop()  # the connection is unusable
        else:
            try:
                sender.smtp.rset()
            except (smtplib.SMTPException, OSError, AttributeError):
                sender.drop()
        now = max(utcnow(), row.claimed_at or utcnow())  # the claim's clock (``now`` of send_pending)
        values = ({"status": "dead", "last_error": outcome.text} if outcome.kind == "dead"
                  else _retry_values(row.attempts, outcome.text, now))
        if values["status"] != "pending":
            email_event(row.document, "email_failed", f"To {row.recipient}: {outcome.text}")
        _finish(row_id, "sending", claim_token=None, **values)
        bucket = "retry" if values["status"] == "pending" else values["status"]
        setattr(result, bucket, getattr(result, bucket) + 1)
        result.errors.append(f"{row.document or row.recipient}: {outcome.text}")
        log.warning("email %s not sent: %s", row_id, outcome.text)
        return
    email_event(row.document, "email_sent", f"To {row.recipient}: {row.subject}")
    _finish(row_id, "sending", status="sent", sent_at=utcnow(), last_error="", claim_token=None)
    result.sent += 1


# -- what a person does on the Pending Emails page ----------------------------------------------------


def requeue(ids: Iterable[int]) -> int:
    """Failed, dead or cancelled → pending, due now, attempts reset. Returns how many changed."""
    result = db.session.execute(
        sa.update(OutboxEmail).where(OutboxEmail.id.in_(list(ids)),
                                     OutboxEmail.status.in_(("failed", "dead", "cancelled")))
        .values(status="pending", attempts=0, next_attempt_at=utcnow(), last_error="")
        .execution_options(synchronize_session=False))
    if result.rowcount and options.send_automatically:
        enqueue_after_commit(SEND_JOB)
    return result.rowcount


def cancel(ids: Iterable[int]) -> int:
    """Pending, failed or dead → cancelled (never one being sent or already sent)."""
    result = db.session.execute(
        sa.update(OutboxEmail).where(OutboxEmail.id.in_(list(ids)),
                                     OutboxEmail.status.in_(("pending", "failed", "dead")))
        .values(status="cancelled").execution_options(synchronize_session=False))
    return result.rowcount


# -- background jobs ----------------------------------------------------------------------------------


def send_pending_job(limit: int = 500) -> str:
    """Worker job: send what is due when *Send automatically* is on."""
    if not options.send_automatically:
        return "automatic sending is off"
    return send_pending(limit=limit).summary()


def sweep_job() -> str:
    """Periodic: crashed sends → failed; re-enqueue a send when due mail waits (a lost hint)."""
    recovered = recover_stale()
    due = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail).where(
        OutboxEmail.status == "pending", OutboxEmail.next_attempt_at <= utcnow()))
    if due and options.send_automatically:
        from core.jobs import jobs_of

        jobs_of(current_app).enqueue(SEND_JOB)
    return f"{recovered} interrupted, {due} due"
