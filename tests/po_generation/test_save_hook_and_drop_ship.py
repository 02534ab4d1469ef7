"""on_sales_order_saved: an exception in generation aborts the save and names the plugin;
disabling po_generation; a drop-ship PO by hand (*Include All Drop Ship Line Items*);
the links panel shows PO status labels."""

import re

import pytest
import sqlalchemy as sa

from core.db import db
from core.plugins import host_of
from plugins.po_generation import generation
from plugins.po_generation.generation import generate_for_order
from plugins.po_generation.models import PoGenLink
from plugins.purchase_order import services as po_services
from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderLine
from plugins.sales_order.models import SalesOrder, SalesOrderLine

from .helpers import make_order, partner, set_options, so_form


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_exception_in_generation_on_sales_order_saved_aborts_the_save(app, client, demo, users, monkeypatch):
    with app.app_context():
        set_options(generate_on_save=True)

    def broken_vendor_lookup(*args, **kwargs):
        raise RuntimeError("vendor lookup failed")

    monkeypatch.setattr(generation, "load_inputs", broken_vendor_lookup)
    client.login("sales")
    data = so_form(app, [("SAW-TABLE", "1"), ("DESK-OAK", "2")], customer_po_number="KEEP-ME")
    resp = client.post("/sales-orders/new", data=data)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "po_generation" in text and "vendor lookup failed" in text  # the error names the plugin
    assert 'value="KEEP-ME"' in text  # nothing typed is lost
    for model in (SalesOrder, SalesOrderLine, PurchaseOrder, PurchaseOrderLine, PoGenLink):
        assert count(app, model) == 0, model.__name__
    monkeypatch.undo()
    assert client.post("/sales-orders/new", data=data).status_code == 302  # the same input saves once fixed
    assert count(app, SalesOrder) == 1 and count(app, PurchaseOrder) == 2


def test_disabled_plugin_generates_nothing_on_save_and_hides_its_pages(app, client, demo, users):
    with app.app_context():
        set_options(generate_on_save=True)
    client.login("admin")
    resp = client.post("/sales-orders/new", data=so_form(app, [("SAW-TABLE", "1")]))
    assert resp.status_code == 302 and count(app, PurchaseOrder) == 1  # enabled: generated on save
    with app.app_context():
        host_of(app).set_enabled("po_generation", False)
    resp = client.post("/sales-orders/new", data=so_form(app, [("SAW-TABLE", "1")]))
    assert resp.status_code == 302 and count(app, SalesOrder) == 2 and count(app, PurchaseOrder) == 1
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "/po-generation/" not in page and "Generate POs" not in page and "pogen-links" not in page
    so_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    for url in (f"/po-generation/orders/{so_id}/generate", f"/po-generation/orders/{so_id}/reset",
                "/po-generation/missing", "/po-generation/auto", f"/po-generation/drop-ship?order_id={so_id}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/po-generation/orders/{so_id}/generate").status_code == 404
    assert count(app, PurchaseOrder) == 1


def _drop_ship_order(app):
    """SO: DESK-OAK (drop ship, vendor V2002), SAW-TABLE flagged drop ship for V2001,
    LADDER-8 (buy to order, not drop ship)."""
    with app.app_context():
        so = make_order([("DESK-OAK", 1), ("SAW-TABLE", 2, {"drop_ship": True, "vendor_id": partner("V2001").id}),
                         ("LADDER-8", 3)], ship_to_address="Site 9\nMill Road")
        return so.id, so.number, partner("V2001").id, partner("V2002").id


def _po_lines(app, po_id):
    with app.app_context():
        po = db.session.get(PurchaseOrder, po_id)
        return (po.order_type, po.vendor.number, po.customer.number if po.customer else None, po.ship_to_address,
                [(ln.item.code, int(ln.qty_ordered)) for ln in po.lines])


def _created_po_id(resp):
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])


