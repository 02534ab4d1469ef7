"""What the sales order's activity log says (:mod:`core.activity`): saves and status changes.

A save records a compact diff of the header fields and the lines; every status change
(cancel, complete, credit hold, release, shipping ...) is caught in one place, an
attribute event on ``SalesOrder.status``, so no action can change the status silently.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from core import activity
from core.db import db
from core.models import Item

from .models import STATUSES, SalesOrder, SalesOrderLine

DOCUMENT = "sales_order"
HEADER = {"customer_id": "Customer", "customer_po_number": "Customer PO", "order_date": "Order date",
          "requested_ship_date": "Ship date", "ship_to_address": "Ship-to address", "ship_via": "Ship via",
          "fob": "FOB", "confirm_to": "Confirm to", "email": "Email", "warehouse_id": "Warehouse",
          "invoice_discount_pct": "Invoice discount %", "notes": "Notes"}
LineKey = tuple[int, int, Decimal, Decimal, Decimal]  # line no, item, qty, price, discount


def snapshot(order: SalesOrder | None) -> dict[str, Any] | None:
    """The header values and lines of an order as they are before a save (None for a new one)."""
    if order is None:
        return None
    values: dict[str, Any] = {key: getattr(order, key) for key in HEADER}
    values["lines"] = {ln.id: _line_key(ln) for ln in order.lines}
    return values


def _line_key(ln: SalesOrderLine) -> LineKey:
    return (ln.line_no, ln.item_id, ln.qty_ordered, ln.unit_price, ln.discount_pct)


def record_saved(order: SalesOrder, before: dict[str, Any] | None, removed: list[SalesOrderLine]) -> None:
    """One log entry for a save: created with its size, or what changed (nothing changed: no entry)."""
    gone = {ln.id for ln in removed}
    lines = [ln for ln in order.lines if ln.id not in gone]
    if before is None:
        activity.record(DOCUMENT, order.id, "created", f"{len(lines)} line{'s' if len(lines) != 1 else ''}, "
                        f"total {order.total:,.2f}", number=order.number)
        return
    parts = activity.describe_changes(before, {key: getattr(order, key) for key in HEADER}, HEADER)
    parts += _line_changes(before["lines"], {ln.id: _line_key(ln) for ln in lines})
    if parts:
        activity.record(DOCUMENT, order.id, "changed", "; ".join(parts), number=order.number)


def _line_changes(old: dict[int, LineKey], new: dict[int, LineKey]) -> list[str]:
    codes = _codes({k[1] for k in old.values()} | {k[1] for k in new.values()})
    out: list[str] = []
    for line_id, (no, item, qty, price, disc) in sorted(new.items(), key=lambda kv: kv[1][0]):
        was = old.get(line_id)
        name = f"line {no} ({codes.get(item, '')})"
        if was is None:
            out.append(f"{name} added: qty {_n(qty)} at {_n(price)}")
            continue
        diffs = [f"{label} {_n(a)} -> {_n(b)}" for label, a, b in (
            ("item", codes.get(was[1], ""), codes.get(item, "")), ("qty", was[2], qty), ("price", was[3], price),
            ("discount %", was[4], disc)) if _n(a) != _n(b)]
        if diffs:
            out.append(f"{name} " + ", ".join(diffs))
    for line_id, (no, item, qty, _p, _d) in sorted(old.items(), key=lambda kv: kv[1][0]):
        if line_id not in new:
            out.append(f"line {no} ({codes.get(item, '')}) removed (qty {_n(qty)})")
    return out


def _codes(item_ids: set[int]) -> dict[int, str]:
    ids = {i for i in item_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Item.id, Item.code).where(Item.id.in_(ids))).all())


def _n(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return "" if value is None else str(value)


@sa.event.listens_for(SalesOrder.status, "set", active_history=True)
def _status_changed(order: SalesOrder, new: str, old: Any, _initiator: Any) -> None:
    """Every status change of a saved order goes to its log, whichever action made it."""
    if order.id is None or not isinstance(old, str) or old == new:
        return  # a new order's first status, or no change
    activity.record(DOCUMENT, order.id, "status", f"{STATUSES.get(old, old)} -> {STATUSES.get(new, new)}",
                    number=order.number or "")
