"""Core tables of the API: per-user API keys and stored responses of idempotent writes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db
from ..models import User, utcnow


class ApiKey(db.Model):
    """A key shown once; only its SHA-256 is kept. ``prefix`` (public) finds the row."""

    __tablename__ = "core_api_key"
    __table_args__ = {"sqlite_autoincrement": True}  # ids never come back after a delete (SQLite)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("core_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    user: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "expired"
        return "active"


class IdempotentRequest(db.Model):
    """The first response to a write sent with ``Idempotency-Key``, kept 24 hours."""

    __tablename__ = "core_api_idempotency"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_core_api_idempotency_user_key"),
                      {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("core_user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(200))
    method: Mapped[str] = mapped_column(sa.String(10))
    path: Mapped[str] = mapped_column(sa.String(500))
    body_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    location: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
