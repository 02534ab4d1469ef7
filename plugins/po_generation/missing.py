"""The missing-PO check (SalesPRO): open sales orders with lines needing purchase that no
PO covers, each with the reason (no vendor, generation off, POs deleted, not generated)."""

from __future__ import annotations

from dataclasses import dataclass

from . import links, settings
from .inputs import Selection, load_inputs
from .rules import LineIn, OrderIn


@dataclass
class MissingRow:
    order: OrderIn
    lines: list[LineIn]
    reasons: list[str]


def _reasons(lines: list[LineIn], event: str | None, o) -> list[str]:
    reasons = [f"no vendor for item {ln.item_code} (line {ln.line_no})" for ln in lines
               if ln.resolved_vendor_id is None]
    if event:
        reasons.append("POs deleted: " + event)
    has_vendor = any(ln.resolved_vendor_id is not None for ln in lines)
    if has_vendor and not o["generate_on_save"]:
        reasons.append("generation off: POs are not generated on save"
                       + (" (use Generate POs)" if o["enable_in_entry"] else ""))
    return reasons or ["not generated yet"]


def missing_purchase_orders(selection: Selection | None = None) -> list[MissingRow]:
    """Open sales orders (not on credit hold) whose lines still need ordering, by number."""
    inputs = load_inputs(selection or Selection())
    by_order: dict[int, list[LineIn]] = {}
    for ln in inputs.lines:
        if ln.quantity_to_order() > 0:
            by_order.setdefault(ln.order_id, []).append(ln)
    if not by_order:
        return []
    events = links.last_events(by_order)
    o = settings.current()
    order_map = {x.id: x for x in inputs.orders}
    rows = [MissingRow(order_map[oid], lns, _reasons(lns, events.get(oid), o)) for oid, lns in by_order.items()]
    rows.sort(key=lambda r: r.order.number)
    return rows
