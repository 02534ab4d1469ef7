"""Issue 9 on the purchase side: numbers in use, quantity precision, line limit, phantom stock, hostile filters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError
from core.options import options_for
from plugins.purchase_order import options as po_options
from plugins.purchase_order import services as svc
from plugins.purchase_order.common import MAX_LINES
from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderLine, Receipt

from .helpers import ids, make_po, on_hand, set_options

D = Decimal


def _buyer(client):
    client.login("purchasing")


def _entry(k, rows: int = 1, **extra) -> dict:
    data = {"vendor_id": str(k["V2000"]), "order_type": "S", "order_date": "2026-03-01", "number": ""}
    for i in range(rows):
        data.update({f"lines-{i}-id": "", f"lines-{i}-item": "BOLT-10", f"lines-{i}-qty_ordered": "1"})
    data.update(extra)
    return data


def test_manual_entry_skips_an_automatic_number_already_used(client, demo, app):
    """9.6: next number 100022 while PO 0100022 (from SO 0100022) exists: entry takes 0100023."""
    with app.app_context():
        set_options(next_po_number=100022)
        make_po(number="0100022")
        k = ids()
    _buyer(client)
    resp = client.post("/purchase-orders/new", data=_entry(k))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.app_context():
        numbers = set(db.session.scalars(sa.select(PurchaseOrder.number)))
        assert numbers == {"0100022", "0100023"}
        assert svc.next_po_number() == "0100024"


@pytest.mark.parametrize("kind", ["receive", "return"])
@pytest.mark.parametrize("raw", ["0.00001", "1e-20"])
def test_goods_quantity_below_the_columns_precision_refused_beside_the_field(client, demo, app, kind, raw):
    """9.22: ``1e-20`` received used to post a receipt of zero."""
    with app.app_context():
        po = make_po(lines=(("BOLT-10", 10, "1"),))
        if kind == "return":
            svc.post_receipt(po.id, {po.lines[0].id: D(5)})
            db.session.commit()
        po_id, lid = po.id, po.lines[0].id
        stock_before = on_hand("BOLT-10")
    _buyer(client)
    resp = client.post(f"/purchase-orders/{po_id}/{kind}", data={f"qty_{lid}": raw})
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert f'id="error-qty_{lid}"' in body and f'value="{raw}"' in body
    with app.app_context():
        assert db.session.get(PurchaseOrderLine, lid).qty_received == (5 if kind == "return" else 0)
        assert on_hand("BOLT-10") == stock_before
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)) == (1 if kind == "return" else 0)


def test_service_refuses_a_receipt_below_precision(app, demo):
    with app.app_context():
        po = make_po()
        with pytest.raises(ValidationError) as err:
            svc.post_receipt(po.id, {po.lines[0].id: D("1e-20")})
        assert err.value.field == f"qty_{po.lines[0].id}" and "decimal places" in err.value.message


def test_entry_refuses_more_lines_than_the_limit(client, demo, app):
    """A documented line limit (issue 9, "a document with thousands of lines")."""
    with app.app_context():
        k = ids()
    _buyer(client)
    resp = client.post("/purchase-orders/new", data=_entry(k, rows=MAX_LINES + 1))
    assert resp.status_code == 422
    assert f"at most {MAX_LINES} lines" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder)) == 0
        with pytest.raises(ValidationError, match=f"at most {MAX_LINES} lines"):
            svc.create_purchase_order(vendor_id=k["V2000"], order_type="S",
                                      lines=[{"item_id": k["BOLT-10"], "qty_ordered": D(1)}] * (MAX_LINES + 1))


def test_receiving_a_non_stocked_item_leaves_no_phantom_stock(app, demo):
    """9.19, purchase side: a buy-to-order item is not kept in stock, so sales never issue it."""
    with app.app_context():
        po = make_po(lines=(("SAW-TABLE", 2, "300"), ("BOLT-10", 5, "1")))
        saws, bolts = on_hand("SAW-TABLE"), on_hand("BOLT-10")
        svc.post_receipt(po.id, {po.lines[0].id: D(2), po.lines[1].id: D(5)})
        db.session.commit()
        assert on_hand("SAW-TABLE") == saws  # not stocked: passes through to its sales order
        assert on_hand("BOLT-10") == bolts + 5
        svc.post_return(po.id, {po.lines[0].id: D(1), po.lines[1].id: D(1)})
        assert on_hand("SAW-TABLE") == saws and on_hand("BOLT-10") == bolts + 4


@pytest.mark.parametrize("query", ["/purchase-orders?vendor=99999999999999999999", "/purchase-orders?vendor=%C2%B2",
                                   "/purchase-history?vendor=%C2%B2&year=%C2%B2",
                                   "/purchase-history?year=99999999999999999999",
                                   "/purchase-orders?required_from=%C2%B2"])
def test_hostile_list_filters_filter_nothing(client, demo, app, query):
    with app.app_context():
        make_po()
    client.login("readonly")
    assert client.get(query).status_code == 200


def test_default_period_follows_the_calendar(app, monkeypatch):
    """The default fiscal year and period are read from today's date, not frozen at import."""

    class Later(date):
        @classmethod
        def today(cls):
            return date(2031, 2, 3)

    monkeypatch.setattr(po_options, "date", Later)
    with app.app_context():
        o = options_for("purchase_order")
        assert (o["current_year"], o["current_period"]) == (2031, 2)


@pytest.mark.parametrize("field", ["vendor_id", "warehouse_id", "customer_id", "lines-0-line_status_id",
                                   "lines-0-id"])
@pytest.mark.parametrize("value", ["99999999999999999999", "\u00b2"])
def test_entry_ids_that_cannot_be_records_are_refused_beside_the_field(client, demo, app, field, value):
    with app.app_context():
        k = ids()
    _buyer(client)
    resp = client.post("/purchase-orders/new", data=_entry(k, **{field: value}))
    assert resp.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder)) == 0


def test_deleted_and_cancelled_pos_are_found_on_their_own_page(client, demo, app):
    """9.12: a deleted PO is gone from the PO pages, but its page lists it with its reason code."""
    from plugins.purchase_order import documents as docs
    from plugins.purchase_order.models import CancelReasonCode

    with app.app_context():
        db.session.add(CancelReasonCode(code="CUS", description="Customer changed the order"))
        a, b = make_po(number="DEL-1"), make_po(number="DEL-2", vendor="V2001")
        docs.delete_purchase_orders([a.id], reason_code="CUS", to_history=True, user_id=None)
        docs.delete_purchase_orders([b.id], to_history=True, user_id=None)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder)) == 0
        k = ids()
    client.login("readonly")
    page = client.get("/purchase-orders/deleted").get_data(as_text=True)
    assert "DEL-1" in page and "DEL-2" in page and "CUS · Customer changed the order" in page
    by_reason = client.get("/purchase-orders/deleted?reason=cus").get_data(as_text=True)
    assert "DEL-1" in by_reason and "DEL-2" not in by_reason
    by_vendor = client.get(f"/purchase-orders/deleted?vendor={k['V2001']}").get_data(as_text=True)
    assert "DEL-2" in by_vendor and "DEL-1" not in by_vendor
    for hostile in ("vendor=99999999999999999999", "date_from=%C2%B2", "kind=zz", "page=-1"):
        assert client.get(f"/purchase-orders/deleted?{hostile}").status_code == 200, hostile
