"""Sales order business rules as plain functions: inputs and options in, decisions out.

Called by the views, the CLI, the demo data and other plugins alike. Functions that
write only ``flush``; the caller commits (or rolls back when a hook raises
:class:`core.plugins.HookError`).
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from core import stock
from core.db import ZERO, db
from core.models import Item, Partner, Warehouse, utcnow
from core.numbering import next_number
from core.options import options_for
from core.plugins import Message, host_of

from . import pricing
from .models import OPEN_STATUSES, SalesInvoice, SalesInvoiceLine, SalesOrder, SalesOrderLine

PLUGIN = "sales_order"
CREDIT_ROLES = ("admin",)  # who may authorise an order held in suspense (credit)
SEQUENCES = {"O": "next_sales_order", "C": "next_credit_note", "D": "next_debit_note"}
INVOICE_SEQUENCE = "so_invoice"
MAX_QTY = Decimal("100000000")  # what the columns hold, with room for sums
MAX_PRICE = Decimal("100000000")
MAX_VALUE = Decimal("10000000000")


# -- what a save changed (the on_sales_order_saved contract) ----------------------------


@dataclass
class LineChange:
    line: SalesOrderLine
    old_qty: Decimal
    new_qty: Decimal


@dataclass
class RemovedLine:
    line_id: int
    line_no: int
    item_id: int
    qty_ordered: Decimal


@dataclass
class LineChanges:
    added: list[SalesOrderLine] = field(default_factory=list)
    changed: list[LineChange] = field(default_factory=list)
    removed: list[RemovedLine] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


# -- input --------------------------------------------------------------------------------


@dataclass
class LineInput:
    item_id: int | None
    qty_ordered: Decimal | None
    id: int | None = None
    description: str = ""
    unit_price: Decimal | None = None  # None: the item's list price
    discount_pct: Decimal | None = None
    promise_date: date | None = None
    warehouse_id: int | None = None  # None: the order's warehouse
    drop_ship: bool | None = None  # None: from the item's supply method
    vendor_id: int | None = None  # None: the item's default vendor
    index: int = 0  # row in the form, for error messages beside the field


@dataclass
class OrderInput:
    customer_id: int | None
    lines: list[LineInput]
    order_date: date | None = None
    number: str = ""
    customer_po_number: str = ""
    requested_ship_date: date | None = None
    ship_to_address: str = ""  # blank: the customer's ship-to address
    ship_via: str = ""
    fob: str = ""
    confirm_to: str = ""
    email: str = ""
    warehouse_id: int | None = None
    order_type: str = "O"
    notes: str = ""
    margin_override: bool = False


class OrderRefused(Exception):
    """The save was refused; ``messages`` carry the errors (and warnings) with their fields."""

    def __init__(self, messages: list[Message]):
        self.messages = messages
        super().__init__("; ".join(m.text for m in messages if m.level == "error"))


def _err(text: str, fld: str | None = None) -> Message:
    return Message("error", text, field=fld, plugin=PLUGIN)


def _warn(text: str, fld: str | None = None) -> Message:
    return Message("warning", text, field=fld, plugin=PLUGIN)


def _line_field(li: LineInput, name: str) -> str:
    return f"lines-{li.index}-{name}"


def _hook():
    return host_of(current_app).hook


def opts():
    return options_for(PLUGIN)


# -- pure rules -----------------------------------------------------------------------------


def within_schedule_window(order_date: date, ship_date: date | None, days: int) -> bool:
    """Seed: allocated at once when ship date less document date is *less than* ``days``."""
    if ship_date is None:
        return True
    return (ship_date - order_date).days < days


def terms_days_over(*, terms_days: int, order_date: date, oldest_unpaid: date | None, credit_status: int,
                    use_credit_status: bool) -> int:
    """Days by which the customer's invoice terms are exceeded (> 0 means exceeded)."""
    if use_credit_status:
        return 30 * (credit_status or 0) - terms_days
    if oldest_unpaid is None:
        return -terms_days
    return (order_date - oldest_unpaid).days - terms_days


def credit_limit_excess(*, limit: Decimal, balance: Decimal, outstanding: Decimal, this_order: Decimal) -> Decimal:
    """How far balance + outstanding orders + this order go above the limit (0 limit: none)."""
    if not limit:
        return ZERO
    return max(ZERO, (balance or ZERO) + outstanding + this_order - limit)


