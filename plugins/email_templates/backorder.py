"""BACK ORDER emails: a PO line takes a status with a BACK ORDER template → one email per
customer whose sales order lines wait on that PO line (seed 001)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from flask import current_app, flash, has_request_context

from core.db import db
from core.models import Partner
from core.plugins import host_of

from .company import company_info
from .models import EmailTemplate, StatusTemplate
from .outbox import queue_email
from .render import render
from .types import BACK_ORDER


def template_for_status(status_id: int | None) -> EmailTemplate | None:
    """The active BACK ORDER template linked to a PO line status, if any."""
    if status_id is None:
        return None
    return db.session.scalar(
        sa.select(EmailTemplate).join(StatusTemplate, StatusTemplate.template_id == EmailTemplate.id)
        .where(StatusTemplate.po_line_status_id == status_id, EmailTemplate.active,
               EmailTemplate.type == BACK_ORDER))


def demand_for(po_line_ids: list[int]) -> list[dict[str, Any]]:
    """Sales order lines waiting on these PO lines, from every bridge that links them."""
    results = host_of(current_app).hook.purchase_line_demand(po_line_ids=po_line_ids)
    return [row for group in results for row in (group or [])]


def backorder_context(po_line, status, customer: Partner, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Plain data for a BACK ORDER template (see types.BUILTIN for the names)."""
    return {
        "customer": {"number": customer.number, "name": customer.name, "email": customer.email or ""},
        "orders": sorted({r["order_number"] for r in rows}),
        "lines": [{"item_code": r["item_code"], "description": r["description"], "qty": r["qty"],
                   "order_number": r["order_number"]} for r in rows],
        "po_number": po_line.po.number,
        "status": {"code": status.code, "description": status.description},
        "expected_date": po_line.required_date or po_line.po.required_date or "",
        "company": company_info(),
    }


def on_status_changed(po_line, old: int | None, new: int | None) -> int:
    """Queue the BACK ORDER emails for ``po_line``'s new status; returns how many were queued."""
    template = template_for_status(new)
    if template is None:
        return 0
    from plugins.purchase_order.models import PoLineStatus

    status = db.session.get(PoLineStatus, new)
    by_customer: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in demand_for([po_line.id]):
        by_customer[row["customer_id"]].append(row)
    queued = 0
    for customer_id, rows in sorted(by_customer.items()):
        customer = db.session.get(Partner, customer_id)
        if not (customer.email or "").strip():
            if has_request_context():
                flash(f"No back-order email for {customer}: the customer has no e-mail address.", "warning")
            continue
        context = backorder_context(po_line, status, customer, rows)
        rendered = render({"subject": template.subject, "body_html": template.body_html,
                           "body_text": template.body_text}, context)
        # the event: this PO line took this status, for this customer; toggling back and forth
        # does not mail the customer again
        key = f"backorder:{po_line.id}:{new}:{customer_id}"
        if queue_email(dedupe_key=key, type=BACK_ORDER, recipient=customer.email, rendered=rendered,
                       document=f"PO {po_line.po.number} line {po_line.line_no}", template_id=template.id,
                       order_numbers=[r["order_number"] for r in rows]):
            queued += 1
    return queued
