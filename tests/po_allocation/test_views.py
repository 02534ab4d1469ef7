"""Pages: skipped lines, manual assignment (errors beside the field), panels on SO/PO pages,
the Back Order Fill Report (page, CSV, printable), options."""

import csv
import io

import sqlalchemy as sa

from core.db import db
from core.plugins import host_of

from .conftest import D


def test_skipped_page_lists_lines_with_what_is_on_open_pos(pa, client):
    pa.po([("BOLT-10", 4)])
    so_id = pa.so([("BOLT-10", 5)])
    line = pa.line(so_id)
    client.login("sales")
    page = client.get("/po-allocation/skipped").get_data(as_text=True)
    row = page[page.index(f'id="pa-skipped-{line["id"]}"'):]
    row = row[:row.index("</tr>")]
    assert '<td class="num">5</td>' in row  # short 5, and 4 available on one PO line
    assert '<td class="num">4 <small>(1 PO line)</small>' in row
    assert f"/po-allocation/assign/{line['id']}" in row
    assert "/po-generation/" in row  # or send it to PO generation


def test_skipped_page_offers_po_generation_only_when_it_is_on(pa, client, app):
    pa.so([("BOLT-10", 5)])
    with app.app_context():
        host_of(app).set_enabled("po_generation", False)
    client.login("sales")
    page = client.get("/po-allocation/skipped").get_data(as_text=True)
    assert "BOLT-10" in page and "/po-generation/" not in page


def test_skipped_page_empty(pa, client):
    client.login("readonly")
    page = client.get("/po-allocation/skipped").get_data(as_text=True)
    assert "pa-skipped-none" in page


