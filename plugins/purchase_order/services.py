"""Purchase-order business rules as plain functions (they flush, never commit).

Called by the views, the CLI, the demo data and other plugins (po_generation uses
the public functions named in the brief's contract). Hooks that fire during a save
run inside the caller's transaction; a raising implementation arrives as
:class:`core.plugins.HookError` and the caller rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from core import stock
from core.db import ZERO, db
from core.models import Item, Partner, Warehouse, utcnow
from core.numbering import next_number
from core.options import Options, options_for
from core.plugins import host_of

from .models import (
    CancelReasonCode,
    PoHistory,
    PurchaseHistory,
    PurchaseOrder,
    PurchaseOrderException,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    Return,
    ReturnLine,
)
from .options import PLUGIN, PO_SEQ, RECEIPT_SEQ, RETURN_SEQ

HEADER_FIELDS = (
    "order_date", "required_date", "ship_to_address", "ship_via", "fob", "confirm_to", "email",
    "warehouse_id", "customer_id", "comment",
)
LINE_FIELDS = (
    "item_id", "vendor_item_code", "description", "qty_ordered", "unit_cost", "required_date",
    "line_status_id", "origin_label",
)


class PurchaseOrderError(ValueError):
    """A business rule refused the action; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None, errors: dict[str, str] | None = None):
        self.message, self.field = message, field
        self.errors = errors or ({field: message} if field else {})
        super().__init__(message)


def opts() -> Options:
    return options_for(PLUGIN)


def _hook():
    return host_of(current_app).hook


def _seq_args(seq: dict) -> dict:
    return {k: v for k, v in seq.items() if k != "name"}


# -- numbers ---------------------------------------------------------------------------


def next_po_number() -> str:
    """Draw the *Next Automatic Purchase Order Number* (sequence ``po_number``)."""
    return next_number(PO_SEQ["name"], **_seq_args(PO_SEQ))


def po_numbers_in_use(numbers: Iterable[str]) -> set[str]:
    """Which of ``numbers`` are already PO numbers (one query)."""
    wanted = {n for n in numbers if n}
    if not wanted:
        return set()
    return set(db.session.scalars(sa.select(PurchaseOrder.number).where(PurchaseOrder.number.in_(wanted))))


def _next_receipt_number() -> str:
    return next_number(RECEIPT_SEQ["name"], **_seq_args(RECEIPT_SEQ))


def _next_return_number() -> str:
    return next_number(RETURN_SEQ["name"], **_seq_args(RETURN_SEQ))


# -- small helpers -----------------------------------------------------------------------


def default_warehouse_id() -> int | None:
    o = opts()
    code = o["default_warehouse"] if o["integrate_inventory"] else ""
    if code:
        wid = db.session.scalar(sa.select(Warehouse.id).where(Warehouse.code == code))
        if wid:
            return wid
    return db.session.scalar(sa.select(Warehouse.id).order_by(Warehouse.id).limit(1))


def default_ship_to(order_type: str, warehouse_id: int | None, customer_id: int | None) -> str:
    if order_type == "D" and customer_id:
        customer = db.session.get(Partner, customer_id)
        return customer.ship_to_address if customer else ""
    if warehouse_id:
        wh = db.session.get(Warehouse, warehouse_id)
        return wh.address if wh else ""
    return ""


def add_exception(po: PurchaseOrder, message: str) -> None:
    """Record an exception on ``po`` for the buyer (shown on the PO page)."""
    exc = PurchaseOrderException(po=po, message=message)
    db.session.add(exc)
    db.session.flush()


def is_sent(po: PurchaseOrder) -> bool:
    """True once the PO went to its vendor (changes then become exceptions, not edits)."""
    return po.sent_at is not None or po.status in ("sent", "partial", "received", "closed")


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


def _dec(value: Any, what: str, field: str | None = None) -> Decimal:
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip() or "0")
    except (InvalidOperation, ValueError):
        raise PurchaseOrderError(f"{what} must be a number", field) from None
    if not d.is_finite():
        raise PurchaseOrderError(f"{what} must be a number", field)
    return d


# -- creating and editing purchase orders ------------------------------------------------------


