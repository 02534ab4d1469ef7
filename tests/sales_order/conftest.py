"""Helpers for the sales order tests: options, ids of the demo master data, orders."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.db import db
from core.models import Item, Partner, StockLevel, Warehouse
from core.testing import apply_options


class SO:
    def __init__(self, app):
        self.app = app

    def opts(self, **values):
        with self.app.app_context():
            apply_options("sales_order", **values)

    def item(self, code) -> int:
        with self.app.app_context():
            return db.session.scalar(sa.select(Item.id).where(Item.code == code))

    def partner(self, number) -> int:
        with self.app.app_context():
            return db.session.scalar(sa.select(Partner.id).where(Partner.number == number))

    def warehouse(self, code="MAIN") -> int:
        with self.app.app_context():
            return db.session.scalar(sa.select(Warehouse.id).where(Warehouse.code == code))

    def stock(self, code, wh="MAIN") -> tuple[Decimal, Decimal]:
        with self.app.app_context():
            row = db.session.scalar(sa.select(StockLevel).join(Item).join(Warehouse)
                                    .where(Item.code == code, Warehouse.code == wh))
            return (row.on_hand, row.allocated) if row else (Decimal(0), Decimal(0))

    def set_stock(self, code, on_hand, wh="MAIN"):
        with self.app.app_context():
            from core.stock import locked_row

            row = locked_row(db.session.scalar(sa.select(Item.id).where(
                Item.code == code)), db.session.scalar(sa.select(Warehouse.id).where(Warehouse.code == wh)))
            row.on_hand = Decimal(str(on_hand))
            db.session.commit()

    def data(self, customer="C1000", lines=(("BOLT-10", "5"),), **header):
        from plugins.sales_order.services import LineInput, OrderInput

        items = {c: self.item(c) for c, *_ in lines}
        line_inputs = []
        for i, (code, qty, *rest) in enumerate(lines):
            extra = rest[0] if rest else {}
            line_inputs.append(LineInput(item_id=items[code], qty_ordered=Decimal(str(qty)), index=i, **extra))
        header.setdefault("warehouse_id", self.warehouse())
        return OrderInput(customer_id=self.partner(customer), lines=line_inputs, **header)

    def save(self, customer="C1000", lines=(("BOLT-10", "5"),), today=None, **header):
        """Save a new order; returns its id (commits)."""
        from plugins.sales_order.services import save_order

        data = self.data(customer, lines, **header)
        with self.app.app_context():
            order, warnings = save_order(data, today=today)
            db.session.commit()
            self.last_warnings = list(warnings)
            return order.id

    def order(self, order_id):
        """A detached snapshot dict of an order and its lines."""
        from plugins.sales_order.models import SalesOrder

        with self.app.app_context():
            o = db.session.get(SalesOrder, order_id)
            return {
                "number": o.number, "status": o.status, "hold_reason": o.hold_reason, "total": o.total,
                "ship_to": o.ship_to_address, "invoices": [i.number for i in o.invoices],
                "lines": [{k: getattr(line, k) for k in ("id", "line_no", "qty_ordered", "qty_to_ship",
                                                         "qty_backordered", "qty_shipped", "qty_allocated", "qty_reserved",
                                                         "line_value", "unit_price", "drop_ship", "vendor_id")}
                          for line in o.lines],
            }


@pytest.fixture
def so(app, demo) -> SO:
    return SO(app)