def margin_problem(*, unit_price: Decimal, qty: Decimal, discount_pct: Decimal, unit_cost: Decimal,
                   required_pct: Decimal, basis: str, method: str, decimals: int) -> Decimal | None:
    """The achieved margin % when it is below ``required_pct``, else None (no cost: no check)."""
    if qty <= 0 or not unit_cost or required_pct is None or required_pct <= 0:
        return None
    value = (pricing.gross_value(unit_price, qty) if basis == "gross"
             else pricing.line_value(unit_price, qty, discount_pct, method, decimals))
    achieved = pricing.margin_pct(value, unit_cost * qty)
    if achieved is not None and achieved < required_pct:
        return achieved.quantize(Decimal("0.01"))
    return None


def subtract_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def purge_cutoff(today: date, retain: int, in_months: bool) -> date | None:
    """Completed orders dated before this are purged; None keeps them forever (999)."""
    if retain >= 999:
        return None
    return subtract_months(today, retain) if in_months else today - timedelta(days=retain)


# -- queries ----------------------------------------------------------------------------------


def lock_order(order_id: int) -> SalesOrder | None:
    """The order, its row locked for the rest of the transaction (PostgreSQL)."""
    return db.session.scalars(
        sa.select(SalesOrder).where(SalesOrder.id == order_id).with_for_update(of=SalesOrder)
        .execution_options(populate_existing=True)
    ).one_or_none()


def outstanding_order_value(customer_id: int, exclude_id: int | None = None,
                            statuses: Iterable[str] = ("1", "2", "3", "4", "8", "S")) -> Decimal:
    """Value not yet invoiced of the customer's open orders (one query)."""
    rows = db.session.execute(
        sa.select(SalesOrderLine.line_value, SalesOrderLine.qty_ordered, SalesOrderLine.qty_shipped)
        .join(SalesOrder).where(SalesOrder.customer_id == customer_id, SalesOrder.status.in_(tuple(statuses)),
                                SalesOrder.id != (exclude_id or -1))
    ).all()
    total = ZERO
    for value, ordered, shipped in rows:
        if ordered:
            total += Decimal(value or 0) * (Decimal(ordered) - Decimal(shipped or 0)) / Decimal(ordered)
    return total.quantize(Decimal("0.01"))


def ship_value_ready(customer_id: int, exclude_id: int | None = None) -> Decimal:
    """Ship value of the customer's orders in status 8 (ready to invoice)."""
    rows = db.session.execute(
        sa.select(SalesOrderLine.line_value, SalesOrderLine.qty_ordered, SalesOrderLine.qty_to_ship)
        .join(SalesOrder).where(SalesOrder.customer_id == customer_id, SalesOrder.status == "8",
                                SalesOrder.id != (exclude_id or -1))
    ).all()
    total = sum((Decimal(v or 0) * Decimal(s or 0) / Decimal(o) for v, o, s in rows if o), ZERO)
    return total.quantize(Decimal("0.01"))


def credit_problems(order: SalesOrder, *, limit: bool, terms: bool, today: date | None = None) -> list[str]:
    """Reasons the order fails the credit checks asked for (empty: passes)."""
    o = opts()
    customer = order.customer
    reasons = []
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
                               credit_status=customer.credit_status, use_credit_status=o["terms_use_credit_status"])
        if over > 0:
            reasons.append(f"Customer's terms have been exceeded by {over} days.")
    return reasons


def _authorised(order: SalesOrder) -> bool:
    return order.credit_authorised_total is not None and order.total <= order.credit_authorised_total


def hold(order: SalesOrder, reasons: list[str]) -> None:
    if order.status != "S":
        order.held_from = order.status
    order.status = "S"
    order.hold_reason = " ".join(reasons)


def authorise(order: SalesOrder, user_id: int | None) -> None:
    """Release an order from suspense (credit); the authorised total is remembered."""
    if order.status != "S":
        raise OrderRefused([_err("Only orders in suspense (status S) need a credit authorisation.")])
    order.status = order.held_from if order.held_from not in (None, "S") else "1"
    order.held_from = None
    order.hold_reason = ""
    order.credit_authorised_by_id = user_id
    order.credit_authorised_at = utcnow()
    order.credit_authorised_total = order.total
    db.session.flush()


# -- saving an order ------------------------------------------------------------------------


def _customer_defaults(order: SalesOrder, customer: Partner, data: OrderInput, created: bool) -> None:
    typed = (data.ship_to_address or "").strip()
    if typed and typed != (customer.ship_to_address or "").strip():
        order.ship_to_address, order.ship_to_manual = typed, True
    elif typed and not created and order.ship_to_manual and typed == order.ship_to_address:
        pass
    else:
        order.ship_to_address, order.ship_to_manual = customer.ship_to_address or "", False
    order.ship_via = data.ship_via or (customer.ship_via if created else order.ship_via) or ""
    order.fob = data.fob or (customer.fob if created else order.fob) or ""
    order.email = data.email or (customer.email if created else order.email) or ""


