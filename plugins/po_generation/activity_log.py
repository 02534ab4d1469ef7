"""What po_generation writes to the activity logs (:mod:`core.activity`).

Generation says, on each sales order, which POs were generated or added to for it, and
on each PO, which sales orders it was generated from. A sales order edit that changes or
deletes an unsent PO says so on both logs and in the confirmation the user sees.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from core import activity
from core.db import db
from plugins.sales_order.models import SalesOrder

from .rules import Plan

SO, PO = "sales_order", "purchase_order"


def record_generation(plan: Plan, new_po_ids: set[int]) -> None:
    """After :func:`.generation.write_plan` (each draft has its PO id and number by then): each
    sales order's log names the POs made or added to for it (the POs' own logs are written
    by purchase_order, which names the sales orders from the PO's comment and line origins)."""
    per_order: dict[str, list[str]] = {}
    for d in plan.drafts:
        if d.existing_po_id is None:
            continue
        new = d.existing_po_id in new_po_ids
        for so_number in sorted({ln.so_number for ln in d.lines}):
            per_order.setdefault(so_number, []).append(f"PO {d.number} ({'new' if new else 'lines added'})")
    for inc in plan.increases:
        per_order.setdefault(inc.so_number, []).append(
            f"PO {inc.link.po_number} line quantity +{inc.qty.normalize():f} (its line {inc.so_line_no})")
    if not per_order:
        return
    ids = dict(db.session.execute(sa.select(SalesOrder.number, SalesOrder.id)
                                  .where(SalesOrder.number.in_(per_order))).all())
    activity.record_many(activity.Entry(SO, ids[so_number], "pos_generated", "; ".join(texts), so_number)
                         for so_number, texts in per_order.items() if so_number in ids)


def po_changed_by_order(order_id: int, so_number: str, po_numbers: Iterable[str], what: str,
                        deleted: Iterable[str] = ()) -> None:
    """A sales order change reached unsent POs: the SO's log and the user's confirmation say
    which PO and what changed (each PO's own log is written by purchase_order, with the reason)."""
    changed = [n for n in dict.fromkeys(po_numbers) if n not in set(deleted)]
    gone = list(dict.fromkeys(deleted))
    parts = []
    if changed:
        parts.append(f"PO {', '.join(changed)} changed: {what}")
    if gone:
        parts.append(f"PO {', '.join(gone)} deleted (no lines left): {what}")
    if not parts:
        return
    text = "; ".join(parts)
    activity.record(SO, order_id, "po_changed", text, number=so_number)
    activity.tell_user(f"Sales order {so_number}: {text}.", "warning")
