"""What the home page shows for sales: credit holds, back orders waiting and ready, back-order ageing.

A few aggregate queries whatever the number of orders (``dashboard_figures``).
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import url_for

from core.db import db
from core.models import StockLevel
from core.plugins import Chart, ChartBar, Figure

from .models import SalesOrder, SalesOrderLine
from .queries import BACKORDER_STATUSES

AGES = ((7, "0–7 days"), (14, "8–14 days"), (30, "15–30 days"), (60, "31–60 days"))
OLDER = "Over 60 days"


def _backorder_lines(*columns) -> sa.Select:
    return (sa.select(*columns).select_from(SalesOrderLine).join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
            .where(SalesOrderLine.qty_backordered > 0, SalesOrder.status.in_(BACKORDER_STATUSES)))


def ready_condition() -> sa.ColumnElement[bool]:
    """A back-ordered line is ready to release when its warehouse has stock of its item available now."""
    return sa.exists().where(StockLevel.item_id == SalesOrderLine.item_id,
                             StockLevel.warehouse_id == SalesOrderLine.warehouse_id,
                             StockLevel.on_hand - StockLevel.allocated > 0)


def figures() -> list[Figure | Chart]:
    held = db.session.scalar(sa.select(sa.func.count()).select_from(SalesOrder).where(SalesOrder.status == "S"))
    waiting, ready = db.session.execute(_backorder_lines(
        sa.func.count(), sa.func.count(sa.case((ready_condition(), 1))))).one()
    return [
        Figure("Orders on credit hold", held or 0, url_for("sales_order.index", status="S"), order=10,
               hint="Orders in suspense until someone with credit authority releases them."),
        Figure("Back orders waiting", waiting or 0, url_for("sales_order.backorders"), order=20,
               hint="Back-ordered order lines not yet released."),
        Figure("Back orders ready to release", ready or 0, url_for("sales_order.backorders", ready=1), order=21,
               hint="Back-ordered lines whose warehouse has stock of the item available now."),
        ageing_chart(),
    ]


def ageing_chart(today: date | None = None) -> Chart:
    """Back-ordered lines by the age of their order (one grouped query)."""
    today = today or date.today()
    bucket = sa.case(*[(SalesOrder.order_date >= today - timedelta(days=days), label) for days, label in AGES],
                     else_=OLDER).label("bucket")
    rows = dict(db.session.execute(_backorder_lines(bucket, sa.func.count()).group_by(bucket)).all())
    url = url_for("sales_order.backorders")
    bars = tuple(ChartBar(label, rows.get(label, 0), url) for label in [*(lb for _, lb in AGES), OLDER])
    return Chart("Back-order ageing", bars, order=10, note="Back-ordered lines by the age of their order.")
