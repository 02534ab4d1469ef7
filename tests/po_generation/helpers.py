"""Shared helpers for the po_generation tests."""

from decimal import Decimal
from functools import partial

import sqlalchemy as sa

from core.db import db
from core.models import Item, Partner
from core.testing import apply_options


def ids(model, col, *codes):
    return [db.session.scalar(sa.select(model.id).where(col == c)) for c in codes]


def item(code):
    return db.session.scalar(sa.select(Item).where(Item.code == code))


def partner(number):
    return db.session.scalar(sa.select(Partner).where(Partner.number == number))


set_options = partial(apply_options, "po_generation")  # the testing kit's option setter


def make_order(lines, customer="C1000", number="", **header):
    """Save a sales order through the sales_order plugin; lines: (item code, qty[, extra dict])."""
    from plugins.sales_order.services import LineInput, OrderInput, save_order

    inputs = []
    for i, spec in enumerate(lines):
        code, qty, *extra = spec
        inputs.append(LineInput(item_id=item(code).id, qty_ordered=Decimal(str(qty)), index=i, **(extra[0] if extra else {})))
    from core.models import Warehouse

    header.setdefault("warehouse_id", db.session.scalar(sa.select(Warehouse.id).where(Warehouse.code == "MAIN")))
    data = OrderInput(customer_id=partner(customer).id, lines=inputs, number=number, **header)
    order, _msgs = save_order(data)
    db.session.commit()
    return order


STANDARD_MIX = [("BOLT-10", 2), ("SAW-TABLE", 1), ("LADDER-8", 3), ("DESK-OAK", 1)]


def so_form(app, lines, **header):
    """The sales-order form's real fields (plugins/sales_order/forms.py OrderForm / LineForm)."""
    from core.models import Warehouse

    with app.app_context():
        data = {"customer_id": str(db.session.scalar(sa.select(Partner.id).where(Partner.number == "C1000"))),
                "warehouse_id": str(db.session.scalar(sa.select(Warehouse.id).where(Warehouse.code == "MAIN"))),
                "order_type": "O", "order_date": "2026-05-04", **header}
        for i, (code, qty) in enumerate(lines):
            data[f"lines-{i}-item_id"] = str(db.session.scalar(sa.select(Item.id).where(Item.code == code)))
            data[f"lines-{i}-qty_ordered"] = qty
    return data
