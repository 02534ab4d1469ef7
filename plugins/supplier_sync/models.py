"""Supplier sync tables (prefix ``ss_``): per-vendor connection, per-PO sync state,
per-line supplier state, the notification inbox and the syncing notifications.

Nothing here adds a column to purchase_order's tables: the sync state of a PO or a
PO line lives in rows of this plugin keyed by the PO's (or line's) id.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Quantity, UnitAmount, db
from core.models import Partner, utcnow

LINE_STATUSES = {
    "accepted": "Accepted",
    "back_ordered": "Back-ordered",
    "rejected": "Rejected",
    "cancelled": "Cancelled",
}
# the PO line fields a sync writes; once written they are read-only on the PO form
SYNCED_FIELDS = ("qty_ordered", "unit_cost", "required_date")


class SupplierConnection(db.Model):
    """How OrderBridge talks to one vendor: set by an administrator, never by a notification."""

    __tablename__ = "ss_vendor"
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("core_partner.id", ondelete="CASCADE"), primary_key=True)
    connector: Mapped[str] = mapped_column(sa.String(40), default="http_json")
    base_url: Mapped[str] = mapped_column(sa.String(300), default="")
    api_key: Mapped[str] = mapped_column(sa.String(200), default="")
    webhook_secret: Mapped[str] = mapped_column(sa.String(200), default="")
    # the secret being retired during a rotation: signatures with either are accepted
    previous_webhook_secret: Mapped[str] = mapped_column(sa.String(200), default="")
    timeout_seconds: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("10"))
    auto_sync: Mapped[bool] = mapped_column(default=False)
    last_notification_at: Mapped[datetime | None]
    last_reconciled_at: Mapped[datetime | None]
    vendor: Mapped[Partner] = relationship()


class PoSync(db.Model):
    """One PO linked to one supplier order."""

    __tablename__ = "ss_po"
    __table_args__ = (sa.UniqueConstraint("vendor_id", "supplier_ref", name="uq_ss_po_vendor_ref"),)
    po_id: Mapped[int] = mapped_column(sa.ForeignKey("po_order.id", ondelete="CASCADE"), primary_key=True)
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("core_partner.id", ondelete="CASCADE"), index=True)
    supplier_ref: Mapped[str | None] = mapped_column(sa.String(60))
    auto_sync: Mapped[bool] = mapped_column(default=True)
    created_by_sync: Mapped[bool] = mapped_column(default=False)  # placed directly with the supplier
    last_synced_at: Mapped[datetime | None]
    supplier_changed_at: Mapped[datetime | None]  # change time of the snapshot applied last
    last_notification_at: Mapped[datetime | None]  # when the supplier sent its latest (shown on hover)
    # when that notification arrived, by our clock: webhook timestamps have whole seconds only
    last_notification_received_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    last_error_at: Mapped[datetime | None]


class LineSync(db.Model):
    """The supplier's state of one line; ``po_line_id`` empty once the line left the PO."""

    __tablename__ = "ss_line"
    __table_args__ = (sa.UniqueConstraint("po_id", "line_ref", name="uq_ss_line_po_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(sa.ForeignKey("po_order.id", ondelete="CASCADE"), index=True)
    po_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("po_line.id", ondelete="SET NULL"), index=True)
    line_ref: Mapped[str] = mapped_column(sa.String(40))
    supplier_item_code: Mapped[str] = mapped_column(sa.String(40), default="")
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="accepted")
    qty: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    unit_price: Mapped[Decimal] = mapped_column(UnitAmount, default=Decimal("0"))
    required_date: Mapped[date | None]
    origin_label: Mapped[str] = mapped_column(sa.String(120), default="")
    hidden: Mapped[bool] = mapped_column(default=False)  # cancelled by the supplier: off the PO, kept here
    synced_fields: Mapped[str] = mapped_column(sa.String(200), default="")  # comma list of SYNCED_FIELDS
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def status_label(self) -> str:
        return LINE_STATUSES.get(self.status, self.status)

    @property
    def read_only(self) -> set[str]:
        return {f for f in self.synced_fields.split(",") if f}


class InboxMessage(db.Model):
    """A verified notification; ``webhook_id`` unique, so a resent one is stored once."""

    __tablename__ = "ss_inbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[str] = mapped_column(sa.String(120), unique=True)
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("core_partner.id", ondelete="CASCADE"), index=True)
    supplier_ref: Mapped[str] = mapped_column(sa.String(60), default="")
    sent_at: Mapped[datetime | None]  # the webhook-timestamp: when the supplier sent it
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(12), default="pending", index=True)  # pending working done failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_at: Mapped[datetime | None]
    result: Mapped[str] = mapped_column(sa.String(20), default="")  # applied, skipped, created, ignored
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    processed_at: Mapped[datetime | None]


NOTIFICATION_KINDS = {
    "cancelled_line": "Line cancelled by the supplier",
    "rejected_line": "Line rejected by the supplier",
    "unknown_item": "Item not found",
    "item_added": "Item added from the catalog",
    "direct_order": "Order placed with the supplier",
    "sync_failed": "Sync failed",
}


class SyncNotification(db.Model):
    """A syncing notification for the buyer (open until resolved)."""

    __tablename__ = "ss_notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("core_partner.id", ondelete="CASCADE"), index=True)
    po_id: Mapped[int | None] = mapped_column(sa.ForeignKey("po_order.id", ondelete="SET NULL"), index=True)
    po_number: Mapped[str] = mapped_column(sa.String(20), default="")
    supplier_ref: Mapped[str] = mapped_column(sa.String(60), default="")
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    item_code: Mapped[str] = mapped_column(sa.String(40), default="")
    message: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    resolved: Mapped[bool] = mapped_column(default=False, index=True)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_user.id", ondelete="SET NULL"))
    vendor: Mapped[Partner] = relationship()

    @property
    def kind_label(self) -> str:
        return NOTIFICATION_KINDS.get(self.kind, self.kind)
