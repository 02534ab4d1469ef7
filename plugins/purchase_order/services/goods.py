"""Receipt and return of goods against a purchase order, and purchase history by item and vendor.

Both postings share one skeleton (:func:`_locked_quantities`): lock the PO and its lines,
parse every quantity within the column's precision (``1e-20`` is refused beside its
field, never posted as zero), check each line's own limit, then write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core import stock
from core.db import ZERO, db
from core.errors import ValidationError
from core.options import Options
from core.parsing import parse_id

from .. import activity_log
from ..common import default_warehouse_id, hooks, parse_quantity, refresh_status
from ..models import (
    PurchaseHistory,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    Return,
    ReturnLine,
)
from ..numbers import next_receipt_number, next_return_number
from ..options import options

CENT = Decimal("0.01")


@dataclass
class Posted:
    """What :func:`post_receipt` / :func:`post_return` did (for messages)."""

    document: Any
    closed_lines: list[int] = field(default_factory=list)


# -- the shared skeleton -------------------------------------------------------------------------


def lock_po(po_id: int) -> PurchaseOrder:
    """The PO and its lines under row locks (PostgreSQL), fresh from the database."""
    po = db.session.scalars(
        sa.select(PurchaseOrder).where(PurchaseOrder.id == po_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if po is None:
        raise ValidationError(None, "There is no such purchase order.")
    db.session.scalars(
        sa.select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po_id).order_by(PurchaseOrderLine.id)
        .with_for_update().execution_options(populate_existing=True)
    ).all()
    return po


def _parse_quantities(po: PurchaseOrder, quantities: Mapping[Any, Any]) -> dict[int, Decimal]:
    """``{line id: text or number}`` -> the positive quantities, errors beside ``qty_<line id>``."""
    by_id = {ln.id: ln for ln in po.lines}
    out: dict[int, Decimal] = {}
    errors: list[tuple[str | None, str]] = []
    for raw_id, raw in quantities.items():
        lid = parse_id(raw_id)
        if lid not in by_id:
            raise ValidationError(None, "A line does not belong to this purchase order.")
        name = f"qty_{lid}"
        if raw is None or str(raw).strip() == "":
            continue
        try:
            q = parse_quantity(raw, name)
        except ValidationError as exc:
            errors += exc.errors
            continue
        if q < 0:
            errors.append((name, "The quantity cannot be negative."))
        elif q > 0:
            out[lid] = q
    if errors:
        raise ValidationError.many(errors)
    return out


LineCheck = Callable[[PurchaseOrderLine, Decimal, Options], str | None]


def _locked_quantities(po_id: int, quantities: Mapping[Any, Any], check: LineCheck, nothing: str
                       ) -> tuple[PurchaseOrder, dict[int, Decimal], Options]:
    """Lock, parse and check: ``check(line, qty, options)`` answers a message or None."""
    o = options.current()
    po = lock_po(po_id)
    if po.status == "cancelled":
        raise ValidationError(None, "A cancelled purchase order cannot be received or returned.")
    wanted = _parse_quantities(po, quantities)
    by_id = {ln.id: ln for ln in po.lines}
    errors = [(f"qty_{lid}", msg) for lid, q in wanted.items() if (msg := check(by_id[lid], q, o))]
    if errors:
        raise ValidationError.many(errors)
    if not wanted:
        raise ValidationError(None, nothing)
    return po, wanted, o


def _move_stock(po: PurchaseOrder, ln: PurchaseOrderLine, qty: Decimal, o: Options) -> None:
    """Receipts raise (returns lower) on hand of stocked items on standard orders.

    A drop-ship order never passes through the warehouse, and a non-stocked item
    (buy to order) is not kept in stock: sales orders never issue it, so counting it in
    would leave phantom stock once it is shipped to the customer.
    """
    warehouse_id = po.warehouse_id or default_warehouse_id()
    if o["integrate_inventory"] and po.order_type == "S" and warehouse_id and ln.item.stocked:
        stock.receive(ln.item_id, warehouse_id, qty)


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


# -- receipts ---------------------------------------------------------------------------------------


def _receipt_limit(ln: PurchaseOrderLine, q: Decimal, o: Options) -> str | None:
    if ln.closed:
        return f"line {ln.line_no} is closed"
    if q > ln.qty_outstanding and not o["allow_exceed"]:
        return (f"only {ln.qty_outstanding.normalize():f} outstanding on line {ln.line_no}: "
                "receiving more than ordered is not allowed")
    return None


def _auto_close(po: PurchaseOrder, o: Options) -> list[int]:
    """*Automatically Close Partially Received Purchase Orders*: lines within the variance close."""
    if not o["auto_close"]:
        return []
    variance = Decimal(o["receipt_variance_pct"]) / 100
    closed = []
    for ln in po.lines:
        if ln.closed or ln.qty_received <= 0 or ln.qty_received >= ln.qty_ordered:
            continue
        if ln.qty_received >= ln.qty_ordered * (1 - variance):
            ln.closed = True
            closed.append(ln.line_no)
    return closed


def post_receipt(po_id: int, quantities: Mapping[Any, Any], *, comment: str = "",
                 line_comments: Mapping[int, str] | None = None, comment_lines: Iterable[str] = (),
                 receipt_date: date | None = None, user_id: int | None = None) -> Posted:
    """Receive goods against PO ``po_id``: ``quantities`` maps PO line id -> quantity.

    Refuses more than outstanding unless *Allow Qty Received or Invoiced to Exceed Qty
    Ordered*, raises stock and the item's last cost when integrated with inventory,
    closes lines within the receipt variance when *Automatically Close Partially
    Received Purchase Orders*, posts purchase history, then fires ``on_receipt`` inside
    the transaction.
    """
    po, wanted, o = _locked_quantities(po_id, quantities, _receipt_limit,
                                       "Enter a quantity received for at least one line.")
    year, period = o["current_year"], o["current_period"]
    receipt = Receipt(number=next_receipt_number(), po_id=po.id, po=po, po_number=po.number,
                      vendor_id=po.vendor_id, receipt_date=receipt_date or date.today(), fiscal_year=year,
                      period=period, comment=comment or "", created_by_id=user_id)
    line_comments = line_comments or {}
    for ln in po.lines:
        q = wanted.get(ln.id)
        if not q:
            continue
        ln.qty_received = (ln.qty_received or ZERO) + q
        amount = (q * ln.unit_cost).quantize(CENT)
        receipt.lines.append(ReceiptLine(line_no=len(receipt.lines) + 1, po_line_id=ln.id, po_line=ln,
                                         item_id=ln.item_id, qty=q, unit_cost=ln.unit_cost,
                                         comment=str(line_comments.get(ln.id, "") or "")))
        receipt.total_qty = (receipt.total_qty or ZERO) + q
        receipt.total_amount = (receipt.total_amount or ZERO) + amount
        _move_stock(po, ln, q, o)
        if o["integrate_inventory"]:
            ln.item.unit_cost = ln.unit_cost  # the last cost, as Item Maintenance keeps it
        if o["retain_po_history"]:
            _post_history(ln.item_id, po.vendor_id, year, period, qty_received=q, amount_received=amount)
    for text in comment_lines:
        if text and text.strip():
            receipt.lines.append(ReceiptLine(line_no=len(receipt.lines) + 1, item_id=None, qty=ZERO,
                                             comment=text.strip()))
    closed = _auto_close(po, o)
    _record_posting(po, receipt, "received", "Receipt")
    hooks().on_receipt(receipt=receipt)
    return Posted(receipt, closed)


def check_goods(kind: str, po_id: int, quantities: Mapping[Any, Any],
                pending: Mapping[int, Decimal] | None = None) -> tuple[PurchaseOrder, dict[int, Decimal]]:
    """Check a receipt or return as posting would, without writing: (PO, quantities by line id).

    ``pending`` is what is already waiting for the same lines (a batch's other entries),
    counted against each line's limit as if it were posted first.
    """
    base = _receipt_limit if kind == "receipt" else _return_limit
    pending = pending or {}

    def check(ln: PurchaseOrderLine, q: Decimal, o: Options) -> str | None:
        return base(ln, q + pending.get(ln.id, ZERO), o)

    nothing = f"Enter a quantity {'received' if kind == 'receipt' else 'returned'} for at least one line."
    po, wanted, _o = _locked_quantities(po_id, quantities, check, nothing)
    return po, wanted


# -- returns ----------------------------------------------------------------------------------------


def _return_limit(ln: PurchaseOrderLine, q: Decimal, _o: Options) -> str | None:
    if q > (ln.qty_received or ZERO):
        return (f"only {ln.qty_received.normalize():f} received on line {ln.line_no}: "
                "cannot return more than was received")
    return None


def post_return(po_id: int, quantities: Mapping[Any, Any], *, comment: str = "", return_date: date | None = None,
                user_id: int | None = None) -> Posted:
    """Return goods to the vendor: lowers received quantity (and stock when integrated).

    Never more than was received on a line. Fires ``on_return`` inside the transaction.
    """
    po, wanted, o = _locked_quantities(po_id, quantities, _return_limit,
                                       "Enter a quantity returned for at least one line.")
    year, period = o["current_year"], o["current_period"]
    ret = Return(number=next_return_number(), po_id=po.id, po=po, po_number=po.number, vendor_id=po.vendor_id,
                 return_date=return_date or date.today(), fiscal_year=year, period=period, comment=comment or "",
                 created_by_id=user_id)
    for ln in po.lines:
        q = wanted.get(ln.id)
        if not q:
            continue
        ln.qty_received -= q
        ln.qty_returned = (ln.qty_returned or ZERO) + q
        ret.lines.append(ReturnLine(line_no=len(ret.lines) + 1, po_line_id=ln.id, po_line=ln, item_id=ln.item_id,
                                    qty=q, unit_cost=ln.unit_cost))
        _move_stock(po, ln, -q, o)
        if o["retain_po_history"]:
            _post_history(ln.item_id, po.vendor_id, year, period, qty_returned=q,
                          amount_returned=(q * ln.unit_cost).quantize(CENT))
    _record_posting(po, ret, "returned", "Return")
    hooks().on_return(return_=ret)
    return Posted(ret)


def _record_posting(po: PurchaseOrder, document: Receipt | Return, verb: str, label: str) -> None:
    """Store a posted receipt or return and note its lines in the PO's activity log."""
    refresh_status(po)
    db.session.add(document)
    db.session.flush()
    activity_log.log(po, verb, f"{label} {document.number}: " + "; ".join(
        f"line {rl.po_line.line_no} qty {rl.qty.normalize():f}" for rl in document.lines if rl.po_line is not None))
