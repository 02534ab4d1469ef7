"""Helpers for the supplier sync tests (database ones run inside an app context)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from core.db import db
from core.models import Item, Partner


def make_po(lines, vendor: str = "V2000", send: bool = True):
    """A PO through purchase_order's service; ``lines``: (item code, qty, cost[, origin label]).

    ``send`` marks it sent as if it went out before the supplier connection existed (no
    submission to the simulator: each test makes the supplier order it needs).
    """
    from core.models import utcnow
    from plugins.purchase_order.services import create_purchase_order

    vendor_id = db.session.scalar(sa.select(Partner.id).where(Partner.number == vendor))
    items = {i.code: i.id for i in db.session.scalars(sa.select(Item))}
    po = create_purchase_order(vendor_id=vendor_id, order_type="S", lines=[
        {"item_id": items[ln[0]], "qty_ordered": Decimal(str(ln[1])), "unit_cost": Decimal(str(ln[2])),
         "origin_label": ln[3] if len(ln) > 3 else None} for ln in lines])
    if send:
        po.sent_at, po.status = utcnow(), "sent"
    db.session.commit()
    return po.id, po.number


def po_lines(po_id: int) -> dict[str, tuple[Decimal, Decimal, object]]:
    """item code -> (qty ordered, unit cost, required date) of the PO's lines, fresh from the database."""
    from plugins.purchase_order.models import PurchaseOrderLine

    db.session.expire_all()
    rows = db.session.scalars(sa.select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po_id)).all()
    return {ln.item.code: (ln.qty_ordered, ln.unit_cost, ln.required_date) for ln in rows}


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0
