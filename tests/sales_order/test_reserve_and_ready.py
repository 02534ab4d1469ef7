"""Reserved quantities on order lines: *Reserving stock required* / *Default ship status* at
entry, buy-to-order lines back-ordered at entry, and the clerk's release of what is ready
(order page button and the "back orders ready to release" list)."""

from decimal import Decimal as D

import pytest

from core.db import db
from core.options import options_for
from plugins.sales_order.models import SalesOrder
from plugins.sales_order.services import LineInput, OrderInput, release_reserved, save_order, ship_order


def _line(so, oid, n=0):
    return so.order(oid)["lines"][n]


def _buckets(line):
    return line["qty_to_ship"], line["qty_reserved"], line["qty_backordered"], line["qty_allocated"]


def test_default_ship_status_reserve_holds_the_stock_without_putting_it_to_ship(so):
    so.opts(reserve_stock=True, default_ship_status="reserve")
    so.set_stock("BOLT-10", 6)
    oid = so.save(lines=[("BOLT-10", "10")])
    assert _buckets(_line(so, oid)) == (0, 6, 4, 6)
    assert so.stock("BOLT-10") == (D(6), D(6))  # nobody else can take it


def test_default_ship_status_ship_puts_available_stock_to_ship(so):
    so.opts(reserve_stock=True, default_ship_status="ship")
    so.set_stock("BOLT-10", 6)
    oid = so.save(lines=[("BOLT-10", "10")])
    assert _buckets(_line(so, oid)) == (6, 0, 4, 6)


def test_default_ship_status_is_available_only_when_reserving_stock_is_required(so):
    so.opts(default_ship_status="reserve")  # stored, but reserving stock is not required
    with so.app.app_context():
        assert options_for("sales_order")["default_ship_status"] == "ship"
    oid = so.save(lines=[("BOLT-10", "3")])
    assert _buckets(_line(so, oid)) == (3, 0, 0, 3)


def test_reducing_a_reserved_line_lets_the_stock_go(so):
    so.opts(reserve_stock=True, default_ship_status="reserve")
    so.set_stock("BOLT-10", 6)
    oid = so.save(lines=[("BOLT-10", "10")])
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        line = order.lines[0]
        save_order(OrderInput(customer_id=order.customer_id, warehouse_id=order.warehouse_id,
                              order_date=order.order_date,
                              lines=[LineInput(id=line.id, item_id=line.item_id, qty_ordered=D("3"))]), order)
        db.session.commit()
    assert _buckets(_line(so, oid)) == (0, 3, 0, 3)  # back order first, then reserved
    assert so.stock("BOLT-10") == (D(6), D(3))


def test_reserved_quantity_cannot_be_shipped_until_released(so, client):
    so.opts(reserve_stock=True, default_ship_status="reserve")
    oid = so.save(lines=[("BOLT-10", "5")])
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        from core.errors import ValidationError

        with pytest.raises(ValidationError):
            ship_order(order, {order.lines[0].id: D("5")})
        db.session.rollback()
    client.login("sales")
    resp = client.post(f"/sales-orders/ready/order/{oid}", data={})
    assert resp.status_code == 302
    assert _buckets(_line(so, oid)) == (5, 0, 0, 5)
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        ship_order(order, {order.lines[0].id: D("5")})
        db.session.commit()
    assert so.stock("BOLT-10") == (D(395), D(0))


def test_ready_list_filters_and_releases_part(so, client):
    so.opts(reserve_stock=True, default_ship_status="reserve")
    first = so.save(lines=[("BOLT-10", "5")])
    second = so.save(customer="C1002", lines=[("GLOVES", "4")])
    client.login("sales")
    page = client.get("/sales-orders/ready").get_data(as_text=True)
    assert so.order(first)["number"] in page and so.order(second)["number"] in page
    page = client.get("/sales-orders/ready?item=GLOV").get_data(as_text=True)
    assert so.order(first)["number"] not in page and so.order(second)["number"] in page
    page = client.get(f"/sales-orders/ready?q={so.order(first)['number']}").get_data(as_text=True)
    assert so.order(first)["number"] in page and so.order(second)["number"] not in page
    line_id = _line(so, first)["id"]
    resp = client.post("/sales-orders/ready/release", data={f"release-{line_id}": "2"})
    assert resp.status_code == 302
    assert _buckets(_line(so, first)) == (2, 3, 0, 5)
    resp = client.post("/sales-orders/ready/release", data={f"release-{line_id}": "9"})
    assert resp.status_code == 422 and "Release between 0 and 3" in resp.get_data(as_text=True)
    assert _buckets(_line(so, first)) == (2, 3, 0, 5)  # refused: nothing kept


def test_ready_release_needs_a_sales_clerk(so, client):
    so.opts(reserve_stock=True, default_ship_status="reserve")
    oid = so.save(lines=[("BOLT-10", "5")])
    client.login("purchasing")
    assert client.post(f"/sales-orders/ready/order/{oid}", data={}).status_code == 403
    assert _buckets(_line(so, oid)) == (0, 5, 0, 5)


def test_buy_to_order_line_waits_on_back_order_from_entry(so):
    oid = so.save(lines=[("SAW-TABLE", "2"), ("DESK-OAK", "1")])
    saw, desk = so.order(oid)["lines"]
    assert (saw["qty_to_ship"], saw["qty_backordered"]) == (0, 2)  # nothing to ship before the goods arrive
    assert (desk["qty_to_ship"], desk["qty_backordered"]) == (0, 1)  # drop ship: waits for the vendor's delivery
    assert so.stock("SAW-TABLE") == (D(0), D(0))


def test_buy_to_order_line_goes_to_ship_when_back_orders_are_not_required(so):
    so.opts(back_orders="not_required")
    oid = so.save(lines=[("SAW-TABLE", "2")])
    line = _line(so, oid)
    assert (line["qty_to_ship"], line["qty_backordered"]) == (2, 0)


def test_reserved_quantity_survives_a_partial_invoice(so):
    so.opts(reserve_stock=True, default_ship_status="reserve")
    oid = so.save(lines=[("BOLT-10", "5"), ("GLOVES", "2")])
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        release_reserved(order.lines[1], D("2"))
        ship_order(order, {order.lines[1].id: D("2")})
        db.session.commit()
    o = so.order(oid)
    assert _buckets(o["lines"][0]) == (0, 5, 0, 5) and o["status"] == "2"  # still held, order stays open
