"""Sales order tables (prefix ``so_``): orders, lines, invoices (shipments) and their lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import ZERO, Money, Quantity, UnitAmount, db
from core.models import Item, Partner, User, Warehouse, coded_label, utcnow

# SYSPRO's order statuses, shown in words on every page.
STATUSES: dict[str, str] = {
    "1": "Open order",
    "2": "Open back order",
    "3": "Released back order",
    "4": "In warehouse",
    "8": "Ready to invoice",
    "9": "Complete",
    "S": "Suspense (credit)",
    "F": "Forward order (scheduled, not allocated)",
    "*": "Cancelled",
}
# the colour of each status's badge on lists (core's app.css: tone-info, tone-warn, ...)
STATUS_TONES: dict[str, str] = {"1": "info", "2": "warn", "3": "teal", "4": "purple", "8": "ok", "9": "done",
                                "S": "bad", "F": "muted", "*": "muted"}
OPEN_STATUSES = ("1", "2", "3", "4", "8", "S", "F")
DONE_STATUSES = ("9", "*")

ORDER_TYPES: dict[str, str] = {
    "O": "Normal order",
    "C": "Credit note",
    "D": "Debit note",
}


class SalesOrder(db.Model):
    __tablename__ = "so_order"
    __table_args__ = (sa.Index("ix_so_order_customer_po", "customer_id", "customer_po_number"),
                      sa.Index("ix_so_order_date_id", "order_date", "id"))  # the list's order, newest first

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("core_partner.id"), index=True)
    customer_po_number: Mapped[str] = mapped_column(sa.String(40), default="", index=True)
    order_date: Mapped[date] = mapped_column(index=True)
    requested_ship_date: Mapped[date | None]
    ship_to_address: Mapped[str] = mapped_column(sa.Text, default="")
    # True when the clerk typed the ship-to address (it then never follows the customer's)
    ship_to_manual: Mapped[bool] = mapped_column(default=False)
    ship_via: Mapped[str] = mapped_column(sa.String(40), default="")
    fob: Mapped[str] = mapped_column(sa.String(40), default="")
    confirm_to: Mapped[str] = mapped_column(sa.String(120), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("core_warehouse.id"))
    order_type: Mapped[str] = mapped_column(sa.String(1), default="O")
    status: Mapped[str] = mapped_column(sa.String(1), default="1", index=True)
    hold_reason: Mapped[str] = mapped_column(sa.Text, default="")
    held_from: Mapped[str | None] = mapped_column(sa.String(1))  # status before suspense
    credit_authorised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_user.id", ondelete="SET NULL"))
    credit_authorised_at: Mapped[datetime | None]
    credit_authorised_total: Mapped[Decimal | None] = mapped_column(Money)
    margin_override: Mapped[bool] = mapped_column(default=False)
    # the code is kept as typed: a credit note prints the reason it was given, whatever the list becomes
    reason_code: Mapped[str] = mapped_column(sa.String(10), default="", server_default="")
    # put in suspense by hand (not by a credit check): *Credit authority needed to release ...*
    suspended_manually: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # asked when the order leaves the warehouse (status 4) for invoicing; used by its next invoice
    release_invoice_number: Mapped[str | None] = mapped_column(sa.String(20))
    release_invoice_date: Mapped[date | None]
    # the order's invoice discount; the amount is worked out at each save (*Calculate invoice discount ...*)
    invoice_discount_pct: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=ZERO, server_default="0")
    invoice_discount: Mapped[Decimal] = mapped_column(Money, default=ZERO, server_default="0")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    completed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # set by a save (not stored): open the supply request page next (*Supply request in order entry*)
    supply_due = False

    lines: Mapped[list[SalesOrderLine]] = relationship(
        back_populates="order", order_by="SalesOrderLine.line_no", cascade="all, delete-orphan",
        passive_deletes=True)
    invoices: Mapped[list[SalesInvoice]] = relationship(
        back_populates="order", order_by="SalesInvoice.id", cascade="all, delete-orphan", passive_deletes=True)
    customer: Mapped[Partner] = relationship()
    warehouse: Mapped[Warehouse] = relationship()
    credit_authorised_by: Mapped[User | None] = relationship()

    status_tone = coded_label("status", STATUS_TONES, missing="muted")
    status_label = coded_label("status", STATUSES)

    @property
    def done(self) -> bool:
        """Complete or cancelled: the order can no longer change."""
        return self.status in DONE_STATUSES

    order_type_label = coded_label("order_type", ORDER_TYPES)

    @property
    def active_lines(self) -> list[SalesOrderLine]:
        """The lines, less those being removed by the save in progress."""
        return [line for line in self.lines if not getattr(line, "_removed", False)]

    @property
    def merchandise(self) -> Decimal:
        """The lines' values after line discounts, before the invoice discount."""
        return sum((line.line_value or ZERO for line in self.active_lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.merchandise - (self.invoice_discount or ZERO)

    @property
    def total_cost(self) -> Decimal:
        return sum(((line.unit_cost or ZERO) * (line.qty_ordered or ZERO) for line in self.active_lines),
                   ZERO).quantize(Decimal("0.01"))

    @property
    def gross_profit(self) -> Decimal:
        return self.total - self.total_cost

    @property
    def previously_invoiced(self) -> bool:
        return any((line.qty_shipped or ZERO) != 0 for line in self.lines)

    @property
    def backordered(self) -> bool:
        return any((line.qty_backordered or ZERO) > 0 for line in self.lines)

    def __str__(self) -> str:
        return f"SO {self.number}"


class SalesOrderLine(db.Model):
    __tablename__ = "so_line"
    __table_args__ = (sa.UniqueConstraint("order_id", "line_no", name="uq_so_line_order_line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("so_order.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int]
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("core_item.id"), index=True)
    # the customer's own (or an alternate) number for the item, printed beside ours
    alias_item_code: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    qty_ordered: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    qty_to_ship: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    qty_backordered: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    qty_shipped: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    qty_allocated: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)  # stock reserved in core.stock
    # held for the line but not yet to ship (its stock is in qty_allocated for a stocked line):
    # reserved at entry (*Default ship status*: reserve) or by a receipt waiting for a clerk's
    # release (*Release of received back orders*: manual). Outstanding = to ship + reserved + back order.
    qty_reserved: Mapped[Decimal] = mapped_column(Quantity, default=ZERO, server_default="0")
    unit_price: Mapped[Decimal] = mapped_column(UnitAmount, default=ZERO)
    discount_pct: Mapped[Decimal] = mapped_column(sa.Numeric(7, 3), default=ZERO)
    promise_date: Mapped[date | None]
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("core_warehouse.id"))
    drop_ship: Mapped[bool] = mapped_column(default=False)
    vendor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_partner.id"))
    unit_cost: Mapped[Decimal] = mapped_column(UnitAmount, default=ZERO)
    line_value: Mapped[Decimal] = mapped_column(Money, default=ZERO)

    order: Mapped[SalesOrder] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship()
    vendor: Mapped[Partner | None] = relationship(foreign_keys=[vendor_id])
    warehouse: Mapped[Warehouse] = relationship()

    @property
    def qty_outstanding(self) -> Decimal:
        return (self.qty_ordered or ZERO) - (self.qty_shipped or ZERO)

    @property
    def bought_to_order(self) -> bool:
        """Bought for the order and not taken from stock: a drop-ship line, or a non-stocked
        item supplied buy to order or drop ship. It waits on back order for its goods."""
        if self.item is None or self.stock_controlled:
            return False
        return self.drop_ship or self.item.supply_method in ("buy_to_order", "drop_ship")

    @property
    def stock_controlled(self) -> bool:
        """Stock is reserved for stocked items that are not drop-shipped and positive."""
        return bool(self.item and self.item.stocked and not self.drop_ship)


