"""PO TO VENDOR: when a purchase order is sent, email it to the vendor with the PO as a PDF."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import flash, has_request_context, render_template

from core.db import db

from . import options
from .documents import po_context
from .models import EmailTemplate
from .outbox import queue_email
from .pdf import html_to_pdf
from .render import render
from .types import PO_TO_VENDOR

log = logging.getLogger(__name__)


def po_pdf(po) -> bytes:
    """The printable purchase order (purchase_order's own page) as a PDF, by WeasyPrint."""
    return html_to_pdf(render_template("purchase_order/print.html", po=po))


def vendor_template() -> EmailTemplate | None:
    return db.session.scalar(sa.select(EmailTemplate).where(EmailTemplate.type == PO_TO_VENDOR, EmailTemplate.active)
                             .order_by(EmailTemplate.name))


def on_po_sent(po) -> bool:
    """Queue the PO TO VENDOR email for this send (once per send); False when nothing is queued."""
    if not options.email_po_to_vendor:
        return False
    template = vendor_template()
    if template is None:
        return False
    recipient = (po.email or po.vendor.email or "").strip()
    if not recipient:
        if has_request_context():
            flash(f"Purchase order {po.number} was not emailed: vendor {po.vendor.number} has no e-mail address.",
                  "warning")
        return False
    rendered = render({"subject": template.subject, "body_html": template.body_html,
                       "body_text": template.body_text}, po_context(po))
    try:
        pdf = po_pdf(po)
    except (ImportError, OSError) as exc:  # WeasyPrint's system libraries missing: `make pdf-deps`
        log.warning("purchase order %s: no PDF (%s)", po.number, exc)
        pdf = None
        if has_request_context():
            flash("The purchase order PDF could not be made on this server (WeasyPrint's libraries are "
                  "missing); the email is queued without it.", "warning")
    row = queue_email(dedupe_key=f"po-to-vendor:{po.id}:{po.sent_at.isoformat()}", type=PO_TO_VENDOR,
                      recipient=recipient, rendered=rendered, document=f"PO {po.number}", template_id=template.id,
                      attachment=pdf, attachment_name=f"PO-{po.number}.pdf" if pdf else "")
    if row is not None and has_request_context():
        flash(f"Purchase order {po.number} is in Pending Emails for {recipient}, with the PDF.", "success")
    return row is not None