def _build_line(po: PurchaseOrder, line_no: int, data: dict, items: dict[int, Item]) -> PurchaseOrderLine:
    item = items.get(data["item_id"]) or db.session.get(Item, data["item_id"])
    if item is None:
        raise PurchaseOrderError(f"line {line_no}: no such item")
    qty = _dec(data.get("qty_ordered", ZERO), "quantity")
    if qty <= 0:
        raise PurchaseOrderError(f"line {line_no}: quantity ordered must be more than zero")
    cost = data.get("unit_cost")
    vic = data.get("vendor_item_code")
    if vic is None:
        vic = item.vendor_item_code if item.default_vendor_id == po.vendor_id else ""
    return PurchaseOrderLine(
        line_no=line_no, item_id=item.id, item=item, vendor_item_code=vic or "",
        description=data.get("description") or item.description, qty_ordered=qty,
        qty_received=ZERO, qty_returned=ZERO,
        unit_cost=item.unit_cost if cost in (None, "") else _dec(cost, "unit cost"),
        required_date=data.get("required_date") or po.required_date,
        line_status_id=data.get("line_status_id"), origin_label=data.get("origin_label"), closed=False,
    )


def create_purchase_order(*, vendor_id: int, order_type: str, lines: list[dict], number: str | None = None,
                          **header: Any) -> PurchaseOrder:
    """Create a PO with its lines (unit cost and description default from the item). Flushes.

    ``header`` takes any of order_date, required_date, ship_to_address, ship_via, fob,
    confirm_to, email, warehouse_id, customer_id, comment. Does not fire
    ``on_purchase_order_saved`` (the caller owns the save).
    """
    unknown = set(header) - set(HEADER_FIELDS)
    if unknown:
        raise TypeError(f"unknown purchase order field(s): {', '.join(sorted(unknown))}")
    if order_type not in ("S", "D"):
        raise PurchaseOrderError("order type must be S (standard) or D (drop ship)", "order_type")
    vendor = db.session.get(Partner, vendor_id)
    if vendor is None:
        raise PurchaseOrderError("no such vendor", "vendor_id")
    number = (number or "").strip() or next_po_number()
    if po_numbers_in_use([number]):
        raise PurchaseOrderError(f"purchase order number {number} is already used", "number")
    warehouse_id = header.get("warehouse_id") or default_warehouse_id()
    po = PurchaseOrder(
        number=number, vendor_id=vendor_id, vendor=vendor, order_type=order_type,
        order_date=header.get("order_date") or date.today(), required_date=header.get("required_date"),
        ship_via=header.get("ship_via") or vendor.ship_via or "", fob=header.get("fob") or vendor.fob or "",
        confirm_to=header.get("confirm_to") or "", email=header.get("email") or "",
        warehouse_id=warehouse_id, customer_id=header.get("customer_id"), comment=header.get("comment") or "",
        status="new",
    )
    po.ship_to_address = header.get("ship_to_address") or default_ship_to(order_type, warehouse_id,
                                                                          po.customer_id)
    item_ids = {ln["item_id"] for ln in lines}
    items = {i.id: i for i in db.session.scalars(sa.select(Item).where(Item.id.in_(item_ids)))} if item_ids else {}
    for n, data in enumerate(lines, start=1):
        po.lines.append(_build_line(po, n, data, items))
    db.session.add(po)
    db.session.flush()
    return po


def deleted_reason_required(kind: str = "order") -> bool:
    """True when *Retain Deleted Orders* (or *Lines*) says Prompt: ask for a cancel/reason code."""
    o = opts()
    key = "retain_deleted_orders" if kind == "order" else "retain_deleted_lines"
    return bool(o["retain_po_history"]) and o[key] == "P"


def _retain_deleted(kind: str) -> bool:
    o = opts()
    key = "retain_deleted_orders" if kind == "order" else "retain_deleted_lines"
    return bool(o["retain_po_history"]) and o[key] in ("Y", "P")


def check_reason_code(code: str | None, *, required: bool, field: str = "reason_code") -> str:
    code = (code or "").strip().upper()
    if not code:
        if required:
            raise PurchaseOrderError("a cancel/reason code is required", field)
        return ""
    if not db.session.scalar(sa.select(sa.func.count()).select_from(CancelReasonCode)
                             .where(CancelReasonCode.code == code)):
        raise PurchaseOrderError(f"no cancel/reason code {code!r}", field)
    return code


def _line_text(ln: PurchaseOrderLine) -> str:
    code = ln.item.code if ln.item else str(ln.item_id)
    return f"line {ln.line_no}: {code} qty {ln.qty_ordered.normalize():f} at {ln.unit_cost.normalize():f}"


