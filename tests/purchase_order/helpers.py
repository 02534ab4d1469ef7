"""Helpers for the purchase_order tests (call inside an app context)."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import sqlalchemy as sa

from core.db import db
from core.models import Item, Partner, StockLevel, Warehouse
from core.testing import apply_options

set_options = partial(apply_options, "purchase_order")  # the testing kit's option setter


def ids() -> dict:
    vendors = {p.number: p.id for p in db.session.scalars(sa.select(Partner))}
    items = {i.code: i.id for i in db.session.scalars(sa.select(Item))}
    whs = {w.code: w.id for w in db.session.scalars(sa.select(Warehouse))}
    return {**vendors, **items, **whs}


def make_po(lines=(("BOLT-10", 100, "0.25"),), vendor="V2000", commit=True, **header):
    from plugins.purchase_order.services import create_purchase_order

    k = ids()
    po = create_purchase_order(
        vendor_id=k[vendor], order_type=header.pop("order_type", "S"),
        lines=[{"item_id": k[c], "qty_ordered": Decimal(str(q)), "unit_cost": None if cost is None else Decimal(cost)}
               for c, q, cost in lines],
        **header,
    )
    if commit:
        db.session.commit()
    return po


def on_hand(code: str, wh: str = "MAIN") -> Decimal:
    k = ids()
    row = db.session.scalars(sa.select(StockLevel).where(StockLevel.item_id == k[code],
                                                          StockLevel.warehouse_id == k[wh])).one_or_none()
    return Decimal(row.on_hand) if row else Decimal("0")
