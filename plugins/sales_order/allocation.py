"""Stock on sales order lines: reserving, releasing, back orders and their release."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core import stock
from core.db import ZERO, db
from core.errors import ValidationError

from . import hook, options
from .credit import hold, ship_move_problem, ship_share
from .models import SalesOrder, SalesOrderLine
from .queries import BACKORDER_STATUSES, forward_orders_locked, lock_order
from .rules import entry_ship_status, receipt_destination, within_schedule_window


def release_line(line: SalesOrderLine, item_id: int | None = None, warehouse_id: int | None = None) -> None:
    """Give back the stock reserved for a line (for its old item/warehouse when they changed)."""
    if line.qty_allocated:
        stock.release(item_id or line.item_id, warehouse_id or line.warehouse_id, line.qty_allocated)
        line.qty_allocated = ZERO
    line.qty_to_ship = ZERO
    line.qty_reserved = ZERO


def allocate_line(line: SalesOrderLine, back_orders: str, ship_status: str = "ship") -> None:
    """Bring to ship / reserved / back order (and the stock held) in line with the outstanding quantity.

    A stocked line reserves what stock it can; ``ship_status`` ("ship" or "reserve", *Default
    ship status*) says whether that goes to ship or waits as reserved, and the rest goes to
    back order. A line bought to order has no stock to take: it all waits on back order for
    its goods (a receipt releases it). Other non-stocked lines go to ship. A smaller quantity
    comes off back order first, then reserved, then to ship.
    """
    outstanding = line.qty_outstanding
    waits = line.bought_to_order and back_orders != "not_required"
    if line.qty_ordered < 0 or not (line.stock_controlled or waits):
        line.qty_to_ship = outstanding - (line.qty_backordered or ZERO) - (line.qty_reserved or ZERO)
        return
    to_ship, reserved = line.qty_to_ship or ZERO, line.qty_reserved or ZERO
    backordered = line.qty_backordered or ZERO
    cover = to_ship + reserved + backordered
    if outstanding < cover:
        excess = cover - outstanding
        cut = min(excess, backordered)
        backordered, excess = backordered - cut, excess - cut
        freed = min(excess, reserved)
        reserved, excess = reserved - freed, excess - freed
        to_ship -= excess
        freed += excess
        if freed and line.stock_controlled:
            stock.release(line.item_id, line.warehouse_id, freed)
            line.qty_allocated = (line.qty_allocated or ZERO) - freed
    elif outstanding > cover:
        need = outstanding - cover
        granted = stock.reserve(line.item_id, line.warehouse_id, need) if line.stock_controlled else ZERO
        line.qty_allocated = (line.qty_allocated or ZERO) + granted
        if ship_status == "reserve":
            reserved += granted
        else:
            to_ship += granted
        if back_orders != "not_required":
            backordered += need - granted
    line.qty_to_ship, line.qty_reserved, line.qty_backordered = to_ship, reserved, backordered


def auto_release(order: SalesOrder, non_stocked_action: str) -> bool:
    """Move back orders to ship where stock allows (stocked) or the option says (non-stocked)."""
    moved = False
    attached: set[int] = set()
    if non_stocked_action == "if_unattached":  # which lines a supply document (a PO) serves: ask the plugins
        for answer in hook().sales_order_line_supply(lines=list(order.lines)):
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


def release_backorder(line: SalesOrderLine, qty: Decimal, today: date | None = None) -> None:
    """Move ``qty`` of a line's back order into ship, reserving stock for stocked lines."""
    field = f"release-{line.id}"
    if qty <= 0 or qty > (line.qty_backordered or ZERO):
        raise ValidationError(field, f"Release between 0 and {line.qty_backordered.normalize():f}.")
    if line.order.status not in BACKORDER_STATUSES:
        raise ValidationError(None, f"Order {line.order.number} is {line.order.status_label.lower()}.")
    if line.stock_controlled:
        granted = stock.reserve(line.item_id, line.warehouse_id, qty)
        if granted < qty:
            stock.release(line.item_id, line.warehouse_id, granted)
            raise ValidationError(field, f"Only {granted.normalize():f} of {line.item.code} in stock.")
        line.qty_allocated = (line.qty_allocated or ZERO) + qty
    line.qty_backordered -= qty
    _to_ship(line, qty, today)
    db.session.flush()


def required_date(line: SalesOrderLine) -> date | None:
    """When a line is wanted: its promise date, else the order's ship date, else its order date."""
    return line.promise_date or line.order.requested_ship_date or line.order.order_date


def _to_ship(line: SalesOrderLine, qty: Decimal, today: date | None = None) -> None:
    """Add ``qty`` to ship; an open back order (status 2) becomes a released back order (3)."""
    line.qty_to_ship = (line.qty_to_ship or ZERO) + qty
    if line.order.status == "2":
        line.order.status = "3"
        if options.update_ship_date_on_release:
            line.order.requested_ship_date = today or date.today()