def save_purchase_order(po: PurchaseOrder | None, *, vendor_id: int, order_type: str, header: dict,
                        lines: list[dict], number: str | None = None, line_reason_code: str | None = None,
                        user_id: int | None = None) -> PurchaseOrder:
    """Save from PO entry: create or update header and lines, then fire ``on_purchase_order_saved``.

    ``lines`` are dicts with LINE_FIELDS plus ``id`` for existing lines. A removed line with
    received quantity is refused; removed lines go to history when *Retain Deleted Lines*
    says so (with ``line_reason_code``, required when it says Prompt).
    """
    created = po is None
    statuses_before = {} if created else {ln.id: ln.line_status_id for ln in po.lines}
    if created:
        po = create_purchase_order(vendor_id=vendor_id, order_type=order_type, lines=lines, number=number,
                                   **header)
    else:
        if po.status in ("cancelled", "received", "closed"):
            raise PurchaseOrderError(f"a {po.status_label.lower()} purchase order cannot be changed")
        if has_receipts(po) and vendor_id != po.vendor_id:
            raise PurchaseOrderError("the vendor cannot change once goods are received", "vendor_id")
        po.vendor_id, po.order_type = vendor_id, order_type
        for key in HEADER_FIELDS:
            if key in header:
                setattr(po, key, header[key] if header[key] is not None or key.endswith("_id")
                        or key.endswith("date") else "")
        existing = {ln.id: ln for ln in po.lines}
        next_no = max([ln.line_no for ln in po.lines], default=0)  # numbers of deleted lines are not reused
        kept = {d["id"] for d in lines if d.get("id")}
        removed = [ln for lid, ln in existing.items() if lid not in kept]
        for ln in removed:
            if (ln.qty_received or ZERO) > 0 or (ln.qty_returned or ZERO) > 0:
                raise PurchaseOrderError(f"line {ln.line_no} has received goods and cannot be deleted")
        if removed:
            code = check_reason_code(line_reason_code, required=deleted_reason_required("line"),
                                     field="line_reason_code")
            if _retain_deleted("line"):
                for ln in removed:
                    db.session.add(PoHistory(kind="line_deleted", po_number=po.number, vendor_id=po.vendor_id,
                                             reason_code=code, detail=_line_text(ln), amount=ln.line_value,
                                             user_id=user_id))
            for ln in removed:
                po.lines.remove(ln)
            db.session.flush()
        items = {i.id: i for i in db.session.scalars(
            sa.select(Item).where(Item.id.in_({d["item_id"] for d in lines})))} if lines else {}
        for data in lines:
            if data.get("id") and data["id"] in existing:
                ln = existing[data["id"]]
                qty = _dec(data.get("qty_ordered", ZERO), "quantity")
                if qty <= 0:
                    raise PurchaseOrderError(f"line {ln.line_no}: quantity ordered must be more than zero")
                if qty < (ln.qty_received or ZERO):
                    raise PurchaseOrderError(
                        f"line {ln.line_no}: quantity ordered cannot be less than the {ln.qty_received:f} received")
                if data["item_id"] != ln.item_id and (ln.qty_received or ZERO) > 0:
                    raise PurchaseOrderError(f"line {ln.line_no}: the item cannot change once received")
                ln.item_id = data["item_id"]
                ln.item = items.get(data["item_id"]) or db.session.get(Item, data["item_id"])
                ln.qty_ordered = qty
                ln.description = data.get("description") or ln.item.description
                ln.vendor_item_code = data.get("vendor_item_code") or ""
                cost = data.get("unit_cost")
                ln.unit_cost = ln.item.unit_cost if cost in (None, "") else _dec(cost, "unit cost")
                ln.required_date = data.get("required_date")
                ln.line_status_id = data.get("line_status_id")
            else:
                next_no += 1
                po.lines.append(_build_line(po, next_no, data, items))
        if not po.ship_to_address:
            po.ship_to_address = default_ship_to(po.order_type, po.warehouse_id, po.customer_id)
        refresh_status(po)
        db.session.flush()
    _hook().on_purchase_order_saved(po=po, created=created)
    for ln in [ln for ln in po.lines if ln.line_status_id != statuses_before.get(ln.id)]:
        _hook().on_po_line_status_changed(po_line=ln, old=statuses_before.get(ln.id), new=ln.line_status_id)
    return po


