"""ORDER ACKNOWLEDGEMENT: a new sales order is saved → one email to the customer, queued in the
save's transaction (seed 001 names the type; the event is sales_order's ``on_sales_order_saved``).

Every path that creates an order goes through sales_order's ``save_order`` (the entry form,
demo data, any import or API built on the service), so one hook covers them all. The
recipient is the order's own e-mail address, else the customer's. Only normal orders (type O)
are acknowledged: credit and debit notes are not orders the customer placed. With neither, nothing is
queued and the clerk is told why once the order is saved (a flash message; a log line outside
a request); the Pending Emails page states the rule.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import flash, has_request_context
from jinja2.exceptions import TemplateError

from core.db import ZERO, db
from core.lifecycle import after_commit

from .company import company_info
from .models import EmailTemplate, OutboxEmail
from .outbox import queue_email
from .render import describe, render
from .types import ORDER_ACK

log = logging.getLogger(__name__)


def ack_template() -> EmailTemplate | None:
    """The active ORDER ACKNOWLEDGEMENT template (the first by name when there are several)."""
    return db.session.scalar(sa.select(EmailTemplate).where(EmailTemplate.type == ORDER_ACK, EmailTemplate.active)
                             .order_by(EmailTemplate.name))


def recipient_of(order) -> str:
    return (order.email or order.customer.email or "").strip()


def order_context(order) -> dict[str, Any]:
    """Plain data for an ORDER ACKNOWLEDGEMENT template (the names are listed in types.BUILTIN)."""
    customer = order.customer
    lines = [{"line_no": ln.line_no, "item_code": ln.item.code, "description": ln.description,
              "qty": ln.qty_ordered, "price": ln.unit_price, "discount_pct": ln.discount_pct or ZERO,
              "value": ln.line_value or ZERO} for ln in sorted(order.active_lines, key=lambda ln: ln.line_no)]
    totals = {"merchandise": order.merchandise, "discount": order.invoice_discount or ZERO, "total": order.total}
    return {
        "customer": {"number": customer.number, "name": customer.name, "email": recipient_of(order)},
        "order": {"number": order.number, "order_date": order.order_date, "customer_po": order.customer_po_number,
                  "requested_ship_date": order.requested_ship_date or "", "ship_to": order.ship_to_address or "",
                  "total": order.total},
        "ship_to": order.ship_to_address or "",
        "lines": lines,
        "totals": totals,
        "company": company_info(),
    }


def dedupe_key(order) -> str:
    return f"order-ack:{order.id}:{order.number}"


def on_order_saved(order, created: bool) -> OutboxEmail | None:
    """Queue the acknowledgement of a new order; None when nothing is queued (re-save, no template,
    no address, already queued)."""
    if not created or order.order_type != "O":  # credit and debit notes are not orders the customer placed
        return None
    template = ack_template()
    if template is None:
        return None
    recipient = recipient_of(order)
    if "@" not in recipient:
        _tell(order, f"neither the order nor customer {order.customer.number} has an e-mail address")
        return None
    try:
        rendered = render({"subject": template.subject, "body_html": template.body_html,
                           "body_text": template.body_text}, order_context(order))
    except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        # a template that fails on this order must not stop order entry: say so, queue nothing
        _tell(order, f"template {template.name} cannot render it ({describe(exc)})")
        return None
    return queue_email(dedupe_key=dedupe_key(order), type=ORDER_ACK, recipient=recipient, rendered=rendered,
                       document=f"SO {order.number}", template_id=template.id)


def _tell(order, why: str) -> None:
    text = f"Order {order.number} was not acknowledged by email: {why}."
    if has_request_context():
        after_commit(lambda: flash(text, "warning"))  # only once the order is really saved
    log.warning(text)
