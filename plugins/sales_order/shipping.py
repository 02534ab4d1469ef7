"""Shipping and invoicing: one invoice per shipment, back orders by the *Back orders* option."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from core import stock
from core.db import ZERO, db
from core.errors import ValidationError
from core.numbering import next_number
from core.options import Options

from . import hook, options, pricing
from .allocation import auto_release
from .credit import authorised, hold, ship_move_problem
from .models import DONE_STATUSES, SalesInvoice, SalesInvoiceLine, SalesOrder, SalesOrderLine
from .queries import invoice_number_used, ship_value_ready
from .rules import credit_limit_excess, number_problem

INVOICE_SEQUENCE = "so_invoice"
NOT_SHIPPABLE = ("S", "F", *DONE_STATUSES)  # suspense, forward, complete, cancelled
QTY = SalesOrderLine.__table__.c.qty_shipped.type


def ship_order(order: SalesOrder, quantities: dict[int, Decimal], *, user_id: int | None = None,
               today: date | None = None) -> tuple[SalesInvoice | None, list[str]]:
    """Ship (invoice) the given quantities per line id; the rest follows the *Back orders* option.

    Returns the invoice and warnings. When the invoice-time credit check fails the order is
    put in suspense instead (no invoice) and the caller keeps that: it is not a refusal.
    """
    o = options.current()
    today = today or date.today()
    if order.status in NOT_SHIPPABLE:
        raise ValidationError(None, f"Order {order.number} is {order.status_label.lower()}: it cannot be shipped.")
    lines = {line.id: line for line in order.lines}
    wanted = _checked_quantities(lines, quantities)
    invoice_lines = [
        SalesInvoiceLine(so_line_id=lid, item_id=lines[lid].item_id, qty=q, unit_price=lines[lid].unit_price,
                         line_value=pricing.line_value(lines[lid].unit_price, q, lines[lid].discount_pct,
                                                       o["discount_method"], o["price_decimals"]))
        for lid, q in wanted.items()
    ]
    discount = pricing.invoice_discount(
        [(pricing.gross_value(il.unit_price, il.qty), il.line_value) for il in invoice_lines],
        order.invoice_discount_pct, o["invoice_discount_after_line"])
    invoice_total = sum((il.line_value for il in invoice_lines), ZERO) - discount
    if reason := _invoice_credit_problem(order, o, invoice_total):
        hold(order, [reason])
        db.session.flush()
        return None, ["The invoice would exceed the customer's credit limit: the order is now in suspense until "
                      "authorised. " + order.hold_reason]
    # a savepoint: when a plugin refuses the shipment, the order reads again as it was
    with db.session.begin_nested():
        invoice_date = order.release_invoice_date or today  # asked at release (read before it is used up)
        scope = order.customer_id if o["invoice_number_per_customer"] else 0
        invoice = SalesInvoice(number=_invoice_number(order, o), number_scope=scope, order=order,
                               invoice_date=invoice_date,
                               total=invoice_total, invoice_discount=discount, created_by_id=user_id,
                               lines=invoice_lines)
        db.session.add(invoice)
        for lid, q in wanted.items():
            _ship_line(lines[lid], q)
        _after_invoice(order, set(wanted), o, today)
        db.session.flush()
        hook().on_sales_order_shipped(order=order, shipment=invoice)
        db.session.flush()
    return invoice, []


def _checked_quantities(lines: dict[int, SalesOrderLine], quantities: dict[int, Decimal]) -> dict[int, Decimal]:
    errors: list[tuple[str | None, str]] = []
    wanted = {}
    for line_id, qty in quantities.items():
        line = lines.get(line_id)
        if line is None or qty is None or qty == 0:
            continue
        field = f"ship-{line.id}"
        if problem := number_problem(qty, QTY):
            errors.append((field, problem))
            continue
        limit = line.qty_to_ship or ZERO
        if (qty > 0) != (limit > 0) or abs(qty) > abs(limit):
            errors.append((field, f"At most {limit.normalize():f} can be shipped on line {line.line_no}."))
        wanted[line.id] = qty
    if not wanted and not errors:
        errors.append((None, "Enter a quantity to ship on at least one line."))
    if errors:
        raise ValidationError.many(errors)
    return wanted


def _invoice_credit_problem(order: SalesOrder, o: Options, invoice_total: Decimal) -> str | None:
    """*Apply check to current orders only*: the credit limit is checked when invoicing."""
    if not (o["check_credit_limit"] and o["credit_current_only"]) or order.order_type != "O" or authorised(order):
        return None
    c = order.customer
    excess = credit_limit_excess(limit=c.credit_limit, balance=c.current_balance,
                                 outstanding=ship_value_ready(c.id, order.id), this_order=invoice_total)
    if excess > 0:
        return f"Credit limit {c.credit_limit:,.2f} exceeded by {excess:,.2f} by this invoice."
    return None


def _invoice_number(order: SalesOrder, o: Options) -> str:
    """The number asked at release (used once), else the order number or the next number."""
    asked, order.release_invoice_number, order.release_invoice_date = order.release_invoice_number, None, None
    customer = order.customer_id if o["invoice_number_per_customer"] else None  # None: the whole company
    if asked:
        if invoice_number_used(asked, customer):
            raise ValidationError(None, f"Invoice number {asked} given at release is already used; release the "
                                        "order again with another number.")
        return asked
    taken = set(db.session.scalars(sa.select(SalesInvoice.number).where(SalesInvoice.order_id == order.id)))
    if o["order_no_to_invoice"] and not taken and not invoice_number_used(order.number, customer):
        return order.number
    while True:
        number = next_number(INVOICE_SEQUENCE, start=1, width=7)
        if not invoice_number_used(number, customer):
            return "IN" + number if number == order.number else number


def _ship_line(line: SalesOrderLine, qty: Decimal) -> None:
    """Stock leaves for a positive quantity and comes back for a negative one (a return)."""
    if line.stock_controlled and qty > 0:
        stock.issue(line.item_id, line.warehouse_id, qty, allocated_part=min(qty, line.qty_allocated or ZERO))
        line.qty_allocated = max(ZERO, (line.qty_allocated or ZERO) - qty)
    elif line.stock_controlled and qty < 0:
        stock.receive(line.item_id, line.warehouse_id, -qty)
    line.qty_shipped = (line.qty_shipped or ZERO) + qty
    line.qty_to_ship = (line.qty_to_ship or ZERO) - qty


def _after_invoice(order: SalesOrder, shipped: set[int], o: Options, today: date) -> None:
    """What a shipped line did not ship follows the *Back orders* option; other lines keep theirs."""
    mode = o["back_orders"]
    for line in order.lines:
        if line.id not in shipped:
            continue
        kept = line.qty_reserved or ZERO  # reserved for the line: stays held, ready to release
        if line.qty_to_ship and line.stock_controlled:
            stock.release(line.item_id, line.warehouse_id, (line.qty_allocated or ZERO) - kept)
            line.qty_allocated = kept
        line.qty_to_ship = ZERO
        if mode == "not_required":
            line.qty_backordered = ZERO
        else:
            # whatever is still outstanding after the invoice, and not reserved, goes to back order
            line.qty_backordered = max(ZERO, line.qty_outstanding - kept) if line.qty_ordered > 0 else ZERO
    released = auto_release(order, o["non_stocked_action"]) if mode == "automatic" else False
    if released:
        order.status = "3"
        if problem := ship_move_problem(order, ZERO):  # what was moved is already on ship
            hold(order, [problem])
    elif any((line.qty_backordered or ZERO) > 0 or (line.qty_reserved or ZERO) > 0 for line in order.lines):
        order.status = "2"
    elif not any(line.qty_to_ship for line in order.lines):
        order.status = "9"
        order.completed_on = today