def send_purchase_order(po: PurchaseOrder, *, user_id: int | None) -> None:
    """Mark ``po`` sent to its vendor (who and when) and fire ``on_purchase_order_sent``."""
    if po.status in ("cancelled", "received", "closed"):
        raise PurchaseOrderError(f"a {po.status_label.lower()} purchase order cannot be sent")
    if not po.lines:
        raise PurchaseOrderError("a purchase order without lines cannot be sent")
    po.sent_at, po.sent_by_id = utcnow(), user_id
    refresh_status(po)
    db.session.flush()
    _hook().on_purchase_order_sent(po=po)


def _history_row(po: PurchaseOrder, kind: str, reason_code: str, user_id: int | None) -> PoHistory:
    detail = "; ".join(_line_text(ln) for ln in po.lines)
    return PoHistory(kind=kind, po_number=po.number, vendor_id=po.vendor_id, reason_code=reason_code or "",
                     detail=detail, amount=po.total, user_id=user_id)


def cancel_purchase_order(po: PurchaseOrder, *, reason_code: str | None = None, user_id: int | None = None) -> None:
    """Cancel ``po`` (kept, status cancelled, lines closed); refused once goods were received."""
    if po.status == "cancelled":
        raise PurchaseOrderError("the purchase order is already cancelled")
    if has_receipts(po):
        raise PurchaseOrderError("goods were received on this purchase order: close it instead of cancelling")
    code = check_reason_code(reason_code, required=deleted_reason_required("order"))
    _hook().on_purchase_order_cancelled(po=po)
    po.status, po.cancel_reason, po.completed_at = "cancelled", code, utcnow()
    for ln in po.lines:
        ln.closed = True
    if _retain_deleted("order"):
        db.session.add(_history_row(po, "cancelled", code, user_id))
    db.session.flush()


def delete_purchase_order(po: PurchaseOrder, *, reason_code: str | None = None, user_id: int | None = None) -> None:
    """Delete ``po``: fires ``on_purchase_order_cancelled`` first, then writes it to history
    with the reason when *Retain Deleted Orders* says Yes or Prompt. Refused once received."""
    if has_receipts(po):
        raise PurchaseOrderError(f"purchase order {po.number} has received goods and cannot be deleted")
    code = check_reason_code(reason_code, required=False)
    _hook().on_purchase_order_cancelled(po=po)
    if _retain_deleted("order"):
        db.session.add(_history_row(po, "deleted", code, user_id))
    db.session.delete(po)
    db.session.flush()


def close_purchase_order(po: PurchaseOrder) -> None:
    """Close every open line; the PO completes as closed."""
    if po.status in ("cancelled", "received", "closed"):
        raise PurchaseOrderError(f"a {po.status_label.lower()} purchase order cannot be closed")
    for ln in po.lines:
        ln.closed = True
    refresh_status(po)
    db.session.flush()


# -- receipts and returns ----------------------------------------------------------------------


@dataclass
class Posted:
    """What :func:`post_receipt` / :func:`post_return` did (for messages)."""

    document: Any
    closed_lines: list[int] = field(default_factory=list)


