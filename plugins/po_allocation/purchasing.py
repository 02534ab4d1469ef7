"""What this plugin needs from purchase_order, in one place.

A PO line belongs to purchase_order: its status is set through purchase_order's own
services, so that its checks and events run (email_templates queues the BACK ORDER
email from ``on_po_line_status_changed``, fired by PO entry's save). The dedicated
``set_line_status(po_line, status_id)`` is used when purchase_order offers it; until
then the PO is saved through PO entry's own service with every line as it is and only
that line's status changed.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from core.db import db
from plugins.purchase_order import services as po_services
from plugins.purchase_order.models import PoLineStatus, PurchaseOrderLine

log = logging.getLogger(__name__)
LINE_KEYS = ("item_id", "vendor_item_code", "description", "qty_ordered", "unit_cost", "required_date",
             "line_status_id")


def status_id(code: str) -> int | None:
    return db.session.scalar(sa.select(PoLineStatus.id).where(PoLineStatus.code == code)) if code else None


def set_line_status(po_line: PurchaseOrderLine, code: str) -> bool:
    """Give ``po_line`` the status ``code`` through purchase_order; False when nothing changed."""
    sid = status_id(code)
    if sid is None or po_line.line_status_id == sid:
        return False
    setter = getattr(po_services, "set_line_status", None)
    if setter is not None:
        setter(po_line, sid)
        return True
    po = po_line.po
    lines = [{"id": ln.id, **{k: getattr(ln, k) for k in LINE_KEYS}} for ln in po.lines]
    for data in lines:
        if data["id"] == po_line.id:
            data["line_status_id"] = sid
    try:
        po_services.save_purchase_order(po, vendor_id=po.vendor_id, order_type=po.order_type, header={},
                                        lines=lines)
    except po_services.PurchaseOrderError as exc:  # a PO that cannot change keeps its line status
        log.info("PO %s line %s keeps its status: %s", po.number, po_line.line_no, exc)
        return False
    return True


def default_warehouse_id() -> int | None:
    return po_services.default_warehouse_id()
