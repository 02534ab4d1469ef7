"""Sending a purchase order to its vendor, closing, cancelling and deleting it."""

from __future__ import annotations

from core.db import db
from core.errors import ValidationError
from core.models import utcnow

from .. import activity_log
from ..common import (
    CLOSED_STATUSES,
    check_reason_code,
    deleted_reason_required,
    has_receipts,
    history_row,
    hooks,
    refresh_status,
    retain_deleted,
)
from ..documents import delete_purchase_orders
from ..models import PurchaseOrder


def send_purchase_order(po: PurchaseOrder, *, user_id: int | None) -> None:
    """Mark ``po`` sent to its vendor (who and when) and fire ``on_purchase_order_sent``."""
    if po.status in CLOSED_STATUSES:
        raise ValidationError(None, f"A {po.status_label.lower()} purchase order cannot be sent.")
    if not po.lines:
        raise ValidationError(None, "A purchase order without lines cannot be sent.")
    po.sent_at, po.sent_by_id = utcnow(), user_id
    refresh_status(po)
    activity_log.log(po, "sent", "Marked as sent to the vendor")
    db.session.flush()
    hooks().on_purchase_order_sent(po=po)


def close_purchase_order(po: PurchaseOrder) -> None:
    """Close every open line; the PO completes as closed."""
    if po.status in CLOSED_STATUSES:
        raise ValidationError(None, f"A {po.status_label.lower()} purchase order cannot be closed.")
    for ln in po.lines:
        ln.closed = True
    refresh_status(po)
    activity_log.log(po, "closed", "Every open line closed")
    db.session.flush()


def cancel_purchase_order(po: PurchaseOrder, *, reason_code: str | None = None, user_id: int | None = None) -> None:
    """Cancel ``po`` (kept, status cancelled, lines closed); refused once goods were received.

    The reason code is required when *Retain Deleted Orders* says Prompt.
    """
    if po.status == "cancelled":
        raise ValidationError(None, "The purchase order is already cancelled.")
    if has_receipts(po):
        raise ValidationError(None, "Goods were received on this purchase order: close it instead of cancelling.")
    code = check_reason_code(reason_code, required=deleted_reason_required("order"))
    hooks().on_purchase_order_cancelled(po=po)
    po.status, po.cancel_reason, po.completed_at = "cancelled", code, utcnow()
    for ln in po.lines:
        ln.closed = True
    activity_log.log(po, "cancelled", f"Reason code {code}" if code else "")
    if retain_deleted("order"):
        db.session.add(history_row(po, "cancelled", code, user_id))
    db.session.flush()


def delete_purchase_order(po: PurchaseOrder, *, reason_code: str | None = None, user_id: int | None = None,
                          require_reason: bool = False) -> str:
    """Delete ``po`` (see :func:`..documents.delete_purchase_orders`); return its number.

    ``require_reason``: the entry page asks for a code when *Retain Deleted Orders* says Prompt.
    """
    check_reason_code(reason_code, required=require_reason)
    return delete_purchase_orders([po.id], reason_code=reason_code, user_id=user_id)[0]
