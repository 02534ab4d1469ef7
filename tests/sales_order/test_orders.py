"""Saving orders: defaults, stock allocation, back orders, numbering and the General options."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError
from core.models import Partner
from plugins.sales_order.models import SalesOrder
from plugins.sales_order.services import save_order


def refused(so, **kw) -> list:
    data = so.data(**kw)
    with so.app.app_context():
        with pytest.raises(ValidationError) as exc:
            save_order(data)
        db.session.rollback()
    return exc.value.errors  # [(field, message)]


def test_save_defaults_from_customer_and_item_and_allocates_stock(so):
    oid = so.save(lines=[("BOLT-10", "20"), ("DESK-OAK", "1")])
    o = so.order(oid)
    assert o["status"] == "1" and o["number"] == "0100001"
    bolt, desk = o["lines"]
    assert bolt["unit_price"] == D("7.5") and bolt["line_value"] == D("150.00")
    assert bolt["qty_allocated"] == 20 and bolt["qty_to_ship"] == 20 and bolt["qty_backordered"] == 0
    assert desk["drop_ship"] is True and desk["vendor_id"] == so.partner("V2002") and desk["qty_allocated"] == 0
    assert o["ship_to"].startswith("Acme Hardware")
    assert so.stock("BOLT-10") == (D(400), D(20))
    assert o["total"] == D("539.00")


def test_shortage_is_back_ordered_with_manual_or_automatic(so):
    oid = so.save(lines=[("DRILL-18V", "15")])  # 12 in stock
    line = so.order(oid)["lines"][0]
    assert (line["qty_to_ship"], line["qty_backordered"], line["qty_allocated"]) == (12, 3, 12)


def test_shortage_not_back_ordered_when_not_required(so):
    so.opts(back_orders="not_required")
    oid = so.save(lines=[("DRILL-18V", "15")])
    line = so.order(oid)["lines"][0]
    assert (line["qty_to_ship"], line["qty_backordered"]) == (12, 0)
    assert any("back orders are not required" in w for w in so.last_warnings)


def test_edit_changes_allocation_and_reports_changes(so):
    from plugins.sales_order.services import LineInput, OrderInput

    oid = so.save(lines=[("BOLT-10", "20"), ("GLOVES", "5")])
    drill = so.item("DRILL-18V")
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        bolt, gloves = order.lines
        data = OrderInput(customer_id=order.customer_id, warehouse_id=order.warehouse_id, order_date=order.order_date,
                          lines=[LineInput(id=bolt.id, item_id=bolt.item_id, qty_ordered=D("5"), index=0),
                                 LineInput(item_id=drill, qty_ordered=D("2"), index=1)])
        save_order(data, order)
        db.session.commit()
    o = so.order(oid)
    assert [(x["line_no"], x["qty_allocated"]) for x in o["lines"]] == [(1, 5), (3, 2)]
    assert so.stock("BOLT-10")[1] == 5 and so.stock("GLOVES")[1] == 0 and so.stock("DRILL-18V")[1] == 2


def test_validation_errors_name_their_fields(so):
    msgs = refused(so, lines=[("BOLT-10", "0")])
    assert [field for field, _ in msgs] == ["lines-0-qty_ordered"]
    msgs = refused(so, customer="V2000")
    assert "customer_id" in [field for field, _ in msgs]


def test_negative_quantities_option(so):
    msgs = refused(so, lines=[("BOLT-10", "-2")])
    assert "Negative quantities are not allowed" in msgs[0][1]
    so.opts(allow_negative_qty=True)
    oid = so.save(lines=[("BOLT-10", "-2")])
    line = so.order(oid)["lines"][0]
    assert line["line_value"] == D("-15.00") and line["qty_allocated"] == 0


def test_zero_cost_warning_and_ignore_option(so):
    with so.app.app_context():
        db.session.execute(sa.text("UPDATE core_item SET unit_cost = 0 WHERE code = 'GLOVES'"))
        db.session.commit()
    so.save(lines=[("GLOVES", "1")])
    assert any("zero cost" in w for w in so.last_warnings)
    so.opts(ignore_zero_cost=True)
    so.save(lines=[("GLOVES", "1")])
    assert not any("zero cost" in w for w in so.last_warnings)


@pytest.mark.parametrize("scope", ["customer", "company"])
def test_duplicate_customer_po_numbers(so, scope):
    so.save(customer_po_number="PO-1")
    so.save(customer_po_number="PO-1")  # no validation by default
    so.opts(dup_po_validation=scope)
    so.save(customer_po_number="PO-1")
    assert any("already used" in w for w in so.last_warnings)  # warning is the default
    so.save(customer="C1002", customer_po_number="PO-1")
    assert any("already used" in w for w in so.last_warnings) == (scope == "company")
    so.opts(dup_po_action="prevent")
    msgs = refused(so, customer_po_number="PO-1")
    assert msgs[0][0] == "customer_po_number"
    if scope == "customer":
        so.save(customer="C1001", customer_po_number="PO-1")
    else:
        assert refused(so, customer="C1001", customer_po_number="PO-1")


def test_scheduled_orders_allocated_only_inside_the_window(so):
    from plugins.sales_order.services import allocate_scheduled

    # dates from today: changing the window re-evaluates forward orders against today (issue 16)
    ordered = date.today()
    ship = ordered + timedelta(days=3)
    oid = so.save(lines=[("BOLT-10", "10")], order_date=ordered, requested_ship_date=ship)  # 15 days
    assert so.order(oid)["status"] == "1" and so.order(oid)["lines"][0]["qty_allocated"] == 10
    for days in (2, 3):
        so.opts(scheduled_days=days)
        fid = so.save(lines=[("BOLT-10", "10")], order_date=ordered, requested_ship_date=ship)
        o = so.order(fid)
        assert o["status"] == "F" and o["lines"][0]["qty_allocated"] == 0
    with so.app.app_context():  # the Scheduled Order Allocation program, run the next day
        done = allocate_scheduled(ordered + timedelta(days=1))
        db.session.commit()
        assert len(done) == 2
    assert so.order(fid)["status"] == "1" and so.order(fid)["lines"][0]["qty_allocated"] == 10


def test_manual_numbering(so):
    so.opts(order_numbering="manual")
    msgs = refused(so)
    assert msgs[0][0] == "number"
    oid = so.save(number="M-1")
    assert so.order(oid)["number"] == "M-1"
    assert refused(so, number="M-1")[0][0] == "number"


def test_automatic_numbering_sequences_credit_and_debit_notes(so):
    so.opts(next_sales_order=555, next_credit_note=800100, next_debit_note=900200)
    assert so.order(so.save())["number"] == "0000555"
    assert so.order(so.save())["number"] == "0000556"
    assert so.order(so.save(order_type="C"))["number"] == "800100"
    assert so.order(so.save(order_type="D"))["number"] == "900200"
    from core.options import OptionError, coerce
    from plugins.sales_order.options import OPTIONS

    credit = next(o for o in OPTIONS if o.key == "next_credit_note")
    with pytest.raises(OptionError):
        coerce(credit, 900000)


def test_fix_ship_address_option(so, client):
    so.opts(fix_ship_address=False)
    follows = so.save()
    typed = so.save(ship_to_address="Dock 4\nSomewhere")
    client.login("sales")
    with so.app.app_context():
        acme = db.session.get(Partner, so.partner("C1000"))
        form = {k: getattr(acme, k) for k in ("number", "name", "email", "ship_via", "fob", "bill_to_address")}
    form.update(is_customer="y", ship_to_address="New Acme Yard\n1 Road", credit_limit="50000", terms_days="30")
    assert client.post(f"/partners/{so.partner('C1000')}", data=form).status_code == 302
    assert so.order(follows)["ship_to"] == "New Acme Yard\n1 Road"
    assert so.order(typed)["ship_to"] == "Dock 4\nSomewhere"
    so.opts(fix_ship_address=True)
    form["ship_to_address"] = "Third address"
    assert client.post(f"/partners/{so.partner('C1000')}", data=form).status_code == 302
    assert so.order(follows)["ship_to"] == "New Acme Yard\n1 Road"


def test_today_default_order_date(so):
    oid = so.save(today=date.today() - timedelta(days=1))
    with so.app.app_context():
        assert db.session.get(SalesOrder, oid).order_date == date.today() - timedelta(days=1)
