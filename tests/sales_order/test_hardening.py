"""Issue 9, sales orders: each test reproduces a fault of the landed code (both databases)."""

from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError
from core.models import Item
from plugins.sales_order.models import SalesOrder
from plugins.sales_order.rules import MAX_LINES
from plugins.sales_order.services import LineInput, save_order, ship_order
from tests.sales_order.test_hooks import count, form_data


def refusal(so, **kw) -> list[tuple[str | None, str]]:
    data = so.data(**kw)
    with so.app.app_context():
        with pytest.raises(ValidationError) as exc:
            save_order(data)
        db.session.rollback()
    return exc.value.errors


def line_id(so, oid, line_no=1) -> int:
    return so.order(oid)["lines"][line_no - 1]["id"]


# -- 14: the invoice-time credit check puts the order in suspense, and that is kept -------------------


def test_invoice_credit_check_keeps_the_hold_then_authorise_and_ship(so, client):
    so.opts(check_credit_limit=True, credit_current_only=True)
    oid = so.save(customer="C1001", lines=[("BOLT-10", "300")])  # 2,250 on a balance of 8,500 of 10,000
    lid = line_id(so, oid)
    client.login("sales")
    resp = client.post(f"/sales-orders/{oid}/ship", data={f"ship-{lid}": "300"}, follow_redirects=True)
    assert resp.status_code == 200 and "now in suspense" in resp.get_data(as_text=True)
    o = so.order(oid)
    assert o["status"] == "S" and "exceeded" in o["hold_reason"] and o["invoices"] == []
    client.login("admin")
    assert client.post(f"/sales-orders/{oid}/authorise").status_code == 302
    assert so.order(oid)["status"] == "1"
    assert client.post(f"/sales-orders/{oid}/ship", data={f"ship-{lid}": "300"}).status_code == 302
    o = so.order(oid)
    assert len(o["invoices"]) == 1 and o["status"] == "9"


# -- 15: a used-up number range is a message on the form; the setup page still saves ------------------


def _options_form(so) -> dict[str, str]:
    """The sales order setup page as a browser posts it (unticked boxes are not sent)."""
    from core.options import registry

    with so.app.app_context():
        current = registry().current("sales_order")
    data = {}
    for key, value in current.items():
        if isinstance(value, bool):
            if value:
                data[key] = "y"
        else:
            data[key] = str(value)
    return data