def release_received(line: SalesOrderLine, qty: Decimal) -> Decimal:
    """Hold up to ``qty`` of a line's back order for goods just received; returns what moved.

    The one receipt service the purchasing bridges (po_allocation, po_generation) call from
    ``on_receipt``. The goods are always held for the line (reserved stock for a stocked
    line); *Release of received back orders* and *Order linked to a receipt* say whether they
    go to ship at once or wait as reserved, ready to release (:func:`.rules.receipt_destination`).
    Capped at what is still back-ordered, so a line two bridges serve, or released by hand
    first, is never served twice. An order that is done, or stock short in the line's
    warehouse, takes nothing: the goods stay free stock. A credit check on moving to ship
    never refuses the receipt: a failing order goes into suspense.
    """
    qty = min(qty, line.qty_backordered or ZERO)
    order = line.order
    if qty <= 0 or order.status not in (*BACKORDER_STATUSES, "S"):
        return ZERO
    o = options.current()
    where = receipt_destination(o["receipt_release"], o["receipt_linked_action"], order.status)
    if line.stock_controlled:
        granted = stock.reserve(line.item_id, line.warehouse_id, qty)
        if granted < qty:
            stock.release(line.item_id, line.warehouse_id, granted)
            return ZERO
        line.qty_allocated = (line.qty_allocated or ZERO) + qty
    line.qty_backordered -= qty
    if where == "reserve":
        line.qty_reserved = (line.qty_reserved or ZERO) + qty
    else:
        problem = ship_move_problem(order, ship_share(line, qty))
        _to_ship(line, qty)
        if problem:
            hold(order, [problem])
    db.session.flush()
    return qty


def release_reserved(line: SalesOrderLine, qty: Decimal, today: date | None = None) -> None:
    """A clerk releases ``qty`` of what is reserved for a line (ready to release) to ship.
    The stock is already held for it, so nothing is reserved again."""
    field = f"release-{line.id}"
    if qty <= 0 or qty > (line.qty_reserved or ZERO):
        raise ValidationError(field, f"Release between 0 and {(line.qty_reserved or ZERO).normalize():f}.")
    if line.order.status not in BACKORDER_STATUSES:
        raise ValidationError(None, f"Order {line.order.number} is {line.order.status_label.lower()}.")
    line.qty_reserved -= qty
    _to_ship(line, qty, today)
    db.session.flush()


def unrelease(line: SalesOrderLine, qty: Decimal) -> Decimal:
    """Undo a receipt's release (the goods went back to the vendor): up to ``qty`` of what is
    reserved, then of what is to ship and not shipped, returns to back order, and its
    reserved stock is let go."""
    if line.order.status not in (*BACKORDER_STATUSES, "S"):
        return ZERO
    from_reserved = min(qty, line.qty_reserved or ZERO)
    from_ship = min(qty - from_reserved, line.qty_to_ship or ZERO)
    if line.stock_controlled:
        from_ship = min(from_ship, (line.qty_allocated or ZERO) - from_reserved)
    back = from_reserved + from_ship
    if back <= 0:
        return ZERO
    if line.stock_controlled:
        stock.release(line.item_id, line.warehouse_id, back)
        line.qty_allocated -= back
    line.qty_reserved = (line.qty_reserved or ZERO) - from_reserved
    line.qty_to_ship = (line.qty_to_ship or ZERO) - from_ship
    line.qty_backordered = (line.qty_backordered or ZERO) + back
    db.session.flush()
    return back


class Released(list):
    """The lines released ("number/line"), with what the credit check on moving to ship said."""

    def __init__(self) -> None:
        super().__init__()
        self.warnings: list[str] = []


def release_backorders(wanted: dict[int, Decimal], today: date | None = None, *, ready: bool = False
                       ) -> Released:
    """Back Order Release for several lines (by line id), each order locked; returns "number/line".

    ``ready``: release what is reserved for the lines (ready to release) instead of their back
    order; the same checks apply.

    All or nothing: a refused line undoes the others (a savepoint), so the page shown again
    with the refusal reads the lines as they were. With *Apply check when quantity moved to
    ship*, a line that fails the credit check is left on back order (*Exclude lines ...*) or
    is released and its order put in suspense.
    """
    done = Released()
    exclude = options.exclude_failing_lines
    with db.session.begin_nested():
        for line_id, qty in sorted(wanted.items()):
            line = db.session.get(SalesOrderLine, line_id)
            if line is None:
                continue
            lock_order(line.order_id)
            order, where = line.order, f"{line.order.number}/{line.line_no}"
            if order.status == "S":
                done.warnings.append(f"{where} not released: the order is in suspense (credit).")
                continue
            problem = ship_move_problem(order, ship_share(line, qty))
            if problem and exclude:
                order.status = "2"  # the seed: the order stays an open back order
                done.warnings.append(f"{where} left on back order: {problem}")
                continue
            (release_reserved if ready else release_backorder)(line, qty, today)
            done.append(where)
            if problem:
                hold(order, [problem])
                done.warnings.append(f"Order {order.number} is in suspense until authorised: {problem}")
        db.session.flush()
    return done


def allocate_scheduled(today: date | None = None) -> list[SalesOrder]:
    """The Scheduled Order Allocation program: allocate forward orders now inside the window."""
    o = options.current()
    today = today or date.today()
    done = []
    for order in forward_orders_locked():
        if within_schedule_window(today, order.requested_ship_date, o["scheduled_days"]):
            order.status = "1"
            for line in order.lines:
                allocate_line(line, o["back_orders"], entry_ship_status(o["reserve_stock"], o["default_ship_status"]))
            done.append(order)
    db.session.flush()
    return done
