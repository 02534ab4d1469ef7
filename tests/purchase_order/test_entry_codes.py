"""PO entry takes the vendor, the drop-ship customer and the items as typed codes, and the
purchasing lists take the vendor as a typed number: no page holds a list of every vendor,
customer or item, and the save reads only what it names."""

from __future__ import annotations

import re

import sqlalchemy as sa

from core.db import db
from plugins.purchase_order.models import PurchaseOrder
from tests.catalogue import grow_catalogue, page_costs, save_cost

from .helpers import ids, make_po


def _form(vendor_code: str, **extra) -> dict:
    data = {"vendor_code": vendor_code, "order_type": "S", "order_date": "2026-03-01", "number": "",
            "lines-0-id": "", "lines-0-item": "bolt-10", "lines-0-qty_ordered": "4"}
    data.update(extra)
    return data


def _saved(app) -> list[tuple[str, str | None, int]]:
    with app.app_context():
        return [(po.vendor.number, po.customer.number if po.customer_id else None, len(po.lines))
                for po in db.session.scalars(sa.select(PurchaseOrder).order_by(PurchaseOrder.id))]


def _beside(page: str, field: str) -> str:
    found = re.search(rf'id="error-{field}">([^<]+)<', page)
    return found.group(1) if found else ""


def test_typed_vendor_and_customer_numbers_in_any_case(client_for, demo, app):
    buyer = client_for("purchasing")
    assert buyer.post("/purchase-orders/new", data=_form("v2001")).status_code == 302
    drop = _form("V2000", order_type="D", customer_code=" c1000 ")
    assert buyer.post("/purchase-orders/new", data=drop).status_code == 302
    assert _saved(app) == [("V2001", None, 1), ("V2000", "C1000", 1)]


def test_a_number_that_names_no_vendor_or_customer_is_refused_beside_it_keeping_what_was_typed(
        client_for, demo, app):
    buyer = client_for("purchasing")
    resp = buyer.post("/purchase-orders/new", data=_form("NOPE-1", confirm_to="Pat"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and _beside(page, "vendor_code") == "No vendor has the number NOPE-1."
    assert 'value="NOPE-1"' in page and 'value="Pat"' in page and 'value="bolt-10"' in page
    # a customer's number is not a vendor's, and a vendor's is not a drop-ship customer's
    page = buyer.post("/purchase-orders/new", data=_form("C1000")).get_data(as_text=True)
    assert _beside(page, "vendor_code") == "No vendor has the number C1000."
    page = buyer.post("/purchase-orders/new", data=_form("V2000", order_type="D", customer_code="V2001")
                      ).get_data(as_text=True)
    assert _beside(page, "customer_code") == "No customer has the number V2001."
    # no number at all: the service's own message, beside the same field
    page = buyer.post("/purchase-orders/new", data=_form("")).get_data(as_text=True)
    assert _beside(page, "vendor_code")
    assert _saved(app) == []


def test_editing_shows_the_numbers_and_an_emptied_customer_is_removed(client_for, demo, app):
    with app.app_context():
        po_id = make_po(order_type="D", customer_id=ids()["C1000"]).id
    buyer = client_for("purchasing")
    page = buyer.get(f"/purchase-orders/{po_id}/edit").get_data(as_text=True)
    assert re.search(r'id="vendor_code"[^>]*value="V2000"', page) and re.search(
        r'id="customer_code"[^>]*value="C1000"', page)
    assert "<option" not in re.search(r'<datalist id="item-codes".*?</datalist>', page, re.S).group(0)
    form = {name: value for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)}
    form.update({"vendor_code": "V2000", "order_type": "S", "customer_code": ""})
    assert buyer.post(f"/purchase-orders/{po_id}/edit", data=form).status_code == 302
    assert _saved(app) == [("V2000", None, 1)]


def _measure(client, count_queries, po_id: int) -> dict[str, tuple[int, int]]:
    out = page_costs(client, count_queries, {"new": "/purchase-orders/new", "edit": f"/purchase-orders/{po_id}/edit"})
    out["save"] = save_cost(client, count_queries, "/purchase-orders/new", _form("v2000", **{
        "lines-1-id": "", "lines-1-item": "GLOVES", "lines-1-qty_ordered": "2"}))
    return out


def test_entry_page_and_save_do_not_grow_with_the_catalogue(app, demo, client_for, count_queries):
    """50 items and partners, then 2,000: the same queries, the same page size within 1 %."""
    with app.app_context():
        po_id = make_po().id
    buyer = client_for("purchasing")
    grow_catalogue(app, 50)
    small = _measure(buyer, count_queries, po_id)
    grow_catalogue(app, 2000)
    large = _measure(buyer, count_queries, po_id)
    for name, (queries, size) in small.items():
        assert large[name][0] == queries, (name, small, large)
        assert abs(large[name][1] - size) <= size / 100, (name, small, large)
    assert large["new"][1] < 100_000


def test_vendor_filters_take_a_typed_number_and_list_no_vendors(client_for, demo, app):
    with app.app_context():
        k = ids()
        first, second = make_po().number, make_po(vendor="V2001").number
    buyer = client_for("purchasing")

    def listed(query: str) -> set[str]:
        page = buyer.get(f"/purchase-orders?{query}").get_data(as_text=True)
        return set(re.findall(r'<tr data-po="([^"]+)"', page))

    assert listed("vendor=v2001") == {second} and listed("vendor=V2000") == {first}
    assert listed(f"vendor={k['V2001']}") == {second}  # a link with the id still works
    assert listed("vendor=NOBODY") == set() and listed("vendor=" + "x" * 500) == set()
    for url in ("/purchase-orders", "/purchase-orders/deleted", "/purchase-history"):
        page = buyer.get(url).get_data(as_text=True)
        assert re.search(r'<input name="vendor"[^>]*data-suggest', page) and '<select name="vendor"' not in page