def save_order(data: OrderInput, order: SalesOrder | None = None, *, today: date | None = None
               ) -> tuple[SalesOrder, list[Message]]:
    """Validate, build, allocate and flush an order; fire the hooks. Raises :class:`OrderRefused`.

    The caller commits, or rolls back on ``OrderRefused`` / ``HookError``.
    """
    o = opts()
    today = today or date.today()
    created = order is None
    errors: list[Message] = []
    warnings: list[Message] = []
    method, decimals = o["discount_method"], o["price_decimals"]

    if not created and order.status in ("9", "*"):
        raise OrderRefused([_err(f"Order {order.number} is {order.status_label.lower()} and cannot be changed.")])
    customer = db.session.get(Partner, data.customer_id) if data.customer_id else None
    if customer is None or not customer.is_customer:
        errors.append(_err("Choose a customer.", "customer_id"))
    warehouse = db.session.get(Warehouse, data.warehouse_id) if data.warehouse_id else None
    if warehouse is None:
        errors.append(_err("Choose a warehouse.", "warehouse_id"))
    if data.order_type not in SEQUENCES:
        errors.append(_err("Choose an order type.", "order_type"))
    order_date = data.order_date or (order.order_date if order else today)
    if data.requested_ship_date and data.requested_ship_date < order_date:
        errors.append(_err("The ship date cannot be before the order date.", "requested_ship_date"))

    number = (data.number or "").strip()
    if created and o["order_numbering"] == "manual":
        if not number:
            errors.append(_err("Enter the order number (order numbering is manual).", "number"))
        elif db.session.scalar(sa.select(sa.func.count()).select_from(SalesOrder).where(SalesOrder.number == number)):
            errors.append(_err(f"Order number {number} is already used.", "number"))

    item_ids = {li.item_id for li in data.lines if li.item_id}
    items = {i.id: i for i in db.session.scalars(sa.select(Item).where(Item.id.in_(item_ids)))} if item_ids else {}
    existing = {line.id: line for line in order.lines} if order else {}
    seen: set[int] = set()
    changes = LineChanges()
    old_state: dict[int, tuple[int, int, Decimal]] = {}

    with db.session.no_autoflush:
        if created:
            order = SalesOrder(status="1", held_from=None)
        order.order_date = order_date
        order.customer_po_number = (data.customer_po_number or "").strip()
        order.requested_ship_date = data.requested_ship_date
        order.confirm_to = data.confirm_to or ""
        order.order_type = data.order_type if data.order_type in SEQUENCES else "O"
        order.notes = data.notes or ""
        order.margin_override = bool(data.margin_override)
        if customer is not None:
            order.customer = customer
            _customer_defaults(order, customer, data, created)
        if warehouse is not None:
            order.warehouse = warehouse
        next_no = max([line.line_no for line in existing.values()] or [0]) + 1

        for li in data.lines:
            for name, limit in (("qty_ordered", MAX_QTY), ("unit_price", MAX_PRICE), ("discount_pct", MAX_PRICE)):
                value = getattr(li, name)
                if value is not None and (not value.is_finite() or abs(value) >= limit):
                    errors.append(_err(f"Out of range (at most {limit:,}).", _line_field(li, name)))
                    setattr(li, name, ZERO if name != "qty_ordered" else None)
            item = items.get(li.item_id) if li.item_id else None
            if item is None:
                errors.append(_err("Choose an item.", _line_field(li, "item_id")))
            qty = li.qty_ordered
            if qty is None:
                errors.append(_err("Enter a quantity.", _line_field(li, "qty_ordered")))
            elif qty == 0:
                errors.append(_err("The quantity cannot be zero.", _line_field(li, "qty_ordered")))
            elif qty < 0 and not o["allow_negative_qty"]:
                errors.append(_err("Negative quantities are not allowed (setup option).",
                                   _line_field(li, "qty_ordered")))
            if li.discount_pct is not None and not (0 <= li.discount_pct <= 100):
                errors.append(_err("The discount must be between 0 and 100 %.", _line_field(li, "discount_pct")))
            if li.unit_price is not None and li.unit_price < 0:
                errors.append(_err("The price cannot be negative.", _line_field(li, "unit_price")))
            line = None
            if li.id:
                line = existing.get(li.id)
                if line is None:
                    errors.append(_err("This line is not on the order.", _line_field(li, "item_id")))
                    continue
                seen.add(line.id)
                if line.qty_shipped and item is not None and item.id != line.item_id:
                    errors.append(_err("The item of a line already shipped cannot change.",
                                       _line_field(li, "item_id")))
                if line.qty_shipped and qty is not None and abs(qty) < abs(line.qty_shipped):
                    errors.append(_err(f"{line.qty_shipped.normalize():f} already shipped: the quantity cannot "
                                       "be lower.", _line_field(li, "qty_ordered")))
            if item is None or qty is None or qty == 0:
                continue
            if line is None:
                line = SalesOrderLine(line_no=next_no, qty_to_ship=ZERO, qty_backordered=ZERO, qty_shipped=ZERO,
                                      qty_allocated=ZERO)
                next_no += 1
                changes.added.append(line)
                order.lines.append(line)
            else:
                old_state[line.id] = (line.item_id, line.warehouse_id, line.qty_ordered)
                if line.qty_ordered != qty:
                    changes.changed.append(LineChange(line, line.qty_ordered, qty))
            line.item = item
            line.description = (li.description or "").strip() or item.description
            line.qty_ordered = qty
            line.unit_price = li.unit_price if li.unit_price is not None else item.list_price
            line.discount_pct = li.discount_pct or ZERO
            line.promise_date = li.promise_date
            line.warehouse_id = li.warehouse_id or (warehouse.id if warehouse else None)
            line.drop_ship = (item.supply_method == "drop_ship") if li.drop_ship is None else bool(li.drop_ship)
            line.vendor_id = li.vendor_id or item.default_vendor_id
            line.unit_cost = item.unit_cost or ZERO
            line.line_value = pricing.line_value(line.unit_price, qty, line.discount_pct, method, decimals)
            if abs(line.line_value) >= MAX_VALUE:
                errors.append(_err(f"The line value is too large (at most {MAX_VALUE:,}).",
                                   _line_field(li, "qty_ordered")))
                line.line_value = ZERO
            if not line.unit_cost and not o["ignore_zero_cost"]:
                warnings.append(_warn(f"Line {line.line_no}: item {item.code} has a zero cost.",
                                      _line_field(li, "item_id")))
            _check_margin(o, line, item, li, data, order, errors, warnings, method, decimals)

        removed = [line for lid, line in existing.items() if lid not in seen]
        for line in removed:
            if line.qty_shipped:
                errors.append(_err(f"Line {line.line_no} ({line.item.code}) has been shipped and cannot be "
                                   "removed.", "lines"))
            line._removed = True  # type: ignore[attr-defined]
        if order.active_lines and abs(order.total) >= MAX_VALUE:
            errors.append(_err(f"The order total is too large (at most {MAX_VALUE:,}).", "lines"))
        if not order.active_lines and not any(m.field and m.field.startswith("lines-") for m in errors):
            errors.append(_err("Add at least one line.", "lines"))

        if customer is not None and order.customer_po_number and o["dup_po_validation"] != "none":
            stmt = sa.select(SalesOrder.number).where(SalesOrder.customer_po_number == order.customer_po_number,
                                                      SalesOrder.id != (order.id or -1))
            if o["dup_po_validation"] == "customer":
                stmt = stmt.where(SalesOrder.customer_id == customer.id)
            used = db.session.scalars(stmt.limit(3)).all()
            if used:
                scope = "this customer" if o["dup_po_validation"] == "customer" else "the company"
                text = (f"Customer PO number {order.customer_po_number} is already used for {scope} "
                        f"(order {', '.join(used)}).")
                if o["dup_po_action"] == "prevent":
                    errors.append(_err(text, "customer_po_number"))
                else:
                    warnings.append(_warn(text, "customer_po_number"))

        if not errors:
            for result in _hook().validate_sales_order(order=order):
                for m in result or []:
                    (errors if m.level == "error" else warnings).append(m)
    if errors:
        raise OrderRefused(errors + warnings)

    if created:
        order.number = number if o["order_numbering"] == "manual" else draw_order_number(order.order_type)
        db.session.add(order)
    db.session.flush()

    # stock: release what changed item/warehouse, then allocate (or not: forward orders)
    forward = not within_schedule_window(order.order_date, order.requested_ship_date, o["scheduled_days"])
    for line in removed:
        _release_line(line)
    for line in order.active_lines:
        state = old_state.get(line.id)
        if state and (state[0], state[1]) != (line.item_id, line.warehouse_id):
            _release_line(line, item_id=state[0], warehouse_id=state[1])
            line.qty_backordered = ZERO
    if forward and not order.previously_invoiced:
        for line in order.active_lines:
            _release_line(line)
            line.qty_backordered = ZERO
        if order.status != "S":
            order.status = "F"
    else:
        if order.status == "F":
            order.status = "1"
        for line in order.active_lines:
            allocate_line(line, o["back_orders"])
        short = [line for line in order.active_lines
                 if line.stock_controlled and line.qty_to_ship + line.qty_backordered < line.qty_outstanding]
        for line in short:
            warnings.append(_warn(f"Line {line.line_no}: {line.item.code} is short of stock and back orders are not "
                                  "required; the quantity that cannot be shipped will be ignored."))

    # credit check at order entry
    reasons = credit_problems(order, limit=o["check_credit_limit"] and not o["credit_current_only"],
                              terms=o["check_terms"])
    if reasons and not _authorised(order):
        hold(order, reasons)
        warnings.append(_warn("The order is in suspense (credit): " + order.hold_reason))
    elif order.status == "S" and not reasons and order.hold_reason:
        order.status, order.held_from, order.hold_reason = (order.held_from or "1"), None, ""
        if order.status == "F" and not forward:
            order.status = "1"
    db.session.flush()

    _hook().on_sales_order_saved(order=order, created=created, changes=LineChanges(
        added=changes.added, changed=changes.changed,
        removed=[RemovedLine(line.id, line.line_no, line.item_id, line.qty_ordered) for line in removed]))
    for line in removed:
        order.lines.remove(line)
    db.session.flush()
    return order, warnings


