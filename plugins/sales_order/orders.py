"""Saving a sales order, in named steps: check, build the lines, allocate, credit, tell the plugins.

``save_order`` raises :class:`core.errors.ValidationError` with every refusal beside its
field (``lines-2-qty_ordered``); warnings come back as plain texts for the page to flash.
It only flushes: the request lifecycle (or the caller) commits or rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from core import stock
from core.db import ZERO, db
from core.errors import ValidationError
from core.models import Item, Partner, Warehouse
from core.numbering import SequenceExhausted, next_number
from core.options import Options

from . import PLUGIN, history, hook, options, pricing
from .allocation import allocate_line, release_line
from .codes import check_reason_code, ship_via_for
from .credit import authorised, credit_problems, hold, lift_hold
from .inputs import LineChange, LineChanges, LineInput, OrderInput, RemovedLine
from .models import DONE_STATUSES, OPEN_STATUSES, ORDER_TYPES, SalesOrder, SalesOrderLine
from .queries import order_number_used, orders_with_customer_po
from .rules import entry_ship_status, margin_problem, number_problem, too_many_lines, within_schedule_window
from .supply import supply_due

SEQUENCES = {"O": "next_sales_order", "C": "next_credit_note", "D": "next_debit_note"}
MAX_VALUE = Decimal("10000000000")  # a line or order value, with room for sums in the Money columns
_LINE = SalesOrderLine.__table__.c
_ORDER = SalesOrder.__table__.c
NUMBER_COLUMNS = {"qty_ordered": _LINE.qty_ordered.type, "unit_price": _LINE.unit_price.type,
                  "discount_pct": _LINE.discount_pct.type}


@dataclass
class _Save:
    """One save in progress: the input, what it refers to, and what was found so far."""

    data: OrderInput
    o: Options
    today: date
    created: bool
    customer: Partner | None = None
    warehouse: Warehouse | None = None
    items: dict[int, Item] = field(default_factory=dict)
    partners: dict[int, Partner] = field(default_factory=dict)
    warehouses: dict[int, Warehouse] = field(default_factory=dict)
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    existing: dict[int, SalesOrderLine] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    changes: LineChanges = field(default_factory=LineChanges)
    old_place: dict[int, tuple[int, int]] = field(default_factory=dict)  # line id: (item, warehouse) before
    removed: list[SalesOrderLine] = field(default_factory=list)
    reason_code: str = ""
    old_ship_via: str = ""

    def error(self, fld: str | None, text: str) -> None:
        self.errors.append((fld, text))

    def refuse_if_errors(self) -> None:
        if self.errors:
            raise ValidationError.many(self.errors)


def save_order(data: OrderInput, order: SalesOrder | None = None, *, today: date | None = None
               ) -> tuple[SalesOrder, list[str]]:
    """Validate, build, allocate and flush an order; fire the hooks. Returns (order, warnings)."""
    if order is not None and order.status in DONE_STATUSES:
        raise ValidationError(None, f"Order {order.number} is {order.status_label.lower()} and cannot be changed.")
    if problem := too_many_lines(len(data.lines)):
        raise ValidationError("lines", problem)  # before loading anything for thousands of lines
    s = _load(data, order, today or date.today())
    before = history.snapshot(order)
    _check_header(s, order)
    with db.session.no_autoflush:
        order = order or SalesOrder(status="1", held_from=None)
        _apply_header(s, order)
        _apply_lines(s, order)
        _remove_missing_lines(s, order)
        _invoice_discount(s, order)
        _check_order(s, order)
        if not s.errors:
            _plugin_checks(s, order)
    s.refuse_if_errors()
    if s.created:
        order.number = s.data.number.strip() if s.o["order_numbering"] == "manual" else draw_order_number(
            order.order_type)
        db.session.add(order)
    db.session.flush()
    history.record_saved(order, before, s.removed)  # before allocation and credit change its status
    forward = _allocate(s, order)
    entered = s.changes.added + [change.line for change in s.changes.changed]
    order.supply_due = supply_due(entered, s.o["supply_request"], forward)
    _credit_at_entry(s, order, forward)
    db.session.flush()
    _fire_saved(s, order)
    return order, s.warnings


# -- loading and checking the header ------------------------------------------------------------


def _load(data: OrderInput, order: SalesOrder | None, today: date) -> _Save:
    """Everything the input refers to, in a few queries."""
    s = _Save(data=data, o=options.current(), today=today, created=order is None)
    customer = db.session.get(Partner, data.customer_id) if data.customer_id else None
    s.customer = customer if customer is not None and customer.is_customer else None
    s.warehouse = db.session.get(Warehouse, data.warehouse_id) if data.warehouse_id else None
    item_ids = {li.item_id for li in data.lines if li.item_id}
    if item_ids:
        s.items = {i.id: i for i in db.session.scalars(sa.select(Item).where(Item.id.in_(item_ids)))}
    vendor_ids = {li.vendor_id for li in data.lines if li.vendor_id}
    if vendor_ids:
        s.partners = {p.id: p for p in db.session.scalars(sa.select(Partner).where(Partner.id.in_(vendor_ids)))}
    warehouse_ids = {li.warehouse_id for li in data.lines if li.warehouse_id}
    if warehouse_ids:
        s.warehouses = {w.id: w for w in db.session.scalars(sa.select(Warehouse)
                                                            .where(Warehouse.id.in_(warehouse_ids)))}
    s.existing = {line.id: line for line in order.lines} if order is not None else {}
    s.old_ship_via = order.ship_via if order is not None else ""
    return s


def _check_header(s: _Save, order: SalesOrder | None) -> None:
    data = s.data
    if s.customer is None:
        s.error("customer_id", "Choose a customer.")
    if s.warehouse is None:
        s.error("warehouse_id", "Choose a warehouse.")
    if data.order_type not in SEQUENCES:
        s.error("order_type", "Choose an order type.")
    order_date = data.order_date or (order.order_date if order is not None else s.today)
    if data.requested_ship_date and data.requested_ship_date < order_date:
        s.error("requested_ship_date", "The ship date cannot be before the order date.")
    number = (data.number or "").strip()
    if s.created and s.o["order_numbering"] == "manual":
        if not number:
            s.error("number", "Enter the order number (order numbering is manual).")
        elif order_number_used(number):
            s.error("number", f"Order number {number} is already used.")
    _check_reason_code(s, order)


def _check_reason_code(s: _Save, order: SalesOrder | None) -> None:
    """*Ask reason code when entering new credit notes*; a code typed on any order must exist."""
    typed = (s.data.reason_code or "").strip()
    if order is not None and typed == order.reason_code:
        s.reason_code = typed  # kept as given, even if the code has been retired since
        return
    required = s.created and s.data.order_type == "C" and s.o["ask_reason_code"]
    try:
        s.reason_code = check_reason_code(typed, required) or ""
    except ValidationError as exc:
        s.errors.extend(exc.errors)


def _apply_header(s: _Save, order: SalesOrder) -> None:
    data = s.data
    order.order_date = data.order_date or order.order_date or s.today
    order.customer_po_number = (data.customer_po_number or "").strip()
    order.requested_ship_date = data.requested_ship_date
    order.confirm_to = data.confirm_to or ""
    order.order_type = data.order_type if data.order_type in SEQUENCES else "O"
    order.notes = data.notes or ""
    order.margin_override = bool(data.margin_override)
    order.reason_code = s.reason_code
    if s.customer is not None:
        order.customer = s.customer
        _customer_defaults(order, s.customer, data, s.created)
        _ship_via(s, order)
    if s.warehouse is not None:
        order.warehouse = s.warehouse


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


def _ship_via(s: _Save, order: SalesOrder) -> None:
    """*Shipping via usage* and *Default shipping message* on what ``_customer_defaults`` chose."""
    o = s.o
    text = order.ship_via or ""
    if not text and s.created and o["ship_via_usage"] == "free_form":
        text = (o["default_ship_message"] or "")[:40]  # the order's column holds 40
    if not s.created and text == s.old_ship_via:
        return  # unchanged: already a message (a code's message may be longer than a typed one)
    try:
        order.ship_via = ship_via_for(text, o["ship_via_usage"])
    except ValidationError as exc:
        s.errors.extend(exc.errors)


# -- lines --------------------------------------------------------------------------------------


def _apply_lines(s: _Save, order: SalesOrder) -> None:
    next_no = max([line.line_no for line in s.existing.values()] or [0]) + 1
    for li in s.data.lines:
        item = _check_line_input(s, li)
        known, line = _existing_line(s, li, item)
        if not known or item is None or li.qty_ordered is None or li.qty_ordered == 0:
            continue
        if line is None:
            line = SalesOrderLine(line_no=next_no, qty_to_ship=ZERO, qty_backordered=ZERO, qty_shipped=ZERO,
                                  qty_allocated=ZERO)
            next_no += 1
            s.changes.added.append(line)
            order.lines.append(line)
        else:
            s.old_place[line.id] = (line.item_id, line.warehouse_id)
            if line.qty_ordered != li.qty_ordered:
                s.changes.changed.append(LineChange(line, line.qty_ordered, li.qty_ordered))
        _fill_line(s, order, line, li, item)


def _check_line_input(s: _Save, li: LineInput) -> Item | None:
    """Refusals that need only the typed line; returns its item when there is one."""
    for name, column_type in NUMBER_COLUMNS.items():
        if problem := number_problem(getattr(li, name), column_type):
            s.error(li.field(name), problem)
            setattr(li, name, None)  # refused: checked no further
    item = s.items.get(li.item_id) if li.item_id else None
    if item is None:
        s.error(li.field("item_id"), "Choose an item.")
    qty = li.qty_ordered
    if qty is None:
        if not any(f == li.field("qty_ordered") for f, _ in s.errors):
            s.error(li.field("qty_ordered"), "Enter a quantity.")
    elif qty == 0:
        s.error(li.field("qty_ordered"), "The quantity cannot be zero.")
    elif qty < 0 and not s.o["allow_negative_qty"]:
        s.error(li.field("qty_ordered"), "Negative quantities are not allowed (setup option).")
    if li.discount_pct is not None and not (0 <= li.discount_pct <= 100):
        s.error(li.field("discount_pct"), "The discount must be between 0 and 100 %.")
    if li.unit_price is not None and li.unit_price < 0:
        s.error(li.field("unit_price"), "The price cannot be negative.")
    vendor = s.partners.get(li.vendor_id) if li.vendor_id else None
    if li.vendor_id and (vendor is None or not vendor.is_vendor):  # a customer is not a vendor
        s.error(li.field("vendor_id"), "Choose a vendor (or leave it blank for the item's vendor).")
    if li.warehouse_id and li.warehouse_id not in s.warehouses:
        s.error(li.field("warehouse_id"), "Choose a warehouse (or leave it blank for the order's).")
    return item


def _existing_line(s: _Save, li: LineInput, item: Item | None) -> tuple[bool, SalesOrderLine | None]:
    """(False when the input names a line the order does not have, the line it edits or None: new)."""
    line = s.existing.get(li.id) if li.id else None
    if li.id and line is None:
        s.error(li.field("item_id"), "This line is not on the order.")
        return False, None
    if item is not None and not item.active and (line is None or line.item_id != item.id):
        s.error(li.field("item_id"), f"Item {item.code} is inactive: choose another item.")
    if line is None:
        return True, None
    s.seen.add(line.id)
    if line.qty_shipped and item is not None and item.id != line.item_id:
        s.error(li.field("item_id"), "The item of a line already shipped cannot change.")
    qty = li.qty_ordered
    if line.qty_shipped and qty is not None and abs(qty) < abs(line.qty_shipped):
        s.error(li.field("qty_ordered"), f"{line.qty_shipped.normalize():f} already shipped: the quantity "
                                         "cannot be lower.")
    return True, line


def _fill_line(s: _Save, order: SalesOrder, line: SalesOrderLine, li: LineInput, item: Item) -> None:
    o = s.o
    qty = li.qty_ordered
    line.item = item
    line.description = _line_description(s, line, li, item)
    line.alias_item_code = (li.alias_item_code or "").strip()[:40]
    line.qty_ordered = qty
    line.unit_price = li.unit_price if li.unit_price is not None else item.list_price
    line.discount_pct = li.discount_pct or ZERO
    line.promise_date = li.promise_date
    line.warehouse_id = li.warehouse_id or (s.warehouse.id if s.warehouse else None)
    line.drop_ship = (item.supply_method == "drop_ship") if li.drop_ship is None else bool(li.drop_ship)
    line.vendor_id = li.vendor_id or item.default_vendor_id
    line.unit_cost = item.unit_cost or ZERO
    line.line_value = pricing.line_value(line.unit_price, qty, line.discount_pct, o["discount_method"],
                                         o["price_decimals"])
    if abs(line.line_value) >= MAX_VALUE:
        s.error(li.field("qty_ordered"), f"The line value is too large (at most {MAX_VALUE:,}).")
        line.line_value = ZERO
    if not line.unit_cost and not o["ignore_zero_cost"]:
        s.warnings.append(f"Line {line.line_no}: item {item.code} has a zero cost.")
    _check_margin(s, order, line, li, item)


def _line_description(s: _Save, line: SalesOrderLine, li: LineInput, item: Item) -> str:
    """The typed description, unless *Allow change to description for stocked items* forbids it."""
    typed = (li.description or "").strip()
    if not typed:
        return item.description
    kept = line.description if line.id is not None else None  # a change made while it was allowed stays
    if item.stocked and not s.o["allow_description_change"] and typed not in (item.description, kept):
        s.error(li.field("description"), f"The description of stocked item {item.code} cannot be changed "
                                         "(setup option Allow change to description for stocked items).")
    return typed


def _check_margin(s: _Save, order: SalesOrder, line: SalesOrderLine, li: LineInput, item: Item) -> None:
    o = s.o
    if o["margin_check"] == "none" or order.order_type == "C":
        return
    required = o["margin_pct"] if o["margin_check"] == "company" else item.min_margin_pct
    achieved = margin_problem(unit_price=line.unit_price, qty=line.qty_ordered, discount_pct=line.discount_pct,
                              unit_cost=line.unit_cost, required_pct=required, basis=o["margin_basis"],
                              method=o["discount_method"], decimals=o["price_decimals"])
    if achieved is None:
        return
    text = (f"{item.code}: price is {achieved}% above cost, below the minimum of "
            f"{Decimal(required).normalize():f}%.")
    if o["margin_override"] and s.data.margin_override:
        s.warnings.append(text + " Overridden.")
    elif o["margin_override"]:
        s.error(li.field("unit_price"), text + " Tick 'Override margin check' to save anyway.")
    else:
        s.error(li.field("unit_price"), text)


def _remove_missing_lines(s: _Save, order: SalesOrder) -> None:
    """Lines of the order that the input no longer has are removed (unless shipped or invoiced)."""
    s.removed = [line for lid, line in s.existing.items() if lid not in s.seen]
    keep_invoiced = order.previously_invoiced and not s.o["cancel_invoiced"]
    for line in s.removed:
        if line.qty_shipped:
            s.error("lines", f"Line {line.line_no} ({line.item.code}) has been shipped and cannot be removed.")
        elif keep_invoiced:
            # *Cancel open order previously invoiced* off: an invoiced order is completed, not cut down
            s.error("lines", f"Line {line.line_no} ({line.item.code}) cannot be removed: the order has been "
                             "invoiced (setup option Cancel open order previously invoiced).")
        line._removed = True  # type: ignore[attr-defined]


def _invoice_discount(s: _Save, order: SalesOrder) -> None:
    """The order's invoice discount %, and its amount by *Calculate invoice discount after line discount*."""
    pct = s.data.invoice_discount_pct
    if problem := number_problem(pct, _ORDER.invoice_discount_pct.type):
        s.error("invoice_discount_pct", problem)
        pct = None
    elif pct is not None and not (0 <= pct <= 100):
        s.error("invoice_discount_pct", "The invoice discount must be between 0 and 100 %.")
        pct = None
    order.invoice_discount_pct = pct or ZERO
    values = [(pricing.gross_value(line.unit_price, line.qty_ordered), line.line_value)
              for line in order.active_lines if line.unit_price is not None and line.qty_ordered is not None]
    order.invoice_discount = pricing.invoice_discount(values, order.invoice_discount_pct,
                                                      s.o["invoice_discount_after_line"])


