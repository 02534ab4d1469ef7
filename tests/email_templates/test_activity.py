"""Emails queued, sent and failed appear in the activity log of their PO and sales orders."""

from __future__ import annotations

import sqlalchemy as sa

from core import activity
from core.db import db
from plugins.email_templates import outbox
from plugins.email_templates.render import Rendered
from plugins.email_templates.templating import save_template
from plugins.sales_order.models import SalesOrder

from .test_vendor import VENDOR_TEMPLATE, make_po


def _log(doc_type: str, doc_id: int) -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(e.action, e.details) for e in reversed(activity.entries(doc_type, doc_id))]


def test_po_email_queued_then_sent_is_on_the_po_log(mail_app, smtp_server, client_for):
    with mail_app.app_context():
        save_template(None, VENDOR_TEMPLATE)
        db.session.commit()
        po = make_po()
        po_id, number = po.id, po.number
    assert client_for("admin").post(f"/purchase-orders/{po_id}/send").status_code in (302, 303)
    with mail_app.app_context():
        queued = [d for a, d in _log("purchase_order", po_id) if a == "email_queued"]
        assert queued == [f"Purchase order email to po@northwind.example: Purchase order {number} from"]
        assert outbox.send_pending().sent == 1
        db.session.commit()
        assert ("email_sent", f"To po@northwind.example: Purchase order {number} from") in [
            (a, d) for a, d in _log("purchase_order", po_id)]


def test_a_back_order_email_is_on_each_sales_order_it_names(mail_app, smtp_server):
    from tests.po_generation.helpers import make_order

    with mail_app.app_context():
        so = make_order([("BOLT-10", 1)])
        po = make_po()
        outbox.queue_email(dedupe_key="bo:1", type="BACK ORDER", recipient="buyer@acme.example",
                           rendered=Rendered("Your back order", "<p>x</p>", "x"),
                           document=f"PO {po.number} line 1", order_numbers=[so.number])
        db.session.commit()
        text = "Back-order email to buyer@acme.example: Your back order"
        assert ("email_queued", text) in _log("sales_order", so.id)
        assert ("email_queued", text) in _log("purchase_order", po.id)
        smtp_server.handler.script = ["550 5.1.1 no such user"]
        outbox.send_pending()
        # sending and failing are on the document the email names (the PO)
        assert any(a == "email_failed" and "550" in d for a, d in _log("purchase_order", po.id))
        assert db.session.scalar(sa.select(SalesOrder.id).where(SalesOrder.number == so.number)) == so.id
