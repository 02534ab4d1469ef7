"""The web pages: list (search, filters, constant queries), entry form, view, ship, back orders, purge."""

from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from core.db import db
from plugins.sales_order.models import SalesOrder, SalesOrderLine
from tests.sales_order.test_hooks import form_data


@pytest.fixture
def sales(client, so):
    client.login("sales")
    return client


def test_menu_and_status_words(sales, so):
    oid = so.save()
    page = sales.get("/sales-orders").get_data(as_text=True)
    assert 'data-endpoint="sales_order.index"' in page and ">Sales orders<" in page
    assert "Open order" in page and so.order(oid)["number"] in page
    assert "Open order" in sales.get(f"/sales-orders/{oid}").get_data(as_text=True)


def test_new_order_form_saves_three_lines(sales, so):
    assert sales.get("/sales-orders/new").status_code == 200
    resp = sales.post("/sales-orders/new", data=form_data(so, [("BOLT-10", "2"), ("DRILL-18V", "1"), ("GLOVES", "3")],
                                                          customer_po_number="WEB-1"))
    assert resp.status_code == 302
    with so.app.app_context():
        order = db.session.scalar(sa.select(SalesOrder))
        assert [line.item.code for line in order.lines] == ["BOLT-10", "DRILL-18V", "GLOVES"]
        assert order.customer_po_number == "WEB-1" and order.order_date == date(2026, 5, 4)


def test_form_errors_are_beside_fields_and_keep_input(sales, so):
    data = form_data(so, [("BOLT-10", "2"), ("DRILL-18V", "abc"), ("GLOVES", "0")], customer_po_number="KEEP-ME")
    data["lines-0-unit_price"] = "6.25"
    resp = sales.post("/sales-orders/new", data=data)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="error-lines-1-qty_ordered"' in page and 'value="abc"' in page
    assert "KEEP-ME" in page and 'value="6.25"' in page
    data["lines-1-qty_ordered"] = "1"
    resp = sales.post("/sales-orders/new", data=data)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="error-lines-2-qty_ordered"' in page and "cannot be zero" in page
    data["lines-2-qty_ordered"] = "4"
    assert sales.post("/sales-orders/new", data=data).status_code == 302


def test_edit_form_round_trip(sales, so):
    oid = so.save(lines=[("BOLT-10", "5"), ("GLOVES", "2")])
    page = sales.get(f"/sales-orders/{oid}/edit").get_data(as_text=True)
    assert 'name="lines-1-id"' in page
    o = so.order(oid)
    data = form_data(so, [("BOLT-10", "9")], order_date=date.today().isoformat())
    data["lines-0-id"] = str(o["lines"][0]["id"])
    assert sales.post(f"/sales-orders/{oid}/edit", data=data).status_code == 302
    o = so.order(oid)
    assert [(x["line_no"], x["qty_ordered"]) for x in o["lines"]] == [(1, 9)]


def test_readonly_can_look_but_not_write(client, so):
    oid = so.save()
    client.login("readonly")
    assert client.get("/sales-orders").status_code == 200
    assert client.get(f"/sales-orders/{oid}").status_code == 200
    assert client.get("/sales-orders/back-orders").status_code == 200
    assert client.get("/sales-orders/new").status_code == 403
    assert client.post(f"/sales-orders/{oid}/cancel").status_code == 403
    assert client.post("/sales-orders/purge").status_code == 403


def test_display_costs_option(sales, so):
    oid = so.save(lines=[("BOLT-10", "10")])
    assert "gross-profit" not in sales.get(f"/sales-orders/{oid}").get_data(as_text=True)
    so.opts(display_costs=True)
    page = sales.get(f"/sales-orders/{oid}").get_data(as_text=True)
    assert 'id="total-cost">42.00' in page and 'id="gross-profit">33.00' in page


