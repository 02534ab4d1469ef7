"""The bridge's own table: which PO line serves which sales order line, and how much."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db
from core.models import utcnow
from plugins.sales_order.fills import FillColumns, LinkColumns


class PoGenLink(LinkColumns, db.Model):
    """One sales order line served by one PO line (the columns: :class:`LinkColumns`)."""

    __tablename__ = "pogen_link"
    __table_args__ = (sa.UniqueConstraint("so_line_id", "po_line_id", name="uq_pogen_link_so_line_po_line"),)


class PoGenEvent(db.Model):
    """What happened to a sales order's POs (reset, deleted), for the missing-PO check."""

    __tablename__ = "pogen_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    so_id: Mapped[int] = mapped_column(sa.ForeignKey("so_order.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # reset | po_deleted
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PoGenFill(FillColumns, db.Model):
    """What one receipt released to one sales order line through a link (negative: a return
    to the vendor undid that much), for the SO, PO and receipt pages."""

    __tablename__ = "pogen_fill"

    receipt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("po_receipt.id", ondelete="CASCADE"), index=True)
