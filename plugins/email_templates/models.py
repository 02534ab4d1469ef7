"""The plugin's tables (prefix ``em_``): templates, the outbox, status links and the SMTP secret."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db
from core.models import utcnow

STATES = ("pending", "sending", "sent", "failed", "dead", "cancelled")
STATE_LABELS = {
    "pending": "Pending",
    "sending": "Sending",
    "sent": "Sent",
    "failed": "Failed (needs review)",
    "dead": "Refused by the server",
    "cancelled": "Cancelled",
}


class EmailTemplate(db.Model):
    """A user-edited template; rendered only in the sandbox, with plain data."""

    __tablename__ = "em_template"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    type: Mapped[str] = mapped_column(sa.String(40), index=True)
    subject: Mapped[str] = mapped_column(sa.String(250), default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    body_text: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return self.name


class StatusTemplate(db.Model):
    """The template a PO line status sends; kept when the plugin is disabled (the form field goes)."""

    __tablename__ = "em_status_template"
    po_line_status_id: Mapped[int] = mapped_column(
        sa.ForeignKey("po_line_status.id", ondelete="CASCADE"), primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("em_template.id", ondelete="CASCADE"), index=True)
    template: Mapped[EmailTemplate] = relationship()


class OutboxEmail(db.Model):
    """One message of Pending Emails. Written in the business transaction; the truth, not the queue."""

    __tablename__ = "em_outbox"
    __table_args__ = (sa.Index("ix_em_outbox_status_next", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    message_id: Mapped[str] = mapped_column(sa.String(250), unique=True)
    type: Mapped[str] = mapped_column(sa.String(40), index=True)
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("em_template.id", ondelete="SET NULL"))
    document: Mapped[str] = mapped_column(sa.String(80), default="", index=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(250), default="")
    body_text: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    attachment_name: Mapped[str] = mapped_column(sa.String(120), default="")
    attachment: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    status: Mapped[str] = mapped_column(sa.String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    @property
    def status_label(self) -> str:
        return STATE_LABELS.get(self.status, self.status)


class Secret(db.Model):
    """Values never shown again nor exported (the SMTP password): outside the setup options."""

    __tablename__ = "em_secret"
    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
