"""Purchase-order tables (prefix ``po_``): orders, lines, exceptions, receipts, returns,
line statuses, cancel/reason codes, order history (recap) and purchase history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from core.db import ZERO, Money, Quantity, UnitAmount, db
from core.models import Item, Partner, User, Warehouse, coded_label, utcnow

STATUS_LABELS = {
    "new": "New",
    "sent": "Sent to vendor",
    "partial": "Partially received",
    "received": "Received (complete)",
    "closed": "Closed",
    "cancelled": "Cancelled",
}
STATUS_TONES = {"new": "info", "sent": "purple", "partial": "warn", "received": "ok", "closed": "done",
                "cancelled": "muted"}  # the colour of each status's badge on lists
OPEN_STATUSES = ("new", "sent", "partial")
COMPLETE_STATUSES = ("received", "closed")
ORDER_TYPES = {"S": "Standard", "D": "Drop ship"}


class CodeTable:
    """Mixin: a short list of codes with descriptions, kept on its own page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    description: Mapped[str] = mapped_column(sa.String(120), default="")

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class PoLineStatus(CodeTable, db.Model):
    """System data: a status a PO line can carry (KSS). The email template it sends is email_templates'
    (its own link table and a field added through ``extend_form``)."""

    __tablename__ = "po_line_status"


class CancelReasonCode(CodeTable, db.Model):
    """Cancel and reason codes, entered when purchase orders or lines are deleted."""

    __tablename__ = "po_cancel_reason"


class PurchaseOrder(db.Model):
    __tablename__ = "po_order"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("core_partner.id"), index=True)
    order_type: Mapped[str] = mapped_column(sa.String(1), default="S")
    order_date: Mapped[date] = mapped_column(default=date.today)
    required_date: Mapped[date | None]
    ship_to_address: Mapped[str] = mapped_column(sa.Text, default="")
    ship_via: Mapped[str] = mapped_column(sa.String(40), default="")
    fob: Mapped[str] = mapped_column(sa.String(40), default="")
    confirm_to: Mapped[str] = mapped_column(sa.String(80), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    warehouse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_warehouse.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_partner.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), default="new", index=True)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    sent_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_user.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str] = mapped_column(sa.String(10), default="")
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="po", order_by="PurchaseOrderLine.line_no", cascade="all, delete-orphan"
    )
    vendor: Mapped[Partner] = relationship(foreign_keys=[vendor_id])
    customer: Mapped[Partner | None] = relationship(foreign_keys=[customer_id])
    warehouse: Mapped[Warehouse | None] = relationship()
    sent_by: Mapped[User | None] = relationship()
    exceptions: Mapped[list[PurchaseOrderException]] = relationship(
        back_populates="po", order_by="PurchaseOrderException.id", cascade="all, delete-orphan"
    )

    status_tone = coded_label("status", STATUS_TONES, missing="muted")
    status_label = coded_label("status", STATUS_LABELS)
    order_type_label = coded_label("order_type", ORDER_TYPES)

    @property
    def total(self) -> Decimal:
        """What the order buys: a closed line counts what it received (the rest is not coming),
        except on a cancelled order, which keeps the value it was cancelled with."""
        keep = self.status == "cancelled"
        counted = (((ln.qty_ordered if keep or not ln.closed else ln.qty_received) or ZERO) for ln in self.lines)
        return sum((q * (ln.unit_cost or ZERO) for q, ln in zip(counted, self.lines, strict=True)), ZERO).quantize(
            Decimal("0.01"))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __str__(self) -> str:
        return f"PO {self.number}"