# -- the whole order ---------------------------------------------------------------------------


def _check_order(s: _Save, order: SalesOrder) -> None:
    if order.active_lines and abs(order.total) >= MAX_VALUE:
        s.error("lines", f"The order total is too large (at most {MAX_VALUE:,}).")
    if not order.active_lines and not any(f and f.startswith("lines-") for f, _ in s.errors):
        s.error("lines", "Add at least one line.")
    _check_customer_po(s, order)


def _check_customer_po(s: _Save, order: SalesOrder) -> None:
    """*Validation of duplicate customer p/order numbers*: compared without regard to case."""
    scope = s.o["dup_po_validation"]
    if s.customer is None or not order.customer_po_number or scope == "none":
        return
    used = orders_with_customer_po(order.customer_po_number, exclude_id=order.id,
                                   customer_id=s.customer.id if scope == "customer" else None)
    if not used:
        return
    where = "this customer" if scope == "customer" else "the company"
    text = f"Customer PO number {order.customer_po_number} is already used for {where} (order {', '.join(used)})."
    if s.o["dup_po_action"] == "prevent":
        s.error("customer_po_number", text)
    else:
        s.warnings.append(text)


def _plugin_checks(s: _Save, order: SalesOrder) -> None:
    """``validate_sales_order``: other plugins' errors stop the save, their warnings are shown."""
    for result in hook().validate_sales_order(order=order):
        for m in result or []:
            text = m.text if m.field or not m.plugin or m.plugin == PLUGIN else f"{m.text} ({m.plugin})"
            if m.level == "error":
                s.error(m.field, text)
            else:
                s.warnings.append(text)


