"""What this plugin needs from purchase_order, in one place.

A PO line belongs to purchase_order: its status is set through purchase_order's own
service (``set_line_status(po_line, status_code)``), so that its checks and events (the
BACK ORDER email of email_templates) run. Until purchase_order offers it, nothing is
written and :func:`set_line_status` answers False.
"""

from __future__ import annotations

import logging

from plugins.purchase_order import services as po_services
from plugins.purchase_order.models import PurchaseOrderLine

log = logging.getLogger(__name__)


def set_line_status(po_line: PurchaseOrderLine, code: str) -> bool:
    """Give ``po_line`` the status ``code`` through purchase_order; False when it cannot."""
    setter = getattr(po_services, "set_line_status", None)
    if not code or setter is None:
        if code:
            log.info("purchase_order offers no set_line_status: PO line %s keeps its status", po_line.id)
        return False
    setter(po_line, code)
    return True


def default_warehouse_id() -> int | None:
    return po_services.default_warehouse_id()
