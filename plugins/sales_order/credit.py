"""Credit checks (Credit tab): holding orders in suspense (status S) and authorising them."""

from __future__ import annotations

from datetime import date

from core.db import db
from core.errors import ValidationError
from core.models import utcnow

from . import options
from .models import SalesOrder
from .queries import outstanding_order_value
from .rules import credit_limit_excess, terms_days_over


def credit_problems(order: SalesOrder, *, limit: bool, terms: bool, today: date | None = None) -> list[str]:
    """Reasons the order fails the credit checks asked for (empty: passes)."""
    reasons: list[str] = []
    if not (limit or terms):
        return reasons  # both checks off: read neither the customer's figures nor the credit options
    customer = order.customer
    if order.order_type in ("C", "D") or order.status == "F":
        return reasons  # SYSPRO: no credit checking on forward orders, credit notes and debit notes
    if limit:
        excess = credit_limit_excess(limit=customer.credit_limit, balance=customer.current_balance,
                                     outstanding=outstanding_order_value(customer.id, order.id),
                                     this_order=order.total)
        if excess > 0:
            reasons.append(f"Credit limit {customer.credit_limit:,.2f} exceeded by {excess:,.2f}.")
    if terms:
        over = terms_days_over(terms_days=customer.terms_days, order_date=today or order.order_date,
                               oldest_unpaid=customer.oldest_unpaid_invoice_date,
                               credit_status=customer.credit_status,
                               use_credit_status=options.terms_use_credit_status)
        if over > 0:
            reasons.append(f"Customer's terms have been exceeded by {over} days.")
    return reasons


def authorised(order: SalesOrder) -> bool:
    """An authorisation covers the order while its total stays within the authorised total."""
    return order.credit_authorised_total is not None and order.total <= order.credit_authorised_total


def hold(order: SalesOrder, reasons: list[str]) -> None:
    if order.status != "S":
        order.held_from = order.status
    order.status = "S"
    order.hold_reason = " ".join(reasons)


def lift_hold(order: SalesOrder) -> None:
    """The order passes its checks again: back to the status it was held from."""
    order.status, order.held_from, order.hold_reason = (order.held_from or "1"), None, ""


def authorise(order: SalesOrder, user_id: int | None) -> None:
    """Release an order from suspense (credit); the authorised total is remembered."""
    if order.status != "S":
        raise ValidationError(None, "Only orders in suspense (status S) need a credit authorisation.")
    order.status = order.held_from if order.held_from not in (None, "S") else "1"
    order.held_from = None
    order.hold_reason = ""
    order.credit_authorised_by_id = user_id
    order.credit_authorised_at = utcnow()
    order.credit_authorised_total = order.total
    db.session.flush()
