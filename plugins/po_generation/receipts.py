"""Receipts release what po_generation bought them for (``on_receipt`` / ``on_return``).

Each received PO line first serves the sales order lines linked to it (``pogen_link``),
oldest required date first, through sales_order's one receipt release
(:func:`plugins.sales_order.services.release_received`, the same one po_allocation calls):
back order moves to ship and, for a stocked line, the received stock is reserved for it.
Only the remainder stays free stock. It runs inside the receipt's transaction: an error
aborts the receipt.

- Buy-to-order (non-stocked) items: the receipt does not count them in stock (purchase_order's
  ``_move_stock``); the release moves the line's back order to ship, and shipping issues nothing.
- Drop ship (PO type D): the goods went straight to the customer, so the receipt confirms the
  delivery: the linked line's back-ordered quantity moves to ship, ready to invoice
  (shipping it records the invoice; no stock moves either way).
- Returns: what a receipt released and is not shipped yet goes back to back order
  (newest required date first), up to the quantity returned.
- Where released goods go (to ship, or reserved and ready to release) is sales_order's
  business: *Release of received back orders* and *Order linked to a receipt*.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from core.db import ZERO, db
from plugins.purchase_order.models import Receipt, Return
from plugins.sales_order import services as so_services
from plugins.sales_order.fills import last_receipt, record_fill
from plugins.sales_order.models import SalesOrderLine

from .models import PoGenFill, PoGenLink


def _linked_lines(po_line_id: int, item_id: int | None) -> list[SalesOrderLine]:
    """The SO lines linked to a PO line (same item only), oldest required date first."""
    lines = list(db.session.scalars(
        sa.select(SalesOrderLine).join(PoGenLink, PoGenLink.so_line_id == SalesOrderLine.id)
        .where(PoGenLink.po_line_id == po_line_id, SalesOrderLine.item_id == item_id)))
    return sorted(lines, key=lambda ln: (so_services.required_date(ln) or ln.order.order_date, ln.id))


def _serve(document: Receipt | Return, returning: bool) -> dict[int, Decimal]:
    """Walk each document line's linked SO lines (oldest first for a receipt, newest first for
    a return) and release (or undo) up to its quantity; record each move as a fill."""
    moved_by_line: dict[int, Decimal] = {}
    for rline in document.lines:
        left = rline.qty or ZERO
        if not rline.po_line_id or left <= 0:
            continue
        lines = _linked_lines(rline.po_line_id, rline.item_id)
        for line in reversed(lines) if returning else lines:
            if left <= 0:
                break
            moved = (so_services.unrelease if returning else so_services.release_received)(line, left)
            if not moved:
                continue
            left -= moved
            moved_by_line[line.id] = moved_by_line.get(line.id, ZERO) + moved
            receipt_id = last_receipt(PoGenFill, line.id, rline.po_line_id) if returning else document.id
            record_fill(PoGenFill, receipt_id=receipt_id, po_line_id=rline.po_line_id,
                        po_id=rline.po_line.po_id if rline.po_line else None, line=line,
                        qty=-moved if returning else moved)
    db.session.flush()
    return moved_by_line


def on_receipt(receipt: Receipt) -> dict[int, Decimal]:
    """Release the back orders linked to each received PO line; returns released qty per SO line.
    Each release is recorded (``pogen_fill``) for the receipt, SO and PO pages."""
    return _serve(receipt, returning=False)


def on_return(return_: Return) -> dict[int, Decimal]:
    """Put back on back order what was released and not shipped, up to the quantity returned
    (a negative fill against the last receipt that filled the line)."""
    return _serve(return_, returning=True)
