"""Credit checks (Credit tab): holding orders in suspense (status S) and authorising them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.db import ZERO, db
from core.errors import ValidationError
from core.models import utcnow

from . import options
from .models import DONE_STATUSES, SalesOrder, SalesOrderLine
from .queries import outstanding_order_value, ship_value_ready
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
    order.suspended_manually = False
    order.credit_authorised_by_id = user_id
    order.credit_authorised_at = utcnow()
    order.credit_authorised_total = order.total
    db.session.flush()


def ship_share(line: SalesOrderLine, qty: Decimal) -> Decimal:
    """The money value of ``qty`` of a line (its value pro rata)."""
    if not line.qty_ordered:
        return ZERO
    return ((line.line_value or ZERO) * qty / line.qty_ordered).quantize(Decimal("0.01"))


def ship_move_problem(order: SalesOrder, moved_value: Decimal) -> str | None:
    """*Apply check when quantity moved to ship*: why moving ``moved_value`` more to ship fails.

    Credit limit only, as the seed says: the customer's balance, the ship value of their
    orders ready to invoice, this order's ship value and what is being moved.
    """
    if not options.credit_check_on_ship_move or order.order_type != "O" or authorised(order):
        return None  # unavailable unless the limit is checked on current orders only
    customer = order.customer
    on_ship = sum((ship_share(line, line.qty_to_ship or ZERO) for line in order.lines), ZERO)
    excess = credit_limit_excess(limit=customer.credit_limit, balance=customer.current_balance,
                                 outstanding=ship_value_ready(customer.id, order.id),
                                 this_order=on_ship + moved_value)
    if excess > 0:
        return f"Credit limit {customer.credit_limit:,.2f} exceeded by {excess:,.2f} by moving quantity to ship."
    return None


def suspend(order: SalesOrder, note: str = "") -> None:
    """Put an order in suspense by hand (not a credit check)."""
    if order.status in (*DONE_STATUSES, "S"):
        raise ValidationError(None, f"Order {order.number} is {order.status_label.lower()}: it cannot be put "
                                    "in suspense.")
    hold(order, ["Put in suspense by hand." + (f" {note.strip()}" if note.strip() else "")])
    order.suspended_manually = True
    db.session.flush()


def release_suspense(order: SalesOrder, user_id: int | None, *, credit_authority: bool) -> None:
    """Release an order put in suspense by hand; *Credit authority needed ...* says who may."""
    if order.status != "S" or not order.suspended_manually:
        raise ValidationError(None, "Only an order put in suspense by hand can be released this way; an order "
                                    "held by a credit check needs a credit authorisation.")
    if options.credit_authority_manual_release and not credit_authority:
        raise ValidationError(None, f"Order {order.number} needs a user with credit authority to release it "
                                    "(setup option Credit authority needed to release orders placed in "
                                    "suspense manually).")
    if credit_authority:
        authorise(order, user_id)
    else:
        lift_hold(order)
        order.suspended_manually = False
    db.session.flush()
