"""Demo data: a couple of purchase orders on the core demo vendors and items."""

from __future__ import annotations

import sqlalchemy as sa

from core.models import Item, Partner


def add_demo(session) -> None:
    from . import services
    from .models import CancelReasonCode, PoLineStatus

    session.add_all([
        PoLineStatus(code="OPEN", description="Open"),
        PoLineStatus(code="BO", description="Back ordered by vendor"),
        PoLineStatus(code="CONF", description="Confirmed by vendor"),
        CancelReasonCode(code="DUP", description="Duplicate order"),
        CancelReasonCode(code="VND", description="Vendor cannot supply"),
        CancelReasonCode(code="CUS", description="Customer cancelled"),
    ])
    session.flush()
    vendors = {p.number: p for p in session.scalars(sa.select(Partner).where(Partner.is_vendor))}
    items = {i.code: i for i in session.scalars(sa.select(Item))}
    if not vendors or not items:
        return
    first = vendors.get("V2000") or next(iter(vendors.values()))
    second = vendors.get("V2001") or first
    lines1 = [{"item_id": items[c].id, "qty_ordered": q} for c, q in (("BOLT-10", 500), ("DRILL-18V", 10))
              if c in items]
    lines2 = [{"item_id": items[c].id, "qty_ordered": q} for c, q in (("SAW-TABLE", 2), ("GLOVES", 50))
              if c in items]
    if lines1:
        services.create_purchase_order(vendor_id=first.id, order_type="S", lines=lines1,
                                       comment="Demo: monthly restock")
    if lines2:
        po = services.create_purchase_order(vendor_id=second.id, order_type="S", lines=lines2)
        services.send_purchase_order(po, user_id=None)