@pytest.mark.parametrize("setting, expected", [
    ("vendor", [("DESK-OAK", 1)]),  # Only for PO Vendor
    ("yes", [("DESK-OAK", 1), ("SAW-TABLE", 2)]),  # all drop-ship lines, whatever their vendor
])
def test_include_all_drop_ship_line_items(app, client, demo, users, setting, expected):
    so_id, so_number, v2001, v2002 = _drop_ship_order(app)
    with app.app_context():
        set_options(include_all_drop_ship=setting)
    client.login("purchasing")
    so_page = client.get(f"/sales-orders/{so_id}").get_data(as_text=True)
    assert f"/po-generation/drop-ship?order_id={so_id}" in so_page  # page_actions on the sales order
    page = client.get(f"/po-generation/drop-ship?order_id={so_id}").get_data(as_text=True)
    assert 'id="pogen-include"' not in page and f'value="{so_number}"' in page
    # the PO vendor is typed: the suggestions start with the lines' vendors, never every vendor
    suggested = re.search(r'<datalist id="vendor-numbers"[^>]*>(.*?)</datalist>', page, re.S).group(1)
    assert sorted(re.findall(r'value="([^"]+)"', suggested)) == ["V2001", "V2002"] and "<select" not in page
    po_id = _created_po_id(client.post("/po-generation/drop-ship",
                                       data={"sales_order": so_number, "vendor_id": "v2002"}))  # any case
    assert _po_lines(app, po_id) == ("D", "V2002", "C1000", "Site 9\nMill Road", expected)
    # the lines are now on order: the same request again finds nothing for V2002
    again = client.post("/po-generation/drop-ship", data={"sales_order": so_number, "vendor_id": str(v2002)})
    assert again.status_code == 422 and "no drop-ship lines left" in again.get_data(as_text=True)
    with app.app_context():
        res = generate_for_order(so_id)  # generation orders only what is not on order yet
        db.session.commit()
        new = [ln.item.code for p in db.session.scalars(sa.select(PurchaseOrder).where(PurchaseOrder.id.in_(res.po_ids)))
               for ln in p.lines]
    assert sorted(new) == sorted({"LADDER-8", "SAW-TABLE"} - {code for code, _ in expected})


def test_include_all_drop_ship_line_items_prompt(app, client, demo, users):
    so_id, so_number, v2001, v2002 = _drop_ship_order(app)
    with app.app_context():
        set_options(include_all_drop_ship="prompt")
    client.login("purchasing")
    page = client.get(f"/po-generation/drop-ship?order_id={so_id}").get_data(as_text=True)
    assert 'id="pogen-include"' in page  # asked in the page
    resp = client.post("/po-generation/drop-ship", data={"sales_order": so_number, "vendor_id": str(v2001)})
    assert resp.status_code == 422 and 'id="error-include"' in resp.get_data(as_text=True)
    assert count(app, PurchaseOrder) == 0
    po_id = _created_po_id(client.post("/po-generation/drop-ship", data={
        "sales_order": so_number, "vendor_id": str(v2001), "include": "vendor"}))
    assert _po_lines(app, po_id)[:2] == ("D", "V2001") and _po_lines(app, po_id)[4] == [("SAW-TABLE", 2)]
    po_id = _created_po_id(client.post("/po-generation/drop-ship", data={
        "sales_order": so_number, "vendor_id": str(v2001), "include": "yes"}))
    assert _po_lines(app, po_id)[4] == [("DESK-OAK", 1)]  # the other vendor's line, on request


def test_drop_ship_page_bad_input(app, client, demo, users):
    _drop_ship_order(app)
    client.login("purchasing")
    resp = client.post("/po-generation/drop-ship", data={"sales_order": "NOPE", "vendor_id": "abc"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "No sales order" in text and "No vendor has the number abc." in text
    assert 'value="NOPE"' in text and count(app, PurchaseOrder) == 0


def test_links_panel_shows_po_status_label(app, client, demo, users):
    with app.app_context():
        so = make_order([("SAW-TABLE", 1), ("LADDER-8", 1)])
        generate_for_order(so.id)
        po = db.session.scalars(sa.select(PurchaseOrder).order_by(PurchaseOrder.number)).first()
        po_services.send_purchase_order(po, user_id=None)
        db.session.commit()
        so_id = so.id
    client.login("purchasing")
    page = client.get(f"/sales-orders/{so_id}").get_data(as_text=True)
    panel = page.split('id="pogen-links"')[1].split("</table>")[0]
    assert "<td>New</td>" in panel and "<td>Sent to vendor</td>" in panel
    assert "<td>new</td>" not in panel and "<td>sent</td>" not in panel