def _lock_po(po_id: int) -> PurchaseOrder:
    """The PO and its lines under row locks (PostgreSQL), fresh from the database."""
    po = db.session.scalars(
        sa.select(PurchaseOrder).where(PurchaseOrder.id == po_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if po is None:
        raise PurchaseOrderError("no such purchase order")
    db.session.scalars(
        sa.select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po_id).order_by(PurchaseOrderLine.id)
        .with_for_update().execution_options(populate_existing=True)
    ).all()
    return po


def _post_history(item_id: int, vendor_id: int, year: int, period: int, *, qty_received=ZERO,
                  amount_received=ZERO, qty_returned=ZERO, amount_returned=ZERO) -> None:
    """Add to purchase history by item and vendor: insert-if-missing, then an atomic increment."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(PurchaseHistory).values(item_id=item_id, vendor_id=vendor_id, fiscal_year=year, period=period,
                                       qty_received=0, amount_received=0, qty_returned=0, amount_returned=0)
        .on_conflict_do_nothing(index_elements=["item_id", "vendor_id", "fiscal_year", "period"])
    )
    db.session.execute(
        sa.update(PurchaseHistory)
        .where(PurchaseHistory.item_id == item_id, PurchaseHistory.vendor_id == vendor_id,
               PurchaseHistory.fiscal_year == year, PurchaseHistory.period == period)
        .values(qty_received=PurchaseHistory.qty_received + qty_received,
                amount_received=PurchaseHistory.amount_received + amount_received,
                qty_returned=PurchaseHistory.qty_returned + qty_returned,
                amount_returned=PurchaseHistory.amount_returned + amount_returned)
        .execution_options(synchronize_session=False)
    )


def _parse_quantities(po: PurchaseOrder, quantities: dict) -> dict[int, Decimal]:
    by_id = {ln.id: ln for ln in po.lines}
    out: dict[int, Decimal] = {}
    errors: dict[str, str] = {}
    for raw_id, raw in quantities.items():
        lid = int(raw_id)
        if lid not in by_id:
            raise PurchaseOrderError("a line does not belong to this purchase order")
        try:
            q = _dec(raw, "quantity", f"qty_{lid}")
        except PurchaseOrderError as exc:
            errors[f"qty_{lid}"] = exc.message
            continue
        if q < 0:
            errors[f"qty_{lid}"] = "quantity cannot be negative"
        elif q > 0:
            out[lid] = q
    if errors:
        raise PurchaseOrderError("check the quantities", errors=errors)
    return out


def post_receipt(po_id: int, quantities: dict, *, comment: str = "", line_comments: dict | None = None,
                 comment_lines: Iterable[str] = (), receipt_date: date | None = None,
                 user_id: int | None = None) -> Posted:
    """Receive goods against PO ``po_id``: ``quantities`` maps PO line id -> quantity.

    Locks the PO and its lines, refuses more than outstanding unless *Allow Qty Received
    or Invoiced to Exceed Qty Ordered*, raises stock and the item's last cost when
    integrated with inventory, closes lines within the receipt variance when
    *Automatically Close Partially Received Purchase Orders*, posts purchase history,
    then fires ``on_receipt`` inside the transaction.
    """
    o = opts()
    po = _lock_po(po_id)
    if po.status in ("cancelled",):
        raise PurchaseOrderError("a cancelled purchase order cannot be received")
    wanted = _parse_quantities(po, quantities)
    by_id = {ln.id: ln for ln in po.lines}
    errors: dict[str, str] = {}
    for lid, q in wanted.items():
        ln = by_id[lid]
        if ln.closed:
            errors[f"qty_{lid}"] = f"line {ln.line_no} is closed"
        elif q > ln.qty_outstanding and not o["allow_exceed"]:
            errors[f"qty_{lid}"] = (f"only {ln.qty_outstanding.normalize():f} outstanding on line {ln.line_no}: "
                                    "receiving more than ordered is not allowed")
    if errors:
        raise PurchaseOrderError("a quantity is more than is outstanding", errors=errors)
    if not wanted:
        raise PurchaseOrderError("enter a quantity received for at least one line")
    year, period = o["current_year"], o["current_period"]
    receipt = Receipt(number=_next_receipt_number(), po_id=po.id, po=po, po_number=po.number,
                      vendor_id=po.vendor_id, receipt_date=receipt_date or date.today(), fiscal_year=year,
                      period=period, comment=comment or "", created_by_id=user_id)
    line_comments = line_comments or {}
    warehouse_id = po.warehouse_id or default_warehouse_id()
    total_qty, total_amount, n = ZERO, ZERO, 0
    for ln in po.lines:
        q = wanted.get(ln.id)
        if not q:
            continue
        n += 1
        ln.qty_received = (ln.qty_received or ZERO) + q
        receipt.lines.append(ReceiptLine(line_no=n, po_line_id=ln.id, po_line=ln, item_id=ln.item_id,
                                         qty=q, unit_cost=ln.unit_cost,
                                         comment=str(line_comments.get(ln.id, "") or "")))
        amount = (q * ln.unit_cost).quantize(Decimal("0.01"))
        total_qty += q
        total_amount += amount
        if o["integrate_inventory"]:
            if po.order_type == "S" and warehouse_id:
                stock.receive(ln.item_id, warehouse_id, q)
            ln.item.unit_cost = ln.unit_cost
        if o["retain_po_history"]:
            _post_history(ln.item_id, po.vendor_id, year, period, qty_received=q, amount_received=amount)
    for text in comment_lines:
        if text and text.strip():
            n += 1
            receipt.lines.append(ReceiptLine(line_no=n, item_id=None, qty=ZERO, comment=text.strip()))
    receipt.total_qty, receipt.total_amount = total_qty, total_amount
    closed: list[int] = []
    if o["auto_close"]:
        variance = Decimal(o["receipt_variance_pct"]) / 100
        for ln in po.lines:
            if ln.closed or ln.qty_received <= 0 or ln.qty_received >= ln.qty_ordered:
                continue
            if ln.qty_received >= ln.qty_ordered * (1 - variance):
                ln.closed = True
                closed.append(ln.line_no)
    refresh_status(po)
    db.session.add(receipt)
    db.session.flush()
    _hook().on_receipt(receipt=receipt)
    return Posted(receipt, closed)


def post_return(po_id: int, quantities: dict, *, comment: str = "", return_date: date | None = None,
                user_id: int | None = None) -> Posted:
    """Return goods to the vendor: lowers received quantity (and stock when integrated).

    Never more than was received on a line. Fires ``on_return`` inside the transaction.
    """
    o = opts()
    po = _lock_po(po_id)
    wanted = _parse_quantities(po, quantities)
    by_id = {ln.id: ln for ln in po.lines}
    errors = {}
    for lid, q in wanted.items():
        ln = by_id[lid]
        if q > (ln.qty_received or ZERO):
            errors[f"qty_{lid}"] = (f"only {ln.qty_received.normalize():f} received on line {ln.line_no}: "
                                    "cannot return more than was received")
    if errors:
        raise PurchaseOrderError("a quantity is more than was received", errors=errors)
    if not wanted:
        raise PurchaseOrderError("enter a quantity returned for at least one line")
    year, period = o["current_year"], o["current_period"]
    ret = Return(number=_next_return_number(), po_id=po.id, po=po, po_number=po.number, vendor_id=po.vendor_id,
                 return_date=return_date or date.today(), fiscal_year=year, period=period, comment=comment or "",
                 created_by_id=user_id)
    warehouse_id = po.warehouse_id or default_warehouse_id()
    n = 0
    for ln in po.lines:
        q = wanted.get(ln.id)
        if not q:
            continue
        n += 1
        ln.qty_received -= q
        ln.qty_returned = (ln.qty_returned or ZERO) + q
        ret.lines.append(ReturnLine(line_no=n, po_line_id=ln.id, po_line=ln, item_id=ln.item_id, qty=q,
                                    unit_cost=ln.unit_cost))
        if o["integrate_inventory"] and po.order_type == "S" and warehouse_id:
            stock.receive(ln.item_id, warehouse_id, -q)
        if o["retain_po_history"]:
            _post_history(ln.item_id, po.vendor_id, year, period, qty_returned=q,
                          amount_returned=(q * ln.unit_cost).quantize(Decimal("0.01")))
    refresh_status(po)
    db.session.add(ret)
    db.session.flush()
    _hook().on_return(return_=ret)
    return Posted(ret)


# -- reading -------------------------------------------------------------------------------


def load_po(po_id: int) -> PurchaseOrder | None:
    return db.session.scalars(
        sa.select(PurchaseOrder).where(PurchaseOrder.id == po_id).options(
            selectinload(PurchaseOrder.lines).selectinload(PurchaseOrderLine.item),
            selectinload(PurchaseOrder.lines).selectinload(PurchaseOrderLine.line_status),
            selectinload(PurchaseOrder.exceptions),
        )
    ).one_or_none()


def receipts_of(po: PurchaseOrder) -> list[Receipt]:
    return list(db.session.scalars(
        sa.select(Receipt).where(Receipt.po_id == po.id).order_by(Receipt.id)
        .options(selectinload(Receipt.lines).selectinload(ReceiptLine.item))))


def returns_of(po: PurchaseOrder) -> list[Return]:
    return list(db.session.scalars(
        sa.select(Return).where(Return.po_id == po.id).order_by(Return.id)
        .options(selectinload(Return.lines).selectinload(ReturnLine.item))))


def history_of(po: PurchaseOrder) -> list[PoHistory]:
    return list(db.session.scalars(
        sa.select(PoHistory).where(PoHistory.po_number == po.number).order_by(PoHistory.id)))


def now() -> datetime:
    return utcnow()