def _check_margin(o, line, item, li, data, order, errors, warnings, method, decimals) -> None:
    if o["margin_check"] == "none" or order.order_type == "C":
        return
    required = o["margin_pct"] if o["margin_check"] == "company" else item.min_margin_pct
    achieved = margin_problem(unit_price=line.unit_price, qty=line.qty_ordered, discount_pct=line.discount_pct,
                              unit_cost=line.unit_cost, required_pct=required, basis=o["margin_basis"],
                              method=method, decimals=decimals)
    if achieved is None:
        return
    text = (f"{item.code}: price is {achieved}% above cost, below the minimum of "
            f"{Decimal(required).normalize():f}%.")
    if o["margin_override"] and data.margin_override:
        warnings.append(_warn(text + " Overridden.", _line_field(li, "unit_price")))
    elif o["margin_override"]:
        errors.append(_err(text + " Tick 'Override margin check' to save anyway.", _line_field(li, "unit_price")))
    else:
        errors.append(_err(text, _line_field(li, "unit_price")))


def draw_order_number(order_type: str) -> str:
    from .options import OPTIONS

    opt = next(x for x in OPTIONS if x.key == SEQUENCES.get(order_type, "next_sales_order"))
    seq = dict(opt.sequence)
    name = seq.pop("name")
    while True:
        number = next_number(name, start=opt.default, **seq)
        if not db.session.scalar(sa.select(sa.func.count()).select_from(SalesOrder)
                                 .where(SalesOrder.number == number)):
            return number


