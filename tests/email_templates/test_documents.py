"""Printable documents: order confirmation, invoice and PO pages, and their PDFs through one path."""

from __future__ import annotations

import io

from pypdf import PdfReader

from core.db import db
from core.options import apply_changes

from .test_vendor import make_po


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _company():
    apply_changes("core", {"company_name": "Harbour Tools Ltd", "company_address": "1 Quay St, Portsmouth"},
                  user_id=None, source="test")
    db.session.commit()


def test_order_confirmation_and_invoice_print_and_make_pdfs(app, demo, client_for):
    from plugins.sales_order.services import ship_order
    from tests.po_generation.helpers import make_order

    with app.app_context():
        _company()
        order = make_order([("BOLT-10", 4), ("GLOVES", 2)], notes="Internal: customer pays late",
                           customer_po_number="ACME-77")
        order_id, number, total = order.id, order.number, order.total
        invoice, _warnings = ship_order(order, {ln.id: ln.qty_ordered for ln in order.lines})
        db.session.commit()
        invoice_id, invoice_no = invoice.id, invoice.number
    client = client_for("sales")
    view = client.get(f"/sales-orders/{order_id}").get_data(as_text=True)
    assert f'href="/sales-orders/{order_id}/print"' in view and f'href="/sales-orders/invoices/{invoice_id}/print"' in view
    page = client.get(f"/sales-orders/{order_id}/print").get_data(as_text=True)
    assert "Order confirmation " + number in page and "Harbour Tools Ltd" in page and "ACME-77" in page
    assert f'id="order-total">{total:,.2f}' in page and "Bill to" in page and "Ship to" in page
    assert "Internal" not in page and "Terms" in page
    pdf = client.get(f"/email/documents/sales-order/{order_id}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    text = _text(pdf.data)
    assert f"Order confirmation {number}" in text and "Harbour Tools Ltd" in text and "customer pays late" not in text
    inv_page = client.get(f"/sales-orders/invoices/{invoice_id}/print").get_data(as_text=True)
    assert f"Invoice {invoice_no}" in inv_page and "Amount due" in inv_page and "Download PDF" in inv_page
    inv_pdf = client.get(f"/email/documents/invoice/{invoice_id}.pdf")
    assert f"Invoice {invoice_no}" in _text(inv_pdf.data)


def test_printable_po_is_labelled_with_terms_and_its_pdf_is_the_same_page(app, demo, client_for):
    with app.app_context():
        _company()
        po = make_po()
        po_id, number = po.id, po.number
    client = client_for("purchasing")
    page = client.get(f"/purchase-orders/{po_id}/print").get_data(as_text=True)
    assert "Vendor" in page and "Ship to" in page and "Total order value" in page and "Payment 30 days" in page
    assert "vendor is slow" not in page  # the internal comment
    assert "Download PDF" in client.get(f"/purchase-orders/{po_id}").get_data(as_text=True)
    text = _text(client.get(f"/email/documents/purchase-order/{po_id}.pdf").data)
    assert f"Purchase order {number}" in text and "Total order value" in text and "vendor is slow" not in text
    assert client.get("/email/documents/purchase-order/999999.pdf").status_code == 404
    assert client.get(f"/email/documents/bogus/{po_id}.pdf").status_code == 404
