"""What the home page shows for purchasing: POs not yet sent, overdue, with open exceptions;
open PO value by vendor. A few aggregate queries whatever the number of POs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import url_for

from core.db import ZERO, db
from core.models import Partner
from core.plugins import Chart, ChartBar, Figure

from .models import OPEN_STATUSES, PurchaseOrder, PurchaseOrderException, PurchaseOrderLine

TOP_VENDORS = 8


def overdue_condition(today: date | None = None) -> sa.ColumnElement[bool]:
    """Open, and its required date has passed."""
    return sa.and_(PurchaseOrder.status.in_(OPEN_STATUSES), PurchaseOrder.required_date < (today or date.today()))


def open_exception_condition() -> sa.ColumnElement[bool]:
    return sa.exists().where(PurchaseOrderException.po_id == PurchaseOrder.id,
                             PurchaseOrderException.resolved.is_(False))


def figures() -> list[Figure | Chart]:
    unsent, overdue, flagged = db.session.execute(sa.select(
        sa.func.count(sa.case((sa.and_(PurchaseOrder.status == "new", PurchaseOrder.sent_at.is_(None)), 1))),
        sa.func.count(sa.case((overdue_condition(), 1))),
        sa.func.count(sa.case((open_exception_condition(), 1))))).one()
    return [
        Figure("POs not yet sent", unsent or 0, url_for("purchase_order.index", status="new"), group="Purchasing",
               order=10, hint="New purchase orders that have not been sent to the vendor."),
        Figure("POs overdue", overdue or 0, url_for("purchase_order.index", overdue=1), group="Purchasing",
               order=20, hint="Open purchase orders whose required date has passed."),
        Figure("Open buyer exceptions", flagged or 0, url_for("purchase_order.index", exceptions=1),
               group="Purchasing", order=30,
               hint="Purchase orders with an exception for the buyer that is not resolved yet."),
        vendor_value_chart(),
    ]


def vendor_value_chart() -> Chart:
    """Value still to be received on open POs, by vendor: the largest few and the rest together."""
    outstanding = sa.func.sum((PurchaseOrderLine.qty_ordered - PurchaseOrderLine.qty_received)
                              * PurchaseOrderLine.unit_cost)
    rows = db.session.execute(
        sa.select(Partner.id, Partner.name, outstanding.label("value"))
        .select_from(PurchaseOrderLine).join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
        .join(Partner, Partner.id == PurchaseOrder.vendor_id)
        .where(PurchaseOrder.status.in_(OPEN_STATUSES), PurchaseOrderLine.closed.is_(False),
               PurchaseOrderLine.qty_ordered > PurchaseOrderLine.qty_received)
        .group_by(Partner.id, Partner.name).order_by(sa.desc("value"), Partner.name)).all()
    bars = [ChartBar(r.name, Decimal(r.value or 0).quantize(Decimal("0.01")),
                     url_for("purchase_order.index", vendor=r.id, status="open")) for r in rows[:TOP_VENDORS]]
    rest = sum((Decimal(r.value or 0) for r in rows[TOP_VENDORS:]), ZERO)
    if rest:
        bars.append(ChartBar(f"{len(rows) - TOP_VENDORS} other vendors", rest.quantize(Decimal("0.01")),
                             url_for("purchase_order.index", status="open")))
    return Chart("Open PO value by vendor", tuple(bars), money=True, order=20,
                 note="Still to be received on open purchase orders, at the PO's cost.")