def _release_line(line: SalesOrderLine, item_id: int | None = None, warehouse_id: int | None = None) -> None:
    if line.qty_allocated:
        stock.release(item_id or line.item_id, warehouse_id or line.warehouse_id, line.qty_allocated)
        line.qty_allocated = ZERO
    line.qty_to_ship = ZERO


def allocate_line(line: SalesOrderLine, back_orders: str) -> None:
    """Bring to-ship / back order / reserved stock in line with the outstanding quantity."""
    outstanding = line.qty_outstanding
    if not line.stock_controlled or line.qty_ordered < 0:
        line.qty_to_ship = outstanding - (line.qty_backordered or ZERO)
        return
    to_ship, backordered = line.qty_to_ship or ZERO, line.qty_backordered or ZERO
    cover = to_ship + backordered
    if outstanding < cover:
        excess = cover - outstanding
        cut = min(excess, backordered)
        backordered -= cut
        excess -= cut
        if excess:
            stock.release(line.item_id, line.warehouse_id, excess)
            to_ship -= excess
            line.qty_allocated = (line.qty_allocated or ZERO) - excess
    elif outstanding > cover:
        need = outstanding - cover
        granted = stock.reserve(line.item_id, line.warehouse_id, need)
        to_ship += granted
        line.qty_allocated = (line.qty_allocated or ZERO) + granted
        if back_orders != "not_required":
            backordered += need - granted
    line.qty_to_ship, line.qty_backordered = to_ship, backordered


# -- order actions --------------------------------------------------------------------------


