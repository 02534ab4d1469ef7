"""Small rules every purchase-order module shares: defaults, status, history retention, limits.

Services raise :class:`core.errors.ValidationError`; nothing here commits.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask import current_app

from core.db import ZERO, db
from core.errors import ValidationError
from core.models import Partner, Warehouse, utcnow
from core.parsing import ParseError, decimal_bounds, parse_decimal
from core.plugins import host_of

from .models import (
    CancelReasonCode,
    PoHistory,
    PurchaseOrder,
    PurchaseOrderException,
    PurchaseOrderLine,
    Receipt,
)
from .options import options

# The most lines one purchase order takes. A document of thousands of lines holds a worker
# for many seconds on every save; real purchase orders stay far below this.
MAX_LINES = 500

QTY_TYPE = PurchaseOrderLine.__table__.c.qty_ordered.type
COST_TYPE = PurchaseOrderLine.__table__.c.unit_cost.type
CLOSED_STATUSES = ("cancelled", "received", "closed")


def hooks() -> Any:
    """The enabled plugins' hooks (``hooks().on_receipt(receipt=r)``)."""
    return host_of(current_app).hook


# -- numbers from text or from callers -----------------------------------------------------


_BOUNDS = {id(QTY_TYPE): decimal_bounds(QTY_TYPE), id(COST_TYPE): decimal_bounds(COST_TYPE)}


def _parse(raw: Any, column_type: Any, what: str, field: str | None) -> Decimal:
    if isinstance(raw, Decimal) and raw.is_finite():  # the bulk path: callers pass Decimals
        largest, scale = _BOUNDS[id(column_type)]
        if raw.as_tuple().exponent >= -scale and abs(raw) <= largest:
            return raw
    try:
        Decimal(str(raw).strip()).is_finite() or Decimal("x")
    except (InvalidOperation, ValueError):
        raise ValidationError(field, f"The {what} must be a number like 12 or 12.50.") from None
    try:
        return parse_decimal(raw, column_type)
    except ParseError as exc:
        raise ValidationError(field, f"The {what}: {exc}") from None


def parse_quantity(raw: Any, field: str | None, what: str = "quantity") -> Decimal:
    """A quantity the ``po_line`` columns store exactly, else ``ValidationError`` beside ``field``.

    ``1e-20`` is refused (it would be stored as zero) instead of posting an empty receipt.
    """
    return _parse(raw, QTY_TYPE, what, field)


def parse_cost(raw: Any, field: str | None) -> Decimal:
    value = _parse(raw, COST_TYPE, "unit cost", field)
    if value < 0:
        raise ValidationError(field, "The unit cost cannot be negative.")
    return value


# -- defaults -------------------------------------------------------------------------------


def default_warehouse_id() -> int | None:
    """*Default Warehouse for Purchase Orders* when integrated with inventory, else the first one."""
    o = options.current()
    code = o["default_warehouse"] if o["integrate_inventory"] else ""
    if code:
        wid = db.session.scalar(sa.select(Warehouse.id).where(Warehouse.code == code))
        if wid:
            return wid
    return db.session.scalar(sa.select(Warehouse.id).order_by(Warehouse.id).limit(1))


def default_ship_to(order_type: str, warehouse_id: int | None, customer_id: int | None) -> str:
    """A drop-ship order ships to its customer, any other order to its warehouse."""
    if order_type == "D" and customer_id:
        customer = db.session.get(Partner, customer_id)
        return customer.ship_to_address if customer else ""
    if warehouse_id:
        wh = db.session.get(Warehouse, warehouse_id)
        return wh.address if wh else ""
    return ""


# -- state ----------------------------------------------------------------------------------


def is_sent(po: PurchaseOrder) -> bool:
    """True once the PO went to its vendor (changes then become exceptions, not edits)."""
    return po.sent_at is not None or po.status in ("sent", "partial", "received", "closed")


def qty_received(po_line: PurchaseOrderLine) -> Decimal:
    """Quantity received on a PO line, net of returns."""
    return po_line.qty_received or ZERO


def has_receipts(po: PurchaseOrder) -> bool:
    if any((ln.qty_received or ZERO) > 0 or (ln.qty_returned or ZERO) > 0 for ln in po.lines):
        return True
    if po.id is None:
        return False
    return bool(db.session.scalar(sa.select(sa.func.count()).select_from(Receipt).where(Receipt.po_id == po.id)))


def refresh_status(po: PurchaseOrder) -> None:
    """Status from the lines: complete when every line is received or closed."""
    if po.status == "cancelled":
        return
    lines = list(po.lines)
    if lines and all(ln.is_done for ln in lines):
        fully = all((ln.qty_received or ZERO) >= (ln.qty_ordered or ZERO) for ln in lines)
        po.status = "received" if fully else "closed"
        po.completed_at = po.completed_at or utcnow()
        return
    po.completed_at = None
    if any((ln.qty_received or ZERO) > 0 for ln in lines):
        po.status = "partial"
    else:
        po.status = "sent" if po.sent_at else "new"


def add_exception(po: PurchaseOrder, message: str) -> PurchaseOrderException:
    """Record an exception on ``po`` for the buyer (shown on the PO page until resolved)."""
    exc = PurchaseOrderException(po=po, message=message)
    db.session.add(exc)
    db.session.flush()
    return exc


# -- history of deleted orders and lines ----------------------------------------------------


def deleted_reason_required(kind: str = "order") -> bool:
    """True when *Retain Deleted Orders* (or *Lines*) says Prompt: ask for a cancel/reason code."""
    o = options.current()
    key = "retain_deleted_orders" if kind == "order" else "retain_deleted_lines"
    return bool(o["retain_po_history"]) and o[key] == "P"


def retain_deleted(kind: str) -> bool:
    """True when deleted orders (``"order"``) or lines (``"line"``) go to history (Yes or Prompt)."""
    o = options.current()
    key = "retain_deleted_orders" if kind == "order" else "retain_deleted_lines"
    return bool(o["retain_po_history"]) and o[key] in ("Y", "P")


def check_reason_code(code: str | None, *, required: bool, field: str = "reason_code") -> str:
    """The cancel/reason code in upper case ("" for none); refused when unknown or missing."""
    code = (code or "").strip().upper()
    if not code:
        if required:
            raise ValidationError(field, "A cancel/reason code is required.")
        return ""
    if not db.session.scalar(sa.select(sa.func.count()).select_from(CancelReasonCode)
                             .where(CancelReasonCode.code == code)):
        raise ValidationError(field, f"There is no cancel/reason code {code!r}.")
    return code


def line_text(ln: PurchaseOrderLine) -> str:
    code = ln.item.code if ln.item else str(ln.item_id)
    return f"line {ln.line_no}: {code} qty {ln.qty_ordered.normalize():f} at {ln.unit_cost.normalize():f}"


def history_row(po: PurchaseOrder, kind: str, reason_code: str, user_id: int | None) -> PoHistory:
    """A recap row for a deleted, cancelled or purged PO, with its lines as text."""
    detail = "; ".join(line_text(ln) for ln in po.lines)
    return PoHistory(kind=kind, po_number=po.number, vendor_id=po.vendor_id, reason_code=reason_code or "",
                     detail=detail, amount=po.total, user_id=user_id)


def line_history_row(po: PurchaseOrder, ln: PurchaseOrderLine, kind: str, reason: str,
                     user_id: int | None, *, detail: str | None = None) -> PoHistory:
    return PoHistory(kind=kind, po_number=po.number, vendor_id=po.vendor_id, reason_code=reason,
                     detail=detail if detail is not None else line_text(ln), amount=ln.line_value, user_id=user_id)
