"""Plain data from real documents, for sending and for the editor's preview."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError
from core.models import Partner

from .company import company_info
from .types import BACK_ORDER, ORDER_ACK, PO_TO_VENDOR


def _load_po(number: str):
    from plugins.purchase_order.models import PurchaseOrder

    po = db.session.scalar(sa.select(PurchaseOrder).where(PurchaseOrder.number == number.strip()))
    if po is None:
        raise ValidationError("preview_po", f"No purchase order {number.strip()}.")
    return po


def po_context(po) -> dict[str, Any]:
    """PO TO VENDOR data. Internal notes (the PO's comment) are never included."""
    return {
        "vendor": {"number": po.vendor.number, "name": po.vendor.name, "email": po.vendor.email or ""},
        "po": {"number": po.number, "order_date": po.order_date, "required_date": po.required_date or "",
               "ship_to": po.ship_to_address or "", "total": po.total},
        "lines": [{"line_no": ln.line_no, "item_code": ln.item.code, "vendor_item_code": ln.vendor_item_code or "",
                   "description": ln.description, "qty": ln.qty_ordered, "unit_cost": ln.unit_cost,
                   "value": ln.line_value} for ln in po.lines],
        "company": company_info(),
    }


def backorder_preview_context(po) -> dict[str, Any]:
    from .backorder import backorder_context, demand_for

    rows = demand_for([ln.id for ln in po.lines])
    if not rows:
        raise ValidationError("preview_po", f"No sales order waits on purchase order {po.number}.")
    first = rows[0]
    line = next(ln for ln in po.lines if ln.id == first["po_line_id"])
    customer = db.session.get(Partner, first["customer_id"])
    mine = [r for r in rows if r["customer_id"] == first["customer_id"] and r["po_line_id"] == line.id]
    status = line.line_status or _NoStatus()
    return backorder_context(line, status, customer, mine)


class _NoStatus:
    code, description = "", "(no status yet)"


def _sales_order_context(number: str) -> dict[str, Any]:
    from plugins.sales_order.models import SalesOrder

    from .acknowledgement import order_context

    order = db.session.scalar(sa.select(SalesOrder).where(SalesOrder.number == number.strip()))
    if order is None:
        raise ValidationError("preview_po", f"No sales order {number.strip()}.")
    return order_context(order)


def real_context(type_code: str, po_number: str) -> dict[str, Any] | None:
    """The context of a real document for the preview (a PO number, or a sales order number for an
    ORDER ACKNOWLEDGEMENT), or None when no number is given."""
    if not po_number.strip():
        return None
    if type_code == ORDER_ACK:
        return _sales_order_context(po_number)
    po = _load_po(po_number)
    if type_code == BACK_ORDER:
        return backorder_preview_context(po)
    if type_code == PO_TO_VENDOR:
        return po_context(po)
    raise ValidationError("preview_po", "This type previews on sample data only.")
