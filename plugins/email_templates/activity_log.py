"""What email_templates writes to the activity logs (:mod:`core.activity`).

An email names its document in words (``"PO 0100022"``, ``"PO 0100022 line 2"``); the
entry goes to that purchase order's log; a back-order email's queueing also goes to the
log of each sales order it tells the customer about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa

from core import activity
from core.db import db
from plugins.purchase_order.models import PurchaseOrder
from plugins.sales_order.models import SalesOrder

_PO = re.compile(r"^PO (\S+)")


def _po_of(document: str) -> tuple[int, str] | None:
    match = _PO.match(document or "")
    if not match:
        return None
    po_id = db.session.scalar(sa.select(PurchaseOrder.id).where(PurchaseOrder.number == match.group(1)))
    return (po_id, match.group(1)) if po_id else None


def email_event(document: str, action: str, details: str, order_numbers: Iterable[str] = ()) -> None:
    """Record ``action`` (``email_queued``, ``email_sent``, ``email_failed``) on the documents the email is about."""
    po = _po_of(document)
    if po is not None:
        activity.record("purchase_order", po[0], action, details, number=po[1])
    numbers = sorted(set(order_numbers))
    if numbers:
        for so_id, number in db.session.execute(sa.select(SalesOrder.id, SalesOrder.number)
                                                .where(SalesOrder.number.in_(numbers))):
            activity.record("sales_order", so_id, action, details, number=number)