def test_ship_page_and_backorder_release_page(sales, so):
    oid = so.save(lines=[("DRILL-18V", "15")])  # 12 to ship, 3 back order
    line_id = so.order(oid)["lines"][0]["id"]
    assert 'value="12"' in sales.get(f"/sales-orders/{oid}/ship").get_data(as_text=True)
    resp = sales.post(f"/sales-orders/{oid}/ship", data={f"ship-{line_id}": "99"})
    assert resp.status_code == 422 and "At most 12" in resp.get_data(as_text=True)
    resp = sales.post(f"/sales-orders/{oid}/ship", data={f"ship-{line_id}": "x"})
    assert resp.status_code == 422 and 'value="x"' in resp.get_data(as_text=True)
    resp = sales.post(f"/sales-orders/{oid}/ship", data={f"ship-{line_id}": "10"}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "Shipped: invoice 0000001" in page and "Open back order" in page
    # 5 back-ordered (3 short + 2 not shipped); 2 in stock
    page = sales.get("/sales-orders/back-orders").get_data(as_text=True)
    assert f'name="release-{line_id}"' in page and 'value="2"' in page
    resp = sales.post("/sales-orders/back-orders/release", data={f"release-{line_id}": "4"})
    assert resp.status_code == 422 and "Only 2" in resp.get_data(as_text=True)
    assert sales.post("/sales-orders/back-orders/release", data={f"release-{line_id}": "2"}).status_code == 302
    o = so.order(oid)
    assert o["status"] == "3" and (o["lines"][0]["qty_to_ship"], o["lines"][0]["qty_backordered"]) == (2, 3)


def test_status_actions_via_pages(sales, so, client):
    oid = so.save()
    sales.post(f"/sales-orders/{oid}/to-warehouse")
    assert so.order(oid)["status"] == "4"
    sales.post(f"/sales-orders/{oid}/release")
    assert so.order(oid)["status"] == "8"
    assert "Ready to invoice" in sales.get(f"/sales-orders/{oid}").get_data(as_text=True)


def _seed_orders(app, prefix: str, n: int, customer_id: int, warehouse_id: int, item_id: int) -> None:
    """Bulk-insert ``n`` orders of two lines each (fast, no ORM objects)."""
    with app.app_context():
        rows = [dict(number=f"{prefix}{i:06d}", customer_id=customer_id, customer_po_number=f"P{i}",
                     order_date=date(2026, 1, 1) + timedelta(days=i % 300), ship_to_address="", ship_to_manual=False,
                     ship_via="", fob="", confirm_to="", email="", warehouse_id=warehouse_id, order_type="O",
                     status="1", hold_reason="", margin_override=False, notes="",
                     created_at=datetime(2026, 1, 1), updated_at=datetime(2026, 1, 1)) for i in range(n)]
        db.session.execute(sa.insert(SalesOrder), rows)
        ids = db.session.scalars(sa.select(SalesOrder.id).where(SalesOrder.number.like(f"{prefix}%"))).all()
        db.session.execute(sa.insert(SalesOrderLine), [
            dict(order_id=oid, line_no=k, item_id=item_id, description="x", qty_ordered=D(2), qty_to_ship=D(0),
                 qty_backordered=D(0), qty_shipped=D(0), qty_allocated=D(0), unit_price=D(1), discount_pct=D(0),
                 warehouse_id=warehouse_id, drop_ship=False, unit_cost=D(0), line_value=D(2))
            for oid in ids for k in (1, 2)])
        db.session.commit()


def test_list_queries_constant_at_10_and_1000_orders(sales, so, count_queries, app):
    args = (so.partner("C1000"), so.warehouse(), so.item("BOLT-10"))
    counts = []
    for prefix, n in (("B", 10), ("C", 990)):  # 10 orders, then 1,000
        _seed_orders(app, prefix, n, *args)
        with count_queries() as c:
            resp = sales.get("/sales-orders?status=1&q=B0")
        assert resp.status_code == 200
        counts.append(c.count)
        with count_queries() as c:
            assert sales.get(f"/sales-orders?item={args[2]}&customer={args[0]}&date_from=2026-01-01").status_code == 200
        counts.append(c.count)
    assert counts[0] == counts[2] and counts[1] == counts[3]
    page = sales.get("/sales-orders?q=B000007").get_data(as_text=True)
    assert "B000007" in page and "B000008" not in page
    assert "1000 records" in sales.get("/sales-orders").get_data(as_text=True)
    assert "0 records" in sales.get("/sales-orders?date_to=2025-12-31").get_data(as_text=True)


@pytest.mark.parametrize("field,value", [("qty_ordered", "NaN"), ("qty_ordered", "1e30"), ("unit_price", "Infinity"),
                                         ("discount_pct", "-5"), ("item_id", "abc"), ("id", "999999"),
                                         ("unit_price", "99999999")])
def test_odd_input_gives_422_not_500(sales, so, field, value):
    data = form_data(so, [("BOLT-10", "2")])
    data[f"lines-0-{field}"] = value
    data["lines-0-qty_ordered"] = data["lines-0-qty_ordered"] if field != "qty_ordered" else value
    if field == "unit_price" and value == "99999999":
        data["lines-0-qty_ordered"] = "99999999"
    resp = sales.post("/sales-orders/new", data=data)
    assert resp.status_code == 422
    with so.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SalesOrder)) == 0


def test_odd_input_on_ship_and_release_pages(sales, so):
    oid = so.save(lines=[("DRILL-18V", "15")])
    line_id = so.order(oid)["lines"][0]["id"]
    for value in ("NaN", "1e40", "-1"):
        assert sales.post(f"/sales-orders/{oid}/ship", data={f"ship-{line_id}": value}).status_code == 422
        assert sales.post("/sales-orders/back-orders/release", data={f"release-{line_id}": value}).status_code == 422
    assert sales.get("/sales-orders?page=x&date_from=nope&customer=zz&item=-1").status_code == 200
    assert sales.get("/sales-orders/424242").status_code == 404
