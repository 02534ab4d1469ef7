"""Send to vendor: the PO TO VENDOR email with the printable PO as a PDF; company header, no notes."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from core.db import db
from core.options import apply_changes
from plugins.email_templates.models import OutboxEmail
from plugins.email_templates.templating import save_template
from plugins.email_templates.types import PO_TO_VENDOR

VENDOR_TEMPLATE = {"name": "PO to vendor", "type": PO_TO_VENDOR, "active": True,
                   "subject": "Purchase order {{ po.number }} from {{ company.name }}",
                   "body_html": "<p>Please supply {{ lines|length }} line(s), total {{ po.total }}.</p>",
                   "body_text": "Please supply PO {{ po.number }}.{% for l in lines %}\n{{ l.item_code }} {{ l.qty }}{% endfor %}"}


def make_po(comment="Internal: vendor is slow, chase on Friday"):
    from plugins.purchase_order.services import create_purchase_order
    from tests.po_generation.helpers import item, partner

    po = create_purchase_order(vendor_id=partner("V2000").id, order_type="S", comment=comment,
                               lines=[{"item_id": item("BOLT-10").id, "qty_ordered": Decimal("40")}])
    db.session.commit()
    return po


def test_send_to_vendor_queues_the_po_with_a_pdf(app, demo, admin_client):
    with app.app_context():
        apply_changes("core", {"company_name": "Harbour Tools Ltd", "company_address": "1 Quay St, Portsmouth"},
                      user_id=None, source="test")
        save_template(None, VENDOR_TEMPLATE)
        db.session.commit()
        po = make_po()
        po_id, number = po.id, po.number
    resp = admin_client.post(f"/purchase-orders/{po_id}/send")
    assert resp.status_code in (302, 303)
    with app.app_context():
        [row] = db.session.scalars(sa.select(OutboxEmail)).all()
        assert row.recipient == "po@northwind.example" and row.type == PO_TO_VENDOR
        assert row.subject == f"Purchase order {number} from Harbour Tools Ltd"
        assert "BOLT-10 40" in row.body_text and "Internal" not in row.body_text
        assert row.attachment_name == f"PO-{number}.pdf" and row.attachment.startswith(b"%PDF-")
        text = _pdf_text(row.attachment)
        assert "Harbour Tools Ltd" in text and number in text and "vendor is slow" not in text


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_printable_po_shows_company_and_never_internal_notes(app, demo, admin_client):
    with app.app_context():
        apply_changes("core", {"company_name": "Harbour Tools Ltd", "company_address": "1 Quay St, Portsmouth"},
                      user_id=None, source="test")
        db.session.commit()
        po = make_po()
        po_id = po.id
    page = admin_client.get(f"/purchase-orders/{po_id}/print").get_data(as_text=True)
    assert "Harbour Tools Ltd" in page and "1 Quay St, Portsmouth" in page
    assert "vendor is slow" not in page


def test_no_template_or_option_off_sends_no_email(app, demo, admin_client):
    with app.app_context():
        po = make_po()
        po_id = po.id
    admin_client.post(f"/purchase-orders/{po_id}/send")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0
        save_template(None, VENDOR_TEMPLATE)
        apply_changes("email_templates", {"email_po_to_vendor": False}, user_id=None, source="test")
        db.session.commit()
    admin_client.post(f"/purchase-orders/{po_id}/send")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0


def test_missing_pdf_libraries_do_not_stop_the_send(app, demo, admin_client, monkeypatch):
    import plugins.email_templates.vendor as vendor

    def no_libraries(po):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(vendor, "po_pdf", no_libraries)
    with app.app_context():
        save_template(None, VENDOR_TEMPLATE)
        db.session.commit()
        po_id = make_po().id
    page = admin_client.post(f"/purchase-orders/{po_id}/send", follow_redirects=True).get_data(as_text=True)
    assert "queued without it" in page
    with app.app_context():
        [row] = db.session.scalars(sa.select(OutboxEmail)).all()
        assert row.attachment is None and row.attachment_name == ""
        from plugins.purchase_order.models import PurchaseOrder

        assert db.session.get(PurchaseOrder, po_id).sent_at is not None