class PurchaseOrderLine(db.Model):
    __tablename__ = "po_line"
    __table_args__ = (sa.UniqueConstraint("po_id", "line_no", name="uq_po_line_po_line_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(sa.ForeignKey("po_order.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int]
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("core_item.id"), index=True)
    vendor_item_code: Mapped[str] = mapped_column(sa.String(40), default="")
    # the customer's (or an alternate) item number, carried from the sales order line
    alias_item_code: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    qty_ordered: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    qty_received: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    qty_returned: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    unit_cost: Mapped[Decimal] = mapped_column(UnitAmount, default=ZERO)
    required_date: Mapped[date | None]
    line_status_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("po_line_status.id", ondelete="SET NULL"), index=True)
    closed: Mapped[bool] = mapped_column(default=False)
    origin_label: Mapped[str | None] = mapped_column(sa.String(120), index=True)

    po: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship()
    line_status: Mapped[PoLineStatus | None] = relationship()

    @property
    def qty_outstanding(self) -> Decimal:
        if self.closed:
            return ZERO
        return max(ZERO, (self.qty_ordered or ZERO) - (self.qty_received or ZERO))

    @property
    def line_value(self) -> Decimal:
        return ((self.qty_ordered or ZERO) * (self.unit_cost or ZERO)).quantize(Decimal("0.01"))

    @property
    def is_done(self) -> bool:
        return bool(self.closed) or (self.qty_received or ZERO) >= (self.qty_ordered or ZERO)


