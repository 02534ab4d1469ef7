"""The emails of one sales order, per line, for the order page (``page_panels``).

A BACK ORDER email is written per customer and PO line (its key names both); the lines of
this order waiting on that PO line are asked of the bridges (``purchase_line_demand``), so
the panel says which order lines each email was about. Other emails that name the order in
their document ("SO 100123") are listed for the whole order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from core.db import db

from .backorder import demand_for
from .models import OutboxEmail
from .types import BACK_ORDER


@dataclass
class OrderEmail:
    email: OutboxEmail
    line_nos: list[int] = field(default_factory=list)  # empty: about the whole order


def _po_line_of(key: str) -> int | None:
    """``backorder:<po line id>:<status id>:<customer id>`` -> the PO line id."""
    parts = key.split(":")
    return int(parts[1]) if len(parts) == 4 and parts[1].isdigit() else None


def emails_for_order(order) -> list[OrderEmail]:
    line_no = {line.id: line.line_no for line in order.lines}
    back_orders = list(db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.type == BACK_ORDER,
                                     OutboxEmail.dedupe_key.like(f"backorder:%:%:{order.customer_id}"))
        .order_by(OutboxEmail.id)))
    by_po_line: dict[int, set[int]] = {}
    po_lines = {p for p in (_po_line_of(e.dedupe_key) for e in back_orders) if p is not None}
    for row in demand_for(sorted(po_lines)) if po_lines else []:
        if row.get("so_line_id") in line_no:
            by_po_line.setdefault(row["po_line_id"], set()).add(line_no[row["so_line_id"]])
    out = [OrderEmail(e, sorted(by_po_line[p])) for e in back_orders
           if (p := _po_line_of(e.dedupe_key)) in by_po_line]
    named = db.session.scalars(sa.select(OutboxEmail).where(
        OutboxEmail.type != BACK_ORDER, OutboxEmail.document == f"SO {order.number}").order_by(OutboxEmail.id))
    out.extend(OrderEmail(e) for e in named)
    return sorted(out, key=lambda oe: oe.email.id)