def cancel_order(order: SalesOrder) -> None:
    o = opts()
    if order.status in ("9", "*"):
        raise OrderRefused([_err(f"Order {order.number} is {order.status_label.lower()}: it cannot be cancelled.")])
    if order.previously_invoiced and not o["cancel_invoiced"]:
        raise OrderRefused([_err(f"Order {order.number} has been invoiced: it cannot be cancelled, but has to be "
                                 "set to complete.")])
    for line in order.lines:
        _release_line(line)
        line.qty_backordered = ZERO
    order.status = "*"
    db.session.flush()
    _hook().on_sales_order_cancelled(order=order)
    db.session.flush()


def complete_order(order: SalesOrder, today: date | None = None) -> None:
    if order.status in ("9", "*", "S"):
        raise OrderRefused([_err(f"Order {order.number} is {order.status_label.lower()}.")])
    for line in order.lines:
        _release_line(line)
        line.qty_backordered = ZERO
    order.status = "9"
    order.completed_on = today or date.today()
    db.session.flush()
    _hook().on_sales_order_completed(order=order)


def to_warehouse(order: SalesOrder) -> None:
    if order.status not in ("1", "3"):
        raise OrderRefused([_err("Only open or released back orders can go to the warehouse (status 4).")])
    order.status = "4"
    db.session.flush()


def release_for_invoicing(order: SalesOrder) -> list[Message]:
    """Status 1/3/4 -> 8, with the *Credit check for orders that are to be released*."""
    if order.status not in ("1", "3", "4"):
        raise OrderRefused([_err("Only orders in status 1, 3 or 4 can be released for invoicing.")])
    mode = opts()["release_credit_check"]
    if mode != "none":
        reasons = credit_problems(order, limit=True, terms=True)
        if reasons and not _authorised(order):
            if mode == "reject":
                raise OrderRefused([_err("Release refused (credit): " + " ".join(reasons))])
            hold(order, reasons)
            db.session.flush()
            return [_warn("The order needs a credit authorisation before release: " + order.hold_reason)]
    order.status = "8"
    db.session.flush()
    return []


def _invoice_number(order: SalesOrder, o) -> str:
    taken = set(db.session.scalars(sa.select(SalesInvoice.number).where(SalesInvoice.order_id == order.id)))
    if o["order_no_to_invoice"] and not taken and not db.session.scalar(
            sa.select(sa.func.count()).select_from(SalesInvoice).where(SalesInvoice.number == order.number)):
        return order.number
    while True:
        number = next_number(INVOICE_SEQUENCE, start=1, width=7)
        if not db.session.scalar(sa.select(sa.func.count()).select_from(SalesInvoice)
                                 .where(SalesInvoice.number == number)):
            return "IN" + number if number == order.number else number


def ship_order(order: SalesOrder, quantities: dict[int, Decimal], *, user_id: int | None = None,
               today: date | None = None) -> SalesInvoice:
    """Ship (invoice) the given quantities per line id; the rest is back-ordered or not by the option."""
    o = opts()
    today = today or date.today()
    if order.status in ("S", "F", "9", "*"):
        raise OrderRefused([_err(f"Order {order.number} is {order.status_label.lower()}: it cannot be shipped.")])
    errors = []
    lines = {line.id: line for line in order.lines}
    wanted = {}
    for line_id, qty in quantities.items():
        line = lines.get(line_id)
        if line is None or qty is None or qty == 0:
            continue
        limit = line.qty_to_ship or ZERO
        if (qty > 0) != (limit > 0) or abs(qty) > abs(limit):
            errors.append(_err(f"At most {limit.normalize():f} can be shipped on line {line.line_no}.",
                               f"ship-{line.id}"))
        wanted[line.id] = qty
    if not wanted and not errors:
        errors.append(_err("Enter a quantity to ship on at least one line."))
    if errors:
        raise OrderRefused(errors)
    method, decimals = o["discount_method"], o["price_decimals"]
    invoice_lines = [
        SalesInvoiceLine(so_line_id=lid, item_id=lines[lid].item_id, qty=q, unit_price=lines[lid].unit_price,
                         line_value=pricing.line_value(lines[lid].unit_price, q, lines[lid].discount_pct, method,
                                                       decimals))
        for lid, q in wanted.items()
    ]
    invoice_total = sum((il.line_value for il in invoice_lines), ZERO)
    if o["check_credit_limit"] and o["credit_current_only"] and order.order_type == "O" and not _authorised(order):
        c = order.customer
        excess = credit_limit_excess(limit=c.credit_limit, balance=c.current_balance,
                                     outstanding=ship_value_ready(c.id, order.id), this_order=invoice_total)
        if excess > 0:
            hold(order, [f"Credit limit {c.credit_limit:,.2f} exceeded by {excess:,.2f} by this invoice."])
            db.session.flush()
            raise OrderRefused([_err("The invoice would exceed the customer's credit limit: the order is now in "
                                     "suspense until authorised. " + order.hold_reason)])
    invoice = SalesInvoice(number=_invoice_number(order, o), order=order, invoice_date=today, total=invoice_total,
                           created_by_id=user_id, lines=invoice_lines)
    db.session.add(invoice)
    for lid, q in wanted.items():
        line = lines[lid]
        if line.stock_controlled and q > 0:
            stock.issue(line.item_id, line.warehouse_id, q, allocated_part=min(q, line.qty_allocated or ZERO))
            line.qty_allocated = max(ZERO, (line.qty_allocated or ZERO) - q)
        line.qty_shipped = (line.qty_shipped or ZERO) + q
        line.qty_to_ship = (line.qty_to_ship or ZERO) - q
    _after_invoice(order, o, today)
    db.session.flush()
    _hook().on_sales_order_shipped(order=order, shipment=invoice)
    db.session.flush()
    return invoice


