"""What purchase_order writes to a PO's activity log (:mod:`core.activity`).

Every write path of this plugin (PO entry, the public API other plugins call, sending,
receipts, returns, deleting) records its own event here, so a PO changed by a sales
order edit says which sales order and what changed (the ``reason`` the caller gives).
"""

from __future__ import annotations

from collections.abc import Iterable

from core import activity

from .models import PurchaseOrder, PurchaseOrderLine

DOCUMENT = "purchase_order"
HEADER = {"vendor_id": "Vendor", "order_type": "Order type", "order_date": "Order date",
          "required_date": "Required date", "ship_to_address": "Ship-to address", "ship_via": "Ship via",
          "fob": "FOB", "confirm_to": "Confirm to", "email": "Email", "warehouse_id": "Warehouse",
          "comment": "Comment"}


def log(po: PurchaseOrder, action: str, details: str = "") -> None:
    activity.record(DOCUMENT, po.id, action, details, number=po.number)


def line_words(ln: PurchaseOrderLine) -> str:
    code = ln.item.code if ln.item else ""
    return f"line {ln.line_no} ({code}) qty {ln.qty_ordered.normalize():f}"


def snapshot(po: PurchaseOrder) -> dict:
    values = {key: getattr(po, key, None) for key in HEADER}
    values["lines"] = {ln.id: (ln.line_no, ln.item_id, ln.qty_ordered, ln.unit_cost) for ln in po.lines}
    return values


def record_saved(po: PurchaseOrder, before: dict | None) -> None:
    """PO entry: created, or a compact diff of the header and lines."""
    if before is None:
        log(po, "created", f"{len(po.lines)} line{'s' if len(po.lines) != 1 else ''}, total {po.total:,.2f}")
        return
    parts = activity.describe_changes(before, {key: getattr(po, key, None) for key in HEADER}, HEADER)
    now = {ln.id: ln for ln in po.lines}
    for line_id, ln in now.items():
        was = before["lines"].get(line_id)
        if was is None:
            parts.append(f"{line_words(ln)} added")
        elif (was[1], _n(was[2]), _n(was[3])) != (ln.item_id, _n(ln.qty_ordered), _n(ln.unit_cost)):
            parts.append(f"line {ln.line_no}: qty {_n(was[2])} -> {_n(ln.qty_ordered)}, cost {_n(was[3])} -> "
                         f"{_n(ln.unit_cost)}")
    parts += [f"line {was[0]} removed" for line_id, was in before["lines"].items() if line_id not in now]
    if parts:
        log(po, "changed", "; ".join(parts))


def _n(value) -> str:
    return f"{value.normalize():f}" if value is not None else ""


def lines_changed(pos: Iterable[PurchaseOrder], texts: dict[int, list[str]], action: str, reason: str) -> None:
    """One entry per PO for lines changed or deleted through the API, with the caller's reason."""
    why = f". Why: {reason.strip()}" if (reason or "").strip() else ""
    activity.record_many(activity.Entry(DOCUMENT, po.id, action, "; ".join(texts[po.id]) + why, po.number)
                         for po in pos if texts.get(po.id))
