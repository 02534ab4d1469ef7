"""What this plugin needs from sales_order, in one place (its public service functions).

``release_received`` holds received goods for a back-ordered line (to ship, or reserved and
ready to release, as sales_order's *Release of received back orders* says); ``unrelease``
undoes it when the goods go back to the vendor.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from core.db import db
from plugins.sales_order import services as so_services
from plugins.sales_order.models import SalesOrderLine


def release_to_line(line: SalesOrderLine, qty: Decimal) -> Decimal:
    """Release up to ``qty`` of the line's back order (sales_order's one receipt release)."""
    return so_services.release_received(line, qty)


def unrelease_line(line: SalesOrderLine, qty: Decimal) -> Decimal:
    """Put back on back order up to ``qty`` a receipt released to the line and not shipped."""
    return so_services.unrelease(line, qty)


def lock_line(so_line_id: int) -> SalesOrderLine | None:
    """The line, fresh, with its order's row locked (two clerks assigning one line queue)."""
    order_id = db.session.scalar(
        sa.select(SalesOrderLine.order_id).where(SalesOrderLine.id == so_line_id))
    if order_id is None or so_services.lock_order(order_id) is None:
        return None
    line = db.session.get(SalesOrderLine, so_line_id)
    db.session.refresh(line)
    return line