def test_assign_by_hand_links_and_shows_on_both_pages(pa, client):
    po_id, (pl,) = pa.po([("BOLT-10", 4)])
    so_id = pa.so([("BOLT-10", 5)])
    line = pa.line(so_id)
    client.login("purchasing")
    page = client.get(f"/po-allocation/assign/{line['id']}").get_data(as_text=True)
    assert f'name="qty-{pl}"' in page and 'id="pa-shortage">5<' in page
    resp = client.post(f"/po-allocation/assign/{line['id']}", data={f"qty-{pl}": "4"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/sales-orders/{so_id}")
    assert [(r[3], r[4]) for r in pa.links(so_id=so_id)] == [(D(4), D(0))]
    so_page = client.get(f"/sales-orders/{so_id}").get_data(as_text=True)
    assert 'id="pa-so-links"' in so_page and f"/purchase-orders/{po_id}" in so_page
    po_page = client.get(f"/purchase-orders/{po_id}").get_data(as_text=True)
    assert 'id="pa-po-links"' in po_page and f"/sales-orders/{so_id}" in po_page and "C1000" in po_page


def test_assign_refused_beside_the_field_and_typed_value_kept(pa, client):
    _, (pl,) = pa.po([("BOLT-10", 4)])
    so_id = pa.so([("BOLT-10", 5)])
    line = pa.line(so_id)
    client.login("purchasing")
    for raw, message in (("6", "Only 4 is unallocated on this PO line."), ("abc", ""), ("1e400", ""),
                         ("-1", "Enter a positive quantity.")):
        resp = client.post(f"/po-allocation/assign/{line['id']}", data={f"qty-{pl}": raw})
        page = resp.get_data(as_text=True)
        assert resp.status_code == 422, raw
        assert f'id="error-qty-{pl}"' in page and f'value="{raw}"' in page
        assert message in page
    assert pa.links(so_id=so_id) == []


def test_assign_nothing_entered_or_unknown_po_line(pa, client):
    _, (pl,) = pa.po([("BOLT-10", 4)])
    line = pa.line(pa.so([("BOLT-10", 5)]))
    client.login("purchasing")
    page = client.post(f"/po-allocation/assign/{line['id']}", data={}).get_data(as_text=True)
    assert "Enter a quantity on at least one PO line." in page
    resp = client.post(f"/po-allocation/assign/{line['id']}", data={"qty-99999": "1"})
    assert resp.status_code == 422 and "not open for this item" in resp.get_data(as_text=True)
    resp = client.post(f"/po-allocation/assign/{line['id']}", data={"qty-²": "1", f"qty-{pl}": "1"})
    assert resp.status_code == 422 and "does not exist (reload the page)" in resp.get_data(as_text=True)
    assert client.get("/po-allocation/assign/99999").status_code == 404


def test_assign_needs_a_buyer_or_sales_role(pa, client):
    line = pa.line(pa.so([("BOLT-10", 5)]))
    client.login("readonly")
    assert client.get(f"/po-allocation/assign/{line['id']}").status_code == 403


def test_pages_answer_404_when_the_plugin_is_off(pa, client, app):
    with app.app_context():
        host_of(app).set_enabled("po_allocation", False)
    client.login("admin")
    assert client.get("/po-allocation/skipped").status_code == 404
    assert client.get("/po-allocation/assign/1").status_code == 404


def _filled(pa):
    po_id, (pl,) = pa.po([("BOLT-10", 10)])
    a = pa.so([("BOLT-10", 6), ("GLOVES", 2)])
    b = pa.so([("BOLT-10", 4)], customer="C1002")
    receipt_id = pa.receive(po_id, {pl: 7})
    return po_id, a, b, receipt_id


def test_fill_report_for_a_receipt(pa, client, app):
    from plugins.purchase_order.models import PurchaseOrder, Receipt

    po_id, a, b, receipt_id = _filled(pa)
    with app.app_context():
        number = db.session.get(Receipt, receipt_id).number
        po_number = db.session.get(PurchaseOrder, po_id).number
    client.login("readonly")
    page = client.get(f"/receipts/fill-report?receipt={number}").get_data(as_text=True)
    assert 'id="fill-report"' in page and "Acme Hardware" in page and "Corner Café" in page
    resp = client.get(f"/receipts/fill-report?receipt={number}&format=csv")
    assert resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0] == ["Sales order", "Line", "Customer", "Bill-to name", "Item", "Back-ordered", "Filled",
                       "Still open"]
    body = [(r[2], r[4], r[5], r[6], r[7]) for r in rows[1:]]
    assert body == [("C1000", "BOLT-10", "6", "6", "0"), ("C1002", "BOLT-10", "4", "1", "3")]
    # by PO, sorted by bill-to name, only items received, all lines
    resp = client.get(f"/receipts/fill-report?po={po_number}&format=csv&sort=bill_to&include_all=1")
    body = [(r[2], r[1], r[4], r[5], r[6]) for r in csv.reader(io.StringIO(resp.get_data(as_text=True)))][1:]
    assert body == [("C1000", "1", "BOLT-10", "6", "6"), ("C1000", "2", "GLOVES", "2", "0"),
                    ("C1002", "1", "BOLT-10", "4", "1")]
    printable = client.get(f"/receipts/fill-report?po={po_number}&print=1").get_data(as_text=True)
    assert "data-print-on-load" in printable and f"Purchase order {po_number}" in printable


def test_fill_report_sorts_and_filters(pa, client):
    _filled(pa)
    second_po, (pl,) = pa.po([("BOLT-10", 5)])
    pa.so([("BOLT-10", 5)], customer="C1001")  # Blue Sky: linked to the new PO, nothing received
    client.login("readonly")

    def customers(query):
        text = client.get(f"/receipts/fill-report?format=csv&{query}").get_data(as_text=True)
        return [r[2] for r in csv.reader(io.StringIO(text))][1:]

    assert customers("sort=customer") == ["C1000", "C1001", "C1002"]
    assert customers("sort=bill_to") == ["C1000", "C1001", "C1002"]  # Acme, Blue Sky, Corner Café
    assert customers("sort=customer&only_received=1") == ["C1000", "C1002"]
    assert customers("date_from=2026-05-10&date_to=2026-05-10") == ["C1000", "C1002"]
    assert customers("date_from=2026-05-11") == []


def test_fill_report_adds_up_both_bridges(pa, client, app):
    """A receipt day's report holds what po_allocation's links and po_generation's links released:
    each bridge answers for its own lines (purchase_order's ``back_order_fills``)."""
    from plugins.po_generation.generation import generate_for_order
    from plugins.po_generation.models import PoGenLink

    _filled(pa)
    ladder = pa.so([("LADDER-8", 3)], customer="C1001")  # bought to order: po_generation's link
    with app.app_context():
        if not db.session.scalar(sa.select(PoGenLink.po_id).where(PoGenLink.so_id == ladder)):
            generate_for_order(ladder)
            db.session.commit()
        po_id, po_line_id = db.session.execute(
            sa.select(PoGenLink.po_id, PoGenLink.po_line_id).where(PoGenLink.so_id == ladder)).one()
    pa.receive(po_id, {po_line_id: 2})
    client.login("readonly")
    text = client.get("/receipts/fill-report?format=csv&sort=customer&date_from=2026-05-10&date_to=2026-05-10")
    body = [(r[2], r[4], r[5], r[6], r[7]) for r in csv.reader(io.StringIO(text.get_data(as_text=True)))][1:]
    assert body == [("C1000", "BOLT-10", "6", "6", "0"), ("C1001", "LADDER-8", "3", "2", "1"),
                    ("C1002", "BOLT-10", "4", "1", "3")]


def test_fill_report_bad_input_beside_the_field(pa, client):
    client.login("readonly")
    for query, field in (("receipt=NOPE", "receipt"), ("po=NOPE", "po"), ("so=NOPE", "so"),
                         ("date_from=2026-13-01", "date_from"), ("date_from=2026-05-02&date_to=2026-05-01", "date_to"),
                         ("receipt=" + "9" * 500, "receipt")):
        resp = client.get(f"/receipts/fill-report?{query}")
        assert resp.status_code == 422, query
        assert f'id="error-{field}"' in resp.get_data(as_text=True), query
    assert client.get("/receipts/fill-report?sort=evil&format=csv").status_code == 200


def test_receipt_panel_shows_what_it_released(pa, app):
    from flask import render_template_string

    from plugins.po_allocation.views import panels_for
    from plugins.purchase_order.models import Receipt

    po_id, a, b, receipt_id = _filled(pa)
    with app.test_request_context():
        r = db.session.get(Receipt, receipt_id)
        [panel] = panels_for("purchase_order.receipt", r)
        html = render_template_string("{{ p.html }}", p=panel)
        assert 'id="pa-receipt-fills"' in html
        assert f"/sales-orders/{a}" in html and f"/sales-orders/{b}" in html and f"/purchase-orders/{po_id}" in html


def test_so_and_po_pages_show_what_each_receipt_released(pa, client, app):
    from plugins.purchase_order.models import Receipt

    po_id, a, b, receipt_id = _filled(pa)
    with app.app_context():
        number = db.session.get(Receipt, receipt_id).number
    client.login("readonly")
    so_page = client.get(f"/sales-orders/{b}").get_data(as_text=True)
    fills = so_page[so_page.index('id="pa-so-fills"'):]
    fills = fills[:fills.index("</table>")]
    assert f"/receipts/{receipt_id}" in fills and number in fills and '<td class="num">1</td>' in fills
    po_page = client.get(f"/purchase-orders/{po_id}").get_data(as_text=True)
    fills = po_page[po_page.index('id="pa-po-fills"'):]
    fills = fills[:fills.index("</table>")]
    assert fills.count(f"/receipts/{receipt_id}") == 2 and '<td class="num">6</td>' in fills


def test_options_page_refuses_an_unknown_status_code(pa, client, app):
    from core.options import options_for

    client.login("admin")
    resp = client.get("/admin/options/po_allocation")
    assert resp.status_code == 200 and "Default PO Line Status" in resp.get_data(as_text=True)
    resp = client.post("/admin/options/po_allocation", follow_redirects=True,
                       data={"allocate_on_entry": "y", "allocate_on_import": "y", "default_line_status": "NOPE"})
    assert "No PO line status with code &#39;NOPE&#39;." in resp.get_data(as_text=True)
    with app.app_context():
        assert options_for("po_allocation")["default_line_status"] == ""


def test_nothing_a_user_sends_gives_a_server_error(pa, client):
    client.login("admin")
    for url, code in (("/po-allocation/assign/99999999999999999999", 404), (f"/po-allocation/assign/{2 ** 40}", 404),
                      ("/po-allocation/assign/9223372036854775808", 404),
                      # NUL anywhere is refused by the host's request guard with a clear 400
                      ("/receipts/fill-report?receipt=%00x", 400), ("/receipts/fill-report?po=%00", 400),
                      ("/receipts/fill-report?so=a%00", 400), ("/receipts/fill-report?date_from=%00", 400),
                      ("/receipts/fill-report?receipt=%C2%B2", 422), ("/receipts/fill-report?po=x", 422),
                      ("/receipts/fill-report?sort=zz&only_received=q&format=%C2%B2", 200)):
        assert client.get(url).status_code == code, url
    _, (pl,) = pa.po([("BOLT-10", 4)])
    line = pa.line(pa.so([("BOLT-10", 5)]))
    assert client.post(f"/po-allocation/assign/{line['id']}", data={f"qty-{pl}": "\x00"}).status_code == 400
    for raw in ("1" * 40, "NaN", "inf", "1.00001", "²"):
        resp = client.post(f"/po-allocation/assign/{line['id']}", data={f"qty-{pl}": raw})
        assert resp.status_code == 422 and f'id="error-qty-{pl}"' in resp.get_data(as_text=True), raw
    for key in ("qty-99999999999999999999", f"qty-{2 ** 40}", "qty-", "qty-0"):
        assert client.post(f"/po-allocation/assign/{line['id']}", data={key: "1"}).status_code == 422, key
    assert pa.links() == []
