"""What this plugin needs from sales_order, in one place (its public service functions).

``release_backorder`` moves back-ordered quantity to ship and reserves the stock for a
stocked line; a receipt has just put that stock on hand. When sales_order offers a
function that reserves received goods for a back order without releasing it (its
*Manual* back-order option), it belongs here.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from core.db import ZERO, db
from core.errors import ValidationError
from plugins.sales_order import services as so_services
from plugins.sales_order.models import SalesOrderLine

OPEN_FOR_RELEASE = ("1", "2", "3", "4", "8")
# sales_order refuses with OrderRefused here, with core's ValidationError once it has one error type
REFUSED: tuple[type[Exception], ...] = tuple(
    cls for cls in (getattr(so_services, "OrderRefused", None), ValidationError) if cls is not None)


def release_to_line(line: SalesOrderLine, qty: Decimal) -> Decimal:
    """Release up to ``qty`` of the line's back order; returns what was released (maybe 0)."""
    qty = min(qty, line.qty_backordered or ZERO)
    if qty <= 0 or line.order.status not in OPEN_FOR_RELEASE:
        return ZERO
    try:
        so_services.release_backorder(line, qty)
    except REFUSED:
        return ZERO  # not in stock in the line's warehouse: the goods stay free stock
    return qty


def lock_line(so_line_id: int) -> SalesOrderLine | None:
    """The line, fresh, with its order's row locked (two clerks assigning one line queue)."""
    order_id = db.session.scalar(
        sa.select(SalesOrderLine.order_id).where(SalesOrderLine.id == so_line_id))
    if order_id is None or so_services.lock_order(order_id) is None:
        return None
    line = db.session.get(SalesOrderLine, so_line_id)
    db.session.refresh(line)
    return line
