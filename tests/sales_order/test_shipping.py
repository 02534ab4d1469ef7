"""Shipping and invoicing, back orders by option, release, cancel and complete."""

from decimal import Decimal as D

import pytest

from core.db import db
from core.errors import ValidationError
from plugins.sales_order.models import SalesOrder, SalesOrderLine
from plugins.sales_order.services import (
    cancel_order,
    complete_order,
    release_backorder,
    ship_order,
)


def ship(so, oid, by_line_no: dict):
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        q = {line.id: D(str(by_line_no[line.line_no])) for line in order.lines if line.line_no in by_line_no}
        invoice, _warnings = ship_order(order, q)
        db.session.commit()
        return invoice.number, invoice.total


def on_order(so, oid, action) -> None:
    """``action(order)`` on the stored order, committed."""
    with so.app.app_context():
        action(db.session.get(SalesOrder, oid))
        db.session.commit()


def test_partial_ship_makes_invoice_and_back_order_manual(so):
    oid = so.save(lines=[("BOLT-10", "20"), ("GLOVES", "10")])
    number, total = ship(so, oid, {1: 8, 2: 10})
    assert number == "0000001" and total == D("60.00") + D("58.04")
    o = so.order(oid)
    assert o["status"] == "2" and o["invoices"] == ["0000001"]
    bolt, gloves = o["lines"]
    assert (bolt["qty_shipped"], bolt["qty_to_ship"], bolt["qty_backordered"], bolt["qty_allocated"]) == (8, 0, 12, 0)
    assert gloves["qty_backordered"] == 0
    assert so.stock("BOLT-10") == (D(392), D(0))
    # release the back order (manual): status 3, then ship the rest: complete
    with so.app.app_context():
        release_backorder(db.session.get(SalesOrderLine, bolt["id"]), D("12"))
        db.session.commit()
    assert so.order(oid)["status"] == "3"
    ship(so, oid, {1: 12})
    assert so.order(oid)["status"] == "9"
    assert so.stock("BOLT-10") == (D(380), D(0))


@pytest.mark.parametrize("back_orders,status,to_ship", [
    ("not_required", "9", 0),  # the rest is dropped: the order completes
    ("automatic", "3", 15),  # stock allows: the rest moves to ship at once
])
def test_back_orders_option_decides_what_happens_to_the_rest(so, back_orders, status, to_ship):
    so.opts(back_orders=back_orders)
    oid = so.save(lines=[("BOLT-10", "20")])
    ship(so, oid, {1: 5})
    o = so.order(oid)
    assert o["status"] == status
    assert (o["lines"][0]["qty_to_ship"], o["lines"][0]["qty_backordered"]) == (to_ship, 0)
    assert so.stock("BOLT-10") == (D(395), D(to_ship))


def receive_one(so, oid):
    """A buy-to-order line waits on back order from entry; one arrives and is released to ship."""
    line = so.order(oid)["lines"][0]
    assert (line["qty_to_ship"], line["qty_backordered"]) == (0, 3)  # nothing to ship before the goods
    on_order(so, oid, lambda order: release_backorder(order.lines[0], D("1")))


@pytest.mark.parametrize("action,attached,released", [
    ("always", False, True), ("never", False, False), ("if_unattached", False, True), ("if_unattached", True, False)])
def test_non_stocked_action(so, action, attached, released):
    so.opts(back_orders="automatic", non_stocked_action=action)
    oid = so.save(lines=[("SAW-TABLE", "3")])
    if attached:  # a purchase order serves the line (po_generation answers sales_order_line_supply)
        from plugins.po_generation.generation import generate_for_order

        with so.app.app_context():
            generate_for_order(oid)
            db.session.commit()
    receive_one(so, oid)
    ship(so, oid, {1: 1})
    line = so.order(oid)["lines"][0]
    assert (line["qty_to_ship"], line["qty_backordered"]) == ((2, 0) if released else (0, 2))


def test_non_stocked_action_ignored_unless_automatic(so):
    so.opts(back_orders="manual", non_stocked_action="always")
    oid = so.save(lines=[("SAW-TABLE", "3")])
    receive_one(so, oid)
    ship(so, oid, {1: 1})
    assert so.order(oid)["lines"][0]["qty_backordered"] == 2


def test_ship_refuses_more_than_available(so):
    oid = so.save(lines=[("DRILL-18V", "15")])
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        with pytest.raises(ValidationError) as exc:
            ship_order(order, {order.lines[0].id: D("13")})
        db.session.rollback()
    assert exc.value.field.startswith("ship-")


def test_order_number_moved_to_invoice_number(so):
    so.opts(order_no_to_invoice=True)
    oid = so.save(lines=[("BOLT-10", "20")])
    first, _ = ship(so, oid, {1: 5})
    assert first == so.order(oid)["number"]
    on_order(so, oid, lambda order: release_backorder(order.lines[0], D("15")))
    second, _ = ship(so, oid, {1: 15})
    assert second != first


def test_cancel_releases_stock_and_invoiced_orders_need_the_option(so):
    oid = so.save(lines=[("BOLT-10", "20")])
    on_order(so, oid, cancel_order)
    assert so.order(oid)["status"] == "*" and so.stock("BOLT-10")[1] == 0

    oid = so.save(lines=[("BOLT-10", "20")])
    ship(so, oid, {1: 5})
    with so.app.app_context():
        with pytest.raises(ValidationError) as exc:
            cancel_order(db.session.get(SalesOrder, oid))
        db.session.rollback()
    assert "set to complete" in exc.value.message
    so.opts(cancel_invoiced=True)
    on_order(so, oid, cancel_order)
    assert so.order(oid)["status"] == "*"


def test_complete_releases_allocation(so):
    oid = so.save(lines=[("BOLT-10", "20")])
    on_order(so, oid, complete_order)
    assert so.order(oid)["status"] == "9" and so.stock("BOLT-10")[1] == 0
