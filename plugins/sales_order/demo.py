"""Demonstration sales orders, saved through the same service as the order form."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import sqlalchemy as sa

from core.db import db
from core.models import Item, Partner, Warehouse

from .services import LineInput, OrderInput, save_order


def add_demo_orders(session) -> None:
    items = {i.code: i.id for i in session.scalars(sa.select(Item))}
    customers = {p.number: p.id for p in session.scalars(sa.select(Partner).where(Partner.is_customer))}
    main = session.scalar(sa.select(Warehouse.id).where(Warehouse.code == "MAIN"))
    if not items or not customers or main is None:
        return
    today = date.today()
    orders = [
        ("C1000", "ACME-4411", [("BOLT-10", "20"), ("DRILL-18V", "2"), ("GLOVES", "6")]),
        ("C1000", "ACME-4412", [("DRILL-18V", "14"), ("SAW-TABLE", "1")]),
        ("C1002", "CAFE-17", [("DESK-OAK", "2"), ("LADDER-8", "1")]),
    ]
    for customer, po, lines in orders:
        if customer not in customers:
            continue
        data = OrderInput(customer_id=customers[customer], warehouse_id=main, order_date=today - timedelta(days=2),
                          customer_po_number=po, notes="Demo order",
                          lines=[LineInput(item_id=items[c], qty_ordered=D(q), index=i)
                                 for i, (c, q) in enumerate(lines) if c in items])
        save_order(data, today=today)
    db.session.flush()
