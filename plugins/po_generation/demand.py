"""Who waits on a PO line: the sales order lines linked to it (``purchase_line_demand``)."""

from __future__ import annotations

import sqlalchemy as sa

from core.db import db
from core.models import Item
from plugins.sales_order.models import SalesOrder, SalesOrderLine

from .models import PoGenLink


def purchase_line_demand(po_line_ids: list[int]) -> list[dict]:
    """Plain rows, one per link, for the PO lines given (see the hookspec)."""
    if not po_line_ids:
        return []
    rows = db.session.execute(
        sa.select(PoGenLink.po_line_id, PoGenLink.so_line_id, PoGenLink.qty, SalesOrder.number,
                  SalesOrder.customer_id, Item.code, SalesOrderLine.description)
        .join(SalesOrderLine, SalesOrderLine.id == PoGenLink.so_line_id)
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
        .join(Item, Item.id == SalesOrderLine.item_id)
        .where(PoGenLink.po_line_id.in_(po_line_ids), SalesOrder.status != "*")
        .order_by(SalesOrder.number, SalesOrderLine.line_no)).all()
    return [{"po_line_id": r.po_line_id, "so_line_id": r.so_line_id, "order_number": r.number,
             "customer_id": r.customer_id, "item_code": r.code, "description": r.description, "qty": r.qty}
            for r in rows]
