"""Printable sales documents: the order confirmation and the invoice (PDF through email_templates' path)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template
from sqlalchemy.orm import joinedload, selectinload

from core.auth import require
from core.db import db

from . import options
from .models import SalesInvoice, SalesInvoiceLine
from .views import bp, order_for_page


@bp.route("/<int:order_id>/print")
@require()
def print_order(order_id: int):
    return render_template("sales_order/print_order.html", order=order_for_page(order_id), opts=options.current())


def invoice_for_page(invoice_id: int) -> SalesInvoice | None:
    return db.session.scalars(
        sa.select(SalesInvoice).where(SalesInvoice.id == invoice_id)
        .options(joinedload(SalesInvoice.order), selectinload(SalesInvoice.lines).joinedload(SalesInvoiceLine.item),
                 selectinload(SalesInvoice.lines).joinedload(SalesInvoiceLine.so_line))).one_or_none()


@bp.route("/invoices/<int:invoice_id>/print")
@require()
def print_invoice(invoice_id: int):
    invoice = invoice_for_page(invoice_id)
    if invoice is None:
        abort(404)
    return render_template("sales_order/print_invoice.html", invoice=invoice, order=invoice.order,
                           opts=options.current())
