"""*Supply request in order entry*: when a line's quantity cannot be covered from stock.

The supply request page lists the short lines; plugins offer ways to supply them through
core's ``page_actions`` hook for the page ``"sales_order.supply"`` (purchase order
generation offers to order them). This plugin never calls those plugins itself.
"""

from __future__ import annotations

from decimal import Decimal

from core.db import ZERO

from .models import SalesOrder, SalesOrderLine

PAGE = "sales_order.supply"


def shortage(line: SalesOrderLine) -> Decimal:
    """What stock does not cover of a stocked line's outstanding quantity (0: none)."""
    if not line.stock_controlled or (line.qty_ordered or ZERO) <= 0:
        return ZERO
    return max(ZERO, line.qty_outstanding - (line.qty_to_ship or ZERO) - (line.qty_reserved or ZERO))


def short_lines(order: SalesOrder) -> list[tuple[SalesOrderLine, Decimal]]:
    return [(line, short) for line in order.active_lines if (short := shortage(line)) > 0]


def supply_due(entered: list[SalesOrderLine], mode: str, forward: bool) -> bool:
    """Whether the save should open the supply request page at once.

    ``on_add``: a line just entered (added or its quantity changed) is short;
    ``on_backorder``: such a line's shortage went to back order. A forward order is not
    allocated yet, so nothing is short.
    """
    if forward or mode not in ("on_add", "on_backorder"):
        return False
    if mode == "on_add":
        return any(shortage(line) > 0 for line in entered)
    return any(shortage(line) > 0 and (line.qty_backordered or ZERO) > 0 for line in entered)