def test_exhausted_credit_note_range_is_a_form_message_and_options_stay_usable(so, client):
    so.opts(next_credit_note=899999)
    client.login("sales")
    assert client.post("/sales-orders/new", data=form_data(so, [("BOLT-10", "1")], order_type="C")).status_code == 302
    resp = client.post("/sales-orders/new", data=form_data(so, [("BOLT-10", "1")], order_type="C",
                                                          customer_po_number="TYPED-PO"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "No credit note numbers are left" in page and "899999" in page
    assert 'value="TYPED-PO"' in page  # nothing typed is lost
    assert count(so.app, SalesOrder) == 1
    client.login("admin")
    resp = client.post("/admin/options/sales_order", data={**_options_form(so), "display_costs": "y"})
    assert resp.status_code == 302
    with so.app.app_context():
        from core.options import options_for

        assert options_for("sales_order")["display_costs"] is True
    so.opts(next_credit_note=800000)  # the administrator restarts the range: used numbers are skipped
    client.login("sales")
    assert client.post("/sales-orders/new", data=form_data(so, [("BOLT-10", "1")], order_type="C")).status_code == 302


# -- 16: with *Cancel open order previously invoiced* off, an invoiced order keeps its lines ---------


def test_invoiced_order_lines_cannot_be_removed_unless_the_option_allows(so):
    oid = so.save(lines=[("BOLT-10", "20"), ("GLOVES", "10")])
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        ship_order(order, {order.lines[0].id: D("5")})
        db.session.commit()

    data = so.data(lines=[("BOLT-10", "20", {"id": line_id(so, oid)})])  # the gloves line left out

    def drop_gloves():
        with so.app.app_context():
            order = db.session.get(SalesOrder, oid)
            data.order_date = order.order_date
            save_order(data, order)
            db.session.commit()

    with pytest.raises(ValidationError) as exc:
        drop_gloves()
    assert exc.value.field == "lines" and "has been invoiced" in exc.value.message
    assert len(so.order(oid)["lines"]) == 2
    so.opts(cancel_invoiced=True)
    drop_gloves()
    assert len(so.order(oid)["lines"]) == 1


# -- 17: shipping a negative stocked line returns the goods to stock -----------------------------------


def test_negative_stocked_line_puts_stock_back_when_shipped(so):
    so.opts(allow_negative_qty=True)
    before = so.stock("BOLT-10")[0]
    oid = so.save(lines=[("BOLT-10", "-2")])
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        ship_order(order, {order.lines[0].id: D("-2")})
        db.session.commit()
    assert so.stock("BOLT-10")[0] == before + 2
    assert so.order(oid)["lines"][0]["qty_shipped"] == D("-2")


# -- 18: invoicing one line leaves the other lines' reservations alone ---------------------------------


def test_shipping_one_line_keeps_the_other_lines_allocation(so):
    oid = so.save(lines=[("BOLT-10", "20"), ("DRILL-18V", "10")])
    assert so.stock("DRILL-18V")[1] == 10
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        ship_order(order, {order.lines[0].id: D("5")})  # part of the bolts only
        db.session.commit()
    bolt, drill = so.order(oid)["lines"]
    assert (drill["qty_allocated"], drill["qty_to_ship"], drill["qty_backordered"]) == (10, 10, 0)
    assert so.stock("DRILL-18V")[1] == 10
    assert (bolt["qty_to_ship"], bolt["qty_backordered"], bolt["qty_allocated"]) == (0, 15, 0)  # manual back order
    assert so.order(oid)["status"] == "2"
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        ship_order(order, {order.lines[1].id: D("10")})
        db.session.commit()
    assert so.order(oid)["status"] == "2"  # the bolts are still on back order


# -- 21: a line's vendor must be a vendor, its item active, its ids real -------------------------------


def test_customer_as_line_vendor_is_refused(so):
    errors = refusal(so, lines=[("SAW-TABLE", "1", {"vendor_id": so.partner("C1002")})])
    assert [f for f, _ in errors] == ["lines-0-vendor_id"]


def test_inactive_item_is_refused_on_a_new_line(so):
    with so.app.app_context():
        db.session.execute(sa.update(Item).where(Item.code == "GLOVES").values(active=False))
        db.session.commit()
    errors = refusal(so, lines=[("BOLT-10", "1"), ("GLOVES", "1")])
    assert errors == [("lines-1-item_id", "Item GLOVES is inactive: choose another item.")]


@pytest.mark.parametrize("name", ["warehouse_id", "vendor_id"])
def test_unknown_line_warehouse_or_vendor_is_a_field_error_not_a_500(so, client, name):
    client.login("sales")
    data = {**form_data(so, [("BOLT-10", "2")]), f"lines-0-{name}": "987654"}
    resp = client.post("/sales-orders/new", data=data)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="error-lines-0-' + name + '"' in page
    assert count(so.app, SalesOrder) == 0


# -- 22: more decimals than the quantity column keeps are refused ----------------------------------


def test_quantity_below_the_column_precision_is_refused(so):
    errors = refusal(so, lines=[("BOLT-10", "0.00001")])
    assert errors == [("lines-0-qty_ordered", "Use at most 4 decimal places.")]
    errors = refusal(so, lines=[("BOLT-10", "1e30")])
    assert errors[0][0] == "lines-0-qty_ordered" and "at most" in errors[0][1]


@pytest.mark.parametrize("typed", ["1e-20", "0.00001", "Infinity", "99999999999999999999999999999999"])
def test_ship_quantity_out_of_the_column_is_refused_beside_the_line(so, client, typed):
    oid = so.save(lines=[("BOLT-10", "5")])
    lid = line_id(so, oid)
    client.login("sales")
    resp = client.post(f"/sales-orders/{oid}/ship", data={f"ship-{lid}": typed})
    assert resp.status_code == 422 and '<p class="error">' in resp.get_data(as_text=True)
    assert so.order(oid)["invoices"] == [] and so.stock("BOLT-10")[1] == 5


def test_release_quantity_below_the_column_precision_is_refused(so, client):
    oid = so.save(lines=[("DRILL-18V", "15")])  # 3 back-ordered
    lid = line_id(so, oid)
    client.login("sales")
    resp = client.post("/sales-orders/back-orders/release", data={f"release-{lid}": "0.00001"})
    assert resp.status_code == 422 and "Use at most 4 decimal places." in resp.get_data(as_text=True)
    assert so.order(oid)["lines"][0]["qty_backordered"] == 3


# -- 24: the duplicate customer PO check ignores case ------------------------------------------------


def test_duplicate_customer_po_is_found_whatever_the_case(so):
    so.opts(dup_po_validation="customer", dup_po_action="prevent")
    so.save(customer_po_number="UNIQUE-1")
    errors = refusal(so, customer_po_number="unique-1")
    assert errors[0][0] == "customer_po_number" and "already used" in errors[0][1]


# -- a document with thousands of lines --------------------------------------------------------------


def test_line_limit_refuses_a_larger_order_with_a_clear_message(so):
    data = so.data()
    data.lines = [LineInput(item_id=data.lines[0].item_id, qty_ordered=D(1), index=i) for i in range(MAX_LINES + 1)]
    with so.app.app_context():
        with pytest.raises(ValidationError) as exc:
            save_order(data)
        db.session.rollback()
    assert exc.value.field == "lines" and f"at most {MAX_LINES} lines" in exc.value.message


def test_line_limit_message_is_shown_beside_the_lines(so, client):
    client.login("sales")
    page = client.get("/sales-orders/new").get_data(as_text=True)
    assert f"at most {MAX_LINES} lines" in page
    resp = client.post("/sales-orders/new", data=form_data(so, [("BOLT-10", "1")] * (MAX_LINES + 1)))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="error-lines"' in page and f"this one has {MAX_LINES + 1}" in page
    assert count(so.app, SalesOrder) == 0


# -- list filters go through core.parsing: hostile values match nothing instead of failing ------------


@pytest.mark.parametrize("query", ["customer=99999999999999999999", "item=%C2%B2",
                                   "customer=%C2%B2&date_from=%C2%B2"])
def test_list_filters_with_hostile_values_answer_200(so, client, query):
    so.save()
    client.login("readonly")
    assert client.get(f"/sales-orders?{query}").status_code == 200


def test_list_search_with_a_nul_byte_is_a_clear_400(so, client):
    client.login("readonly")
    resp = client.get("/sales-orders?q=a%00b")
    assert resp.status_code == 400 and "NUL" in resp.get_data(as_text=True)