def _after_invoice(order: SalesOrder, o, today: date) -> None:
    mode = o["back_orders"]
    for line in order.lines:
        rest = line.qty_to_ship or ZERO
        if rest and line.stock_controlled:
            stock.release(line.item_id, line.warehouse_id, line.qty_allocated or ZERO)
            line.qty_allocated = ZERO
        line.qty_to_ship = ZERO
        if mode == "not_required":
            line.qty_backordered = ZERO
        else:
            # whatever is still outstanding after the invoice goes to back order
            line.qty_backordered = max(ZERO, line.qty_outstanding) if line.qty_ordered > 0 else ZERO
    if mode == "automatic":
        released = auto_release(order, o["non_stocked_action"])
    else:
        released = False
    if any(line.qty_backordered for line in order.lines) or released:
        order.status = "3" if released else "2"
    else:
        order.status = "9"
        order.completed_on = today


def auto_release(order: SalesOrder, non_stocked_action: str) -> bool:
    """Move back orders to ship where stock allows (stocked) or the option says (non-stocked)."""
    moved = False
    attached: set[int] = set()
    if non_stocked_action == "if_unattached":  # which lines a supply document (a PO) serves: ask the plugins
        for answer in _hook().sales_order_line_supply(lines=list(order.lines)):
            attached.update(answer or {})
    for line in order.lines:
        bo = line.qty_backordered or ZERO
        if bo <= 0:
            continue
        if line.stock_controlled:
            granted = stock.reserve(line.item_id, line.warehouse_id, bo)
            qty = granted
            line.qty_allocated = (line.qty_allocated or ZERO) + granted
        elif non_stocked_action == "always" or (non_stocked_action == "if_unattached" and line.id not in attached):
            qty = bo
        else:
            qty = ZERO
        if qty:
            line.qty_backordered = bo - qty
            line.qty_to_ship = (line.qty_to_ship or ZERO) + qty
            moved = True
    return moved


def backorder_lines_stmt() -> sa.Select:
    return (sa.select(SalesOrderLine).join(SalesOrder)
            .where(SalesOrderLine.qty_backordered > 0, SalesOrder.status.in_(("1", "2", "3", "4", "8")))
            .options(selectinload(SalesOrderLine.item), selectinload(SalesOrderLine.order)
                     .selectinload(SalesOrder.customer), selectinload(SalesOrderLine.warehouse))
            .order_by(SalesOrder.order_date, SalesOrder.id, SalesOrderLine.line_no))


def release_backorder(line: SalesOrderLine, qty: Decimal) -> None:
    """Move ``qty`` of a line's back order into ship, reserving stock for stocked lines."""
    if qty <= 0 or qty > (line.qty_backordered or ZERO):
        raise OrderRefused([_err(f"Release between 0 and {line.qty_backordered.normalize():f}.",
                                 f"release-{line.id}")])
    if line.order.status not in ("1", "2", "3", "4", "8"):
        raise OrderRefused([_err(f"Order {line.order.number} is {line.order.status_label.lower()}.")])
    if line.stock_controlled:
        granted = stock.reserve(line.item_id, line.warehouse_id, qty)
        if granted < qty:
            stock.release(line.item_id, line.warehouse_id, granted)
            raise OrderRefused([_err(f"Only {granted.normalize():f} of {line.item.code} in stock.",
                                     f"release-{line.id}")])
        line.qty_allocated = (line.qty_allocated or ZERO) + qty
    line.qty_backordered -= qty
    line.qty_to_ship = (line.qty_to_ship or ZERO) + qty
    if line.order.status == "2":
        line.order.status = "3"
    db.session.flush()


