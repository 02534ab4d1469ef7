"""*Reset Purchase Orders* (SalesPRO): delete a sales order's POs so they can be made again.

Refused when any attached PO has received goods; POs already sent to the vendor are
listed and need an explicit confirmation, and only a buyer (purchasing role) may
delete them, however the reset is reached. Deleted POs go to history with the reason
code when *Retain Deleted Orders* says so (a code is required when it says Prompt).
"""

from __future__ import annotations

from dataclasses import dataclass

from core import activity
from core.db import db
from core.errors import ValidationError
from plugins.purchase_order.models import PurchaseOrder
from plugins.sales_order.models import SalesOrder

from . import links, purchasing, settings
from .rules import ZERO


@dataclass
class ResetCheck:
    pos: list[PurchaseOrder]
    received: list[PurchaseOrder]
    sent: list[PurchaseOrder]

    @property
    def allowed(self) -> bool:
        return not self.received


def reset_check(order: SalesOrder) -> ResetCheck:
    pos = purchasing.load_pos(links.po_ids_of_order(order.id))
    received = [p for p in pos if purchasing.has_receipts(p)]
    sent = [p for p in pos if purchasing.is_sent(p) and p not in received]
    return ResetCheck(pos, received, sent)


def _refusals(check: ResetCheck, *, confirm_sent: bool, may_delete_sent: bool,
              reason_code: str | None) -> list[tuple[str | None, str]]:
    if check.received:
        return [(None, "Purchase orders with received goods cannot be reset: "
                 + ", ".join(p.number for p in check.received))]
    errors: list[tuple[str | None, str]] = []
    if check.sent and not may_delete_sent:
        errors.append(("confirm_sent", "Only a buyer (purchasing role) may delete purchase orders already sent to "
                                       "the vendor: " + ", ".join(p.number for p in check.sent)))
    elif check.sent and not confirm_sent:
        errors.append(("confirm_sent", "These purchase orders were already sent to the vendor; confirm to delete "
                                       "them: " + ", ".join(p.number for p in check.sent)))
    if purchasing.reason_required() and not (reason_code or "").strip():
        errors.append(("reason_code", "A cancel/reason code is required (Retain Deleted Orders is Prompt)."))
    return errors


def reset_purchase_orders(order: SalesOrder, *, confirm_sent: bool = False, reason_code: str | None = None,
                          user_id: int | None = None, may_delete_sent: bool = True) -> list[str]:
    """Delete the order's POs (only its lines from POs shared with other orders); returns
    what was deleted. Raises :class:`ValidationError`. Flushes only."""
    check = reset_check(order)
    errors = _refusals(check, confirm_sent=confirm_sent, may_delete_sent=may_delete_sent, reason_code=reason_code)
    if errors:
        raise ValidationError.many(errors)
    code = purchasing.check_reason_code(reason_code) if reason_code else None
    deleted: list[str] = []
    alone: list[int] = []
    rows = links.links(so_id=order.id)
    for po in check.pos:
        if not links.other_orders_on_po(po.id, order.id):
            alone.append(po.id)
            continue
        mine = [r for r in rows if r.po_id == po.id]
        for r in mine:
            links.set_link_qty(r.link_id, ZERO)
        purchasing.change_line_quantities({r.po_line_id: r.po_line_qty - r.qty for r in mine},
                                          reason=f"Sales order {order.number}: purchase orders reset",
                                          sent_confirmed=confirm_sent)
        deleted.append(f"{po.number} (this order's lines only)")
    deleted += purchasing.delete_purchase_orders(alone, reason_code=code, user_id=user_id,
                                                 reason=f"Sales order {order.number}: purchase orders reset")
    activity.record("sales_order", order.id, "pos_reset", "Deleted: " + (", ".join(deleted) or "none attached"),
                    number=order.number)
    links.record_event(order.id, "reset", "Reset purchase orders: " + (", ".join(deleted) or "none attached"),
                       user_id=user_id)
    db.session.flush()
    return deleted


def after_reset_advice() -> str:
    """What brings the POs back, as the options stand (saving regenerates only with
    *Generate Automatically When a Sales Order Is Saved*)."""
    o = settings.current()
    if o["generate_on_save"]:
        return "Save the order or press Generate POs to create them again."
    if o["enable_in_entry"]:
        return "Press Generate POs to create them again."
    return "Use Auto generate POs to create them again."