def draw_order_number(order_type: str) -> str:
    """The next free number of the order type's range; a used-up range is a clear refusal."""
    from .options import OPTIONS

    opt = next(x for x in OPTIONS if x.key == SEQUENCES.get(order_type, "next_sales_order"))
    seq = dict(opt.sequence)
    name = seq.pop("name")
    while True:
        try:
            number = next_number(name, start=opt.default, **seq)
        except SequenceExhausted:
            kind = ORDER_TYPES.get(order_type, "order").lower()
            raise ValidationError(None, f"No {kind} numbers are left: the range ends at {seq['max_value']}. "
                                        f"Nothing was saved. An administrator can set '{opt.label}' again in the "
                                        "sales order setup options (Numbering); numbers already used are "
                                        "skipped.") from None
        if not order_number_used(number):
            return number


def _allocate(s: _Save, order: SalesOrder) -> bool:
    """Release what changed item/warehouse, then allocate, or not for a forward order. Returns forward."""
    o = s.o
    forward = not within_schedule_window(order.order_date, order.requested_ship_date, o["scheduled_days"])
    for line in s.removed:
        release_line(line)
    for line in order.active_lines:
        before = s.old_place.get(line.id)
        if before and before != (line.item_id, line.warehouse_id):
            release_line(line, item_id=before[0], warehouse_id=before[1])
            line.qty_backordered = ZERO
    if forward and not order.previously_invoiced:
        for line in order.active_lines:
            release_line(line)
            line.qty_backordered = ZERO
        if order.status != "S":
            order.status = "F"
        return True
    if order.status == "F":
        order.status = "1"
    ship_status = entry_ship_status(o["reserve_stock"], o["default_ship_status"])
    stock.lock_rows((ln.item_id, ln.warehouse_id) for ln in order.active_lines if ln.stock_controlled)
    for line in order.active_lines:
        allocate_line(line, o["back_orders"], ship_status)
    for line in order.active_lines:
        if line.stock_controlled and line.qty_to_ship + line.qty_reserved + line.qty_backordered < line.qty_outstanding:
            s.warnings.append(f"Line {line.line_no}: {line.item.code} is short of stock and back orders are not "
                              "required; the quantity that cannot be shipped will be ignored.")
    return forward


