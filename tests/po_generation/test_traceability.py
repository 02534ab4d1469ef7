"""Traceability (issue 11): the SO page shows per line its PO lines, receipts and emails; the
PO page per line the orders it serves and what each receipt released; the receipt page what it
released (page extras); one click from each to the others; the receipt confirmation links the
receipt and the Back Order Fill Report."""

from __future__ import annotations

import csv
import io
import re

import sqlalchemy as sa

from core.db import db
from core.plugins import host_of
from plugins.email_templates.models import OutboxEmail
from plugins.purchase_order.models import PurchaseOrder, Receipt
from tests.email_templates.test_backorder import backordered_po, make_status, set_status


def _hrefs(html: str, prefix: str) -> set[str]:
    return set(re.findall(rf'href="({re.escape(prefix)}[^"#?]*)', html))


def _chain(app, client):
    """LADDER-8 x3 bought on a generated PO, its line given a BACK ORDER status, 2 received
    through the receipt page. Returns (so id, so number, po id, receipt id, confirmation page)."""
    with app.app_context():
        po, so_number = backordered_po()
        status_id, _ = make_status()
        set_status(po, status_id)
        po_id, pl = po.id, po.lines[0].id
        from plugins.sales_order.models import SalesOrder

        so_id = db.session.scalar(sa.select(SalesOrder.id).where(SalesOrder.number == so_number))
    client.login("purchasing")
    resp = client.post(f"/purchase-orders/{po_id}/receive", data={f"qty_{pl}": "2"}, follow_redirects=True)
    assert resp.status_code == 200
    with app.app_context():
        receipt_id = db.session.scalar(sa.select(Receipt.id).where(Receipt.po_id == po_id))
    return so_id, so_number, po_id, receipt_id, resp.get_data(as_text=True)


def test_so_po_receipt_and_email_pages_link_each_other(app, demo, client):
    so_id, so_number, po_id, receipt_id, confirmation = _chain(app, client)
    receipt_url, so_url, po_url = f"/receipts/{receipt_id}", f"/sales-orders/{so_id}", \
        f"/purchase-orders/{po_id}"
    assert receipt_url in confirmation and "What it released" in confirmation  # the confirmation links the receipt

    receipt_page = client.get(receipt_url).get_data(as_text=True)
    assert 'id="pogen-receipt-fills"' in receipt_page  # page extras: what this receipt released
    assert so_url in _hrefs(receipt_page, "/sales-orders/") and po_url in _hrefs(receipt_page, "/purchase-orders/")

    client.login("sales")
    so_page = client.get(so_url).get_data(as_text=True)
    fills = so_page[so_page.index('id="pogen-so-fills"'):].split("</table>")[0]
    assert receipt_url in fills and po_url in fills and re.search(r"<td>1</td>\s*<td>LADDER-8</td>", fills)
    emails = so_page[so_page.index('id="order-emails"'):].split("</table>")[0]
    with app.app_context():
        email = db.session.scalar(sa.select(OutboxEmail))
    assert email.type == "BACK ORDER" and f"/email/pending/{email.id}" in emails and "<td>1</td>" in emails
    assert client.get(f"/email/pending/{email.id}").status_code == 200

    client.login("purchasing")
    po_page = client.get(po_url).get_data(as_text=True)
    po_fills = po_page[po_page.index('id="pogen-po-fills"'):].split("</table>")[0]
    assert receipt_url in po_fills and so_url in po_fills
    for url in (so_url, receipt_url):
        assert client.get(url).status_code == 200


def test_receipt_confirmation_links_the_back_order_fill_report(app, demo, client):
    """With po_generation alone (po_allocation off), the report counts what the generated PO's
    receipt released: purchase_order owns the report, each bridge answers for its links."""
    with app.app_context():
        assert not host_of(app).is_enabled("po_allocation")
    _so_id, so_number, _po_id, receipt_id, confirmation = _chain(app, client)
    with app.app_context():
        number = db.session.get(Receipt, receipt_id).number
    flashes = confirmation[confirmation.index('class="flashes"'):].split("</div></div>")[0]
    link = re.search(r'href="(/receipts/fill-report\?[^"]*)"', flashes)
    assert link and f"receipt={number}" in link.group(1).replace("&amp;", "&")
    report = client.get(link.group(1).replace("&amp;", "&") + "&format=csv")
    assert report.status_code == 200
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True))))[1:]
    assert [(r[0], r[4], r[5], r[6], r[7]) for r in rows] == [(so_number, "LADDER-8", "3", "2", "1")]
    receipt_page = client.get(f"/receipts/{receipt_id}").get_data(as_text=True)
    assert f'href="/receipts/fill-report?receipt={number}"' in receipt_page


def test_order_page_without_email_templates_shows_no_email_panel(app, demo, client):
    with app.app_context():
        host_of(app).set_enabled("email_templates", False)
        po, so_number = backordered_po()
        from plugins.sales_order.models import SalesOrder

        so_id = db.session.scalar(sa.select(SalesOrder.id).where(SalesOrder.number == so_number))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder)) == 1
    client.login("sales")
    resp = client.get(f"/sales-orders/{so_id}")
    assert resp.status_code == 200 and 'id="order-emails' not in resp.get_data(as_text=True)
