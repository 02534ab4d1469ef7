"""Order actions from the order page: cancel, complete, to warehouse, release for invoicing."""

from __future__ import annotations

from datetime import date

from core.db import ZERO, db
from core.errors import ValidationError

from . import hook, options
from .allocation import release_line
from .credit import authorised, credit_problems, hold
from .models import DONE_STATUSES, SalesOrder


def cancel_order(order: SalesOrder) -> None:
    if order.status in DONE_STATUSES:
        raise ValidationError(None, f"Order {order.number} is {order.status_label.lower()}: it cannot be cancelled.")
    if order.previously_invoiced and not options.cancel_invoiced:
        raise ValidationError(None, f"Order {order.number} has been invoiced: it cannot be cancelled, but has to "
                                    "be set to complete.")
    for line in order.lines:
        release_line(line)
        line.qty_backordered = ZERO
    order.status = "*"
    db.session.flush()
    hook().on_sales_order_cancelled(order=order)
    db.session.flush()


def complete_order(order: SalesOrder, today: date | None = None) -> None:
    if order.status in (*DONE_STATUSES, "S"):
        raise ValidationError(None, f"Order {order.number} is {order.status_label.lower()}.")
    for line in order.lines:
        release_line(line)
        line.qty_backordered = ZERO
    order.status = "9"
    order.completed_on = today or date.today()
    db.session.flush()


def to_warehouse(order: SalesOrder) -> None:
    if order.status not in ("1", "3"):
        raise ValidationError(None, "Only open or released back orders can go to the warehouse (status 4).")
    order.status = "4"
    db.session.flush()


def release_for_invoicing(order: SalesOrder) -> list[str]:
    """Status 1/3/4 -> 8, with the *Credit check for orders that are to be released*; returns warnings."""
    if order.status not in ("1", "3", "4"):
        raise ValidationError(None, "Only orders in status 1, 3 or 4 can be released for invoicing.")
    mode = options.release_credit_check
    if mode != "none":
        reasons = credit_problems(order, limit=True, terms=True)
        if reasons and not authorised(order):
            if mode == "reject":
                raise ValidationError(None, "Release refused (credit): " + " ".join(reasons))
            hold(order, reasons)
            db.session.flush()
            return ["The order needs a credit authorisation before release: " + order.hold_reason]
    order.status = "8"
    db.session.flush()
    return []