def _credit_at_entry(s: _Save, order: SalesOrder, forward: bool) -> None:
    o = s.o
    reasons = credit_problems(order, limit=o["check_credit_limit"] and not o["credit_current_only"],
                              terms=o["check_terms"])
    if reasons and not authorised(order):
        hold(order, reasons)
        s.warnings.append("The order is in suspense (credit): " + order.hold_reason)
    elif order.status == "S" and not reasons and order.hold_reason and not order.suspended_manually:
        lift_hold(order)
        if order.status == "F" and not forward:
            order.status = "1"


def _fire_saved(s: _Save, order: SalesOrder) -> None:
    removed = [RemovedLine(line.id, line.line_no, line.item_id, line.qty_ordered) for line in s.removed]
    hook().on_sales_order_saved(order=order, created=s.created, changes=LineChanges(
        added=s.changes.added, changed=s.changes.changed, removed=removed))
    for line in s.removed:
        order.lines.remove(line)
    db.session.flush()


def follow_customer_address(partner: Partner) -> int:
    """*Fix ship address* off: orders in progress follow the customer's new ship-to address."""
    if options.fix_ship_address:
        return 0
    return db.session.execute(
        sa.update(SalesOrder)
        .where(SalesOrder.customer_id == partner.id, SalesOrder.ship_to_manual.is_(False),
               SalesOrder.status.in_(OPEN_STATUSES))
        .values(ship_to_address=partner.ship_to_address or "")
        .execution_options(synchronize_session=False)
    ).rowcount