class SalesInvoice(db.Model):
    """An invoice: the record of one shipment of a sales order."""

    __tablename__ = "so_invoice"
    __table_args__ = (sa.UniqueConstraint("number_scope", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20))
    # 0: the number is unique in the company; a customer id: only among that customer's invoices
    # (*Duplicate invoice numbers: allow same number for different customers*)
    number_scope: Mapped[int] = mapped_column(default=0, server_default="0")
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("so_order.id", ondelete="CASCADE"), index=True)
    invoice_date: Mapped[date]
    total: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    invoice_discount: Mapped[Decimal] = mapped_column(Money, default=ZERO, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    order: Mapped[SalesOrder] = relationship(back_populates="invoices")
    lines: Mapped[list[SalesInvoiceLine]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", passive_deletes=True, order_by="SalesInvoiceLine.id")


class SalesInvoiceLine(db.Model):
    __tablename__ = "so_invoice_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("so_invoice.id", ondelete="CASCADE"), index=True)
    so_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("so_line.id", ondelete="SET NULL"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("core_item.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    unit_price: Mapped[Decimal] = mapped_column(UnitAmount, default=ZERO)
    line_value: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    invoice: Mapped[SalesInvoice] = relationship(back_populates="lines")
    so_line: Mapped[SalesOrderLine | None] = relationship()
    item: Mapped[Item] = relationship()


class ReasonCode(db.Model):
    """Why a credit note was raised (*Ask reason code when entering new credit notes*)."""

    __tablename__ = "so_reason_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    description: Mapped[str] = mapped_column(sa.String(60), default="")
    active: Mapped[bool] = mapped_column(default=True)


class ShipViaCode(db.Model):
    """A shipping instruction code and the message printed for it (*Shipping via usage*: coded)."""

    __tablename__ = "so_ship_via"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    description: Mapped[str] = mapped_column(sa.String(40), default="")  # fits the order's Ship via
    active: Mapped[bool] = mapped_column(default=True)