class PurchaseOrderException(db.Model):
    __tablename__ = "po_exception"
    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(sa.ForeignKey("po_order.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved: Mapped[bool] = mapped_column(default=False)
    po: Mapped[PurchaseOrder] = relationship(back_populates="exceptions")


class GoodsDocument:
    """Mixin: what a receipt and a return of goods both record about their purchase order."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    po_id: Mapped[int | None] = mapped_column(sa.ForeignKey("po_order.id", ondelete="SET NULL"), index=True)
    po_number: Mapped[str] = mapped_column(sa.String(20), default="")
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("core_partner.id"), index=True)
    fiscal_year: Mapped[int]
    period: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def po(cls) -> Mapped[PurchaseOrder | None]:
        return relationship()

    @declared_attr
    def vendor(cls) -> Mapped[Partner]:
        return relationship()


class GoodsLine:
    """Mixin: a line of a receipt or return, against one purchase order line."""

    id: Mapped[int] = mapped_column(primary_key=True)
    line_no: Mapped[int]
    po_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("po_line.id", ondelete="SET NULL"), index=True)
    qty: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    unit_cost: Mapped[Decimal] = mapped_column(UnitAmount, default=ZERO)

    @declared_attr
    def po_line(cls) -> Mapped[PurchaseOrderLine | None]:
        return relationship()


class Receipt(GoodsDocument, db.Model):
    """Receipt of goods; kept as receipt history (detail, summary or not at all)."""

    __tablename__ = "po_receipt"
    receipt_date: Mapped[date] = mapped_column(default=date.today)
    total_qty: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    total_amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    summary_only: Mapped[bool] = mapped_column(default=False)

    lines: Mapped[list[ReceiptLine]] = relationship(
        back_populates="receipt", order_by="ReceiptLine.line_no", cascade="all, delete-orphan")


class ReceiptLine(GoodsLine, db.Model):
    """One received line; ``item_id`` empty makes it a comment line."""

    __tablename__ = "po_receipt_line"
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("po_receipt.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_item.id"))
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    receipt: Mapped[Receipt] = relationship(back_populates="lines")
    item: Mapped[Item | None] = relationship()


class Return(GoodsDocument, db.Model):
    """Return of goods to the vendor, numbered from its own sequence."""

    __tablename__ = "po_return"
    return_date: Mapped[date] = mapped_column(default=date.today)

    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="return_", order_by="ReturnLine.line_no", cascade="all, delete-orphan")


class ReturnLine(GoodsLine, db.Model):
    __tablename__ = "po_return_line"
    return_id: Mapped[int] = mapped_column(sa.ForeignKey("po_return.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("core_item.id"))

    return_: Mapped[Return] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship()


class PoHistory(db.Model):
    """Purchase order history / recap: deleted, cancelled and purged orders and deleted lines."""

    __tablename__ = "po_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(12), index=True)  # deleted, line_deleted, cancelled, completed
    po_number: Mapped[str] = mapped_column(sa.String(20), index=True)
    vendor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_partner.id", ondelete="SET NULL"))
    reason_code: Mapped[str] = mapped_column(sa.String(10), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    vendor: Mapped[Partner | None] = relationship()
    user: Mapped[User | None] = relationship()


class PurchaseHistory(db.Model):
    """Quantities and amounts received (and returned) per item, vendor and period."""

    __tablename__ = "po_purchase_history"
    __table_args__ = (
        sa.UniqueConstraint("item_id", "vendor_id", "fiscal_year", "period", name="uq_po_purchase_history_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("core_item.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("core_partner.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int]
    period: Mapped[int]
    qty_received: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    amount_received: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    qty_returned: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    amount_returned: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    item: Mapped[Item] = relationship()
    vendor: Mapped[Partner] = relationship()


BATCH_KINDS = {"receipt": "Receipts", "return": "Returns"}
BATCH_STATUSES = {"open": "Open", "posted": "Posted"}


class GoodsBatch(db.Model):
    """A batch of receipts or returns entered now and posted together later (*Enable batch entry*).

    Posted batches are kept: each entry then names the receipt or return it became.
    """

    __tablename__ = "po_batch"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(10), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(8), index=True)  # receipt | return
    status: Mapped[str] = mapped_column(sa.String(8), default="open", index=True)
    comment: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_user.id", ondelete="SET NULL"))
    posted_at: Mapped[datetime | None]

    entries: Mapped[list[GoodsBatchEntry]] = relationship(
        back_populates="batch", order_by="GoodsBatchEntry.entry_no", cascade="all, delete-orphan")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    posted_by: Mapped[User | None] = relationship(foreign_keys=[posted_by_id])

    kind_label = coded_label("kind", BATCH_KINDS)
    status_label = coded_label("status", BATCH_STATUSES)

    @property
    def total_qty(self) -> Decimal:
        return sum((ln.qty for e in self.entries for ln in e.lines), ZERO)

    @property
    def total_amount(self) -> Decimal:
        return sum((e.amount for e in self.entries), ZERO)


class GoodsBatchEntry(db.Model):
    """One receipt or return waiting in a batch: a PO, its quantities and comments.

    The PO's number, vendor and each line's item and cost are kept on the entry, so a posted
    batch still reads in full after period end purges its purchase orders.
    """

    __tablename__ = "po_batch_entry"
    __table_args__ = (sa.UniqueConstraint("batch_id", "entry_no", name="uq_po_batch_entry_no"),
                      {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("po_batch.id", ondelete="CASCADE"), index=True)
    entry_no: Mapped[int]
    po_id: Mapped[int | None] = mapped_column(sa.ForeignKey("po_order.id", ondelete="SET NULL"), index=True)
    po_number: Mapped[str] = mapped_column(sa.String(20), default="")
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("core_partner.id"))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    comment_lines: Mapped[str] = mapped_column(sa.Text, default="")  # receipts: one comment line per line
    document_number: Mapped[str] = mapped_column(sa.String(20), default="")  # the receipt or return, once posted

    batch: Mapped[GoodsBatch] = relationship(back_populates="entries")
    po: Mapped[PurchaseOrder | None] = relationship()
    vendor: Mapped[Partner] = relationship()
    lines: Mapped[list[GoodsBatchLine]] = relationship(
        back_populates="entry", order_by="GoodsBatchLine.id", cascade="all, delete-orphan")

    @property
    def amount(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)


class GoodsBatchLine(db.Model):
    __tablename__ = "po_batch_line"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("po_batch_entry.id", ondelete="CASCADE"), index=True)
    po_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("po_line.id", ondelete="SET NULL"), index=True)
    line_no: Mapped[int]  # the PO line's number
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("core_item.id"))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    qty: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    unit_cost: Mapped[Decimal] = mapped_column(UnitAmount, default=ZERO)  # the PO line's, again at posting
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    entry: Mapped[GoodsBatchEntry] = relationship(back_populates="lines")
    po_line: Mapped[PurchaseOrderLine | None] = relationship()
    item: Mapped[Item] = relationship()

    @property
    def amount(self) -> Decimal:
        return (self.qty * self.unit_cost).quantize(Decimal("0.01"))