def allocate_scheduled(today: date | None = None) -> list[SalesOrder]:
    """The Scheduled Order Allocation program: allocate forward orders now inside the window."""
    o = opts()
    today = today or date.today()
    done = []
    orders = db.session.scalars(sa.select(SalesOrder).where(SalesOrder.status == "F")
                                .options(selectinload(SalesOrder.lines).selectinload(SalesOrderLine.item))
                                .order_by(SalesOrder.id).with_for_update(of=SalesOrder)).all()
    for order in orders:
        if within_schedule_window(today, order.requested_ship_date, o["scheduled_days"]):
            order.status = "1"
            for line in order.lines:
                allocate_line(line, o["back_orders"])
            done.append(order)
    db.session.flush()
    return done


def follow_customer_address(partner: Partner) -> int:
    """*Fix ship address* off: orders in progress follow the customer's new ship-to address."""
    if opts()["fix_ship_address"]:
        return 0
    return db.session.execute(
        sa.update(SalesOrder)
        .where(SalesOrder.customer_id == partner.id, SalesOrder.ship_to_manual.is_(False),
               SalesOrder.status.in_(OPEN_STATUSES))
        .values(ship_to_address=partner.ship_to_address or "")
        .execution_options(synchronize_session=False)
    ).rowcount


# -- purge ----------------------------------------------------------------------------------------


@dataclass
class PurgeResult:
    deleted: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    cutoff: date | None = None

    def summary(self) -> str:
        if self.cutoff is None:
            return "Completed orders are kept indefinitely (999): nothing purged."
        if self.archived:
            return (f"Archived {len(self.archived)} completed order(s) to {len(self.files)} file(s) "
                    f"and removed them: {', '.join(self.archived)}.")
        if self.deleted:
            return f"Deleted {len(self.deleted)} completed order(s): {', '.join(self.deleted)}."
        return f"No completed orders dated before {self.cutoff.isoformat()}."


def order_to_dict(order: SalesOrder) -> dict:
    def val(v):
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, date | datetime):
            return v.isoformat()
        return v

    def row(obj, skip=()):
        return {c.key: val(getattr(obj, c.key)) for c in obj.__table__.columns if c.key not in skip}

    data = row(order)
    data["status_label"] = order.status_label
    data["customer_number"] = order.customer.number
    data["lines"] = [{**row(line), "item_code": line.item.code} for line in order.lines]
    data["invoices"] = [{**row(inv), "lines": [row(il) for il in inv.lines]} for inv in order.invoices]
    return data


def purge(today: date | None = None, archive_dir: str | Path | None = None) -> PurgeResult:
    """The Order Purge program: completed (and cancelled) orders past retention go (to archive files)."""
    o = opts()
    today = today or date.today()
    result = PurgeResult(cutoff=purge_cutoff(today, o["retain_days"], o["retention_in_months"]))
    if result.cutoff is None:
        return result
    when = sa.func.coalesce(SalesOrder.completed_on, SalesOrder.order_date)
    orders = db.session.scalars(
        sa.select(SalesOrder).where(SalesOrder.status.in_(("9", "*")), when < result.cutoff)
        .options(selectinload(SalesOrder.customer),
                 selectinload(SalesOrder.lines).selectinload(SalesOrderLine.item),
                 selectinload(SalesOrder.invoices).selectinload(SalesInvoice.lines))
        .order_by(SalesOrder.id)).all()
    if not orders:
        return result
    if o["archive_completed"]:
        size = o["archive_max_orders"]
        size = len(orders) if size >= 9999 else size
        folder = Path(archive_dir or Path(current_app.instance_path) / "archive" / "sales_orders")
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        for n, start in enumerate(range(0, len(orders), size), 1):
            chunk = orders[start:start + size]
            path = folder / f"so-archive-{stamp}-{n:03d}.json"
            path.write_text(json.dumps({"format": "orderbridge-sales-archive/1", "purged_on": today.isoformat(),
                                        "orders": [order_to_dict(x) for x in chunk]}, indent=1))
            result.files.append(str(path))
        result.archived = [x.number for x in orders]
    else:
        result.deleted = [x.number for x in orders]
    ids = [x.id for x in orders]
    for x in orders:
        db.session.expunge(x)
    db.session.execute(sa.delete(SalesInvoice).where(SalesInvoice.order_id.in_(ids)))
    db.session.execute(sa.delete(SalesOrderLine).where(SalesOrderLine.order_id.in_(ids)))
    db.session.execute(sa.delete(SalesOrder).where(SalesOrder.id.in_(ids)))
    db.session.flush()
    return result
