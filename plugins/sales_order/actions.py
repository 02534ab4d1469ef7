"""Order actions from the order page: cancel, complete, to warehouse, release for invoicing."""

from __future__ import annotations

from datetime import date

from core.db import ZERO, db
from core.errors import ValidationError

from . import hook, options
from .allocation import release_line
from .credit import authorised, credit_problems, hold
from .models import DONE_STATUSES, SalesOrder
from .queries import invoice_number_used


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
    hook().on_sales_order_completed(order=order)


def to_warehouse(order: SalesOrder) -> None:
    if order.status not in ("1", "3"):
        raise ValidationError(None, "Only open or released back orders can go to the warehouse (status 4).")
    order.status = "4"
    db.session.flush()


def release_for_invoicing(order: SalesOrder, invoice_number: str = "", invoice_date: date | None = None
                          ) -> list[str]:
    """Status 1/3/4 -> 8, with the *Credit check for orders that are to be released*; returns warnings.

    From the warehouse (status 4) the invoice number and date are taken when the options ask
    for them; the order's next invoice uses them.
    """
    if order.status not in ("1", "3", "4"):
        raise ValidationError(None, "Only open orders (1), released back orders (3) and orders in the warehouse (4) can be released for invoicing.")
    from_warehouse = order.status == "4"
    if from_warehouse:
        _asked_invoice_fields(order, invoice_number, invoice_date)
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


def _asked_invoice_fields(order: SalesOrder, invoice_number: str, invoice_date: date | None) -> None:
    """*Request invoice number / date when released from status 4* (unasked values are ignored)."""
    o = options.current()
    errors: list[tuple[str | None, str]] = []
    number = (invoice_number or "").strip()
    if o["request_invoice_number"] and number:  # unavailable unless release numbering is manual
        if len(number) > 20:
            errors.append(("invoice_number", "An invoice number has at most 20 characters."))
        elif invoice_number_used(number, order.customer_id if o["invoice_number_per_customer"] else None):
            errors.append(("invoice_number", f"Invoice number {number} is already used."))
        order.release_invoice_number = number
    if o["request_invoice_date"]:
        if invoice_date is None:
            errors.append(("invoice_date", "Enter the invoice date (YYYY-MM-DD)."))
        order.release_invoice_date = invoice_date
    if errors:
        raise ValidationError.many(errors)
