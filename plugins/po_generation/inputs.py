"""Loading what the rules need, in a fixed number of bulk selects however many lines.

Lines are taken only for the orders read first: on PostgreSQL each statement reads
afresh, and an order saved between the two reads is left for the next run rather than
planned without its header. What is on order comes from the links (:mod:`.links`),
counting only PO lines of the line's current item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from core import stock
from core.bulk import among
from core.db import db
from core.models import Item, Partner, Warehouse
from plugins.sales_order.models import OPEN_STATUSES, SalesOrder, SalesOrderLine

from . import links
from .rules import ZERO, LineIn, OpenLink, OpenPO, OrderIn

HELD = "S"  # on credit hold (suspense): no purchase orders until authorised
FORWARD = "F"
GENERATABLE = tuple(s for s in OPEN_STATUSES if s != HELD)


@dataclass
class Selection:
    """Which open sales orders a generation takes (never those on credit hold)."""

    order_ids: list[int] | None = None
    date_from: date | None = None
    date_to: date | None = None
    customer_id: int | None = None
    vendor_id: int | None = None

    def order_select(self) -> sa.Select:
        stmt = sa.select(SalesOrder.id).where(SalesOrder.order_type == "O", SalesOrder.status.in_(GENERATABLE))
        if self.order_ids is not None:
            stmt = stmt.where(SalesOrder.id.in_(self.order_ids))
        if self.date_from:
            stmt = stmt.where(SalesOrder.order_date >= self.date_from)
        if self.date_to:
            stmt = stmt.where(SalesOrder.order_date <= self.date_to)
        if self.customer_id:
            stmt = stmt.where(SalesOrder.customer_id == self.customer_id)
        return stmt


def lock_orders(selection: Selection) -> list[int]:
    """Lock the selected sales orders' rows (in id order, so two generations cannot
    deadlock) until the transaction ends: generation for an order is serialised, and
    what is on order is read after the lock (on SQLite the write lock serialises)."""
    return list(db.session.scalars(selection.order_select().order_by(SalesOrder.id)
                                   .with_for_update(of=SalesOrder)))


@dataclass
class Inputs:
    orders: list[OrderIn]
    lines: list[LineIn]
    vendor_numbers: dict[int, str]
    open_links: dict[int, OpenLink]
    warehouse_addresses: dict[int, str]
    open_pos: dict[tuple[int, int | None], OpenPO]


def _rows(stmt: sa.Select) -> list[sa.Row]:
    """Plain rows of a column select on the session's connection, after a flush: the ORM's
    result processing (per row, for no entity) costs a tenth of a batch's planning."""
    db.session.flush()
    return db.session.connection().execute(stmt).all()


def _orders(order_ids: sa.ScalarSelect) -> dict[int, OrderIn]:
    cust = sa.orm.aliased(Partner)
    return {r.id: OrderIn(id=r.id, number=r.number, customer_id=r.customer_id, customer_number=r.cnum or "",
                          order_date=r.order_date, ship_date=r.requested_ship_date,
                          ship_to_address=r.ship_to_address or "", ship_via=r.ship_via or "", fob=r.fob or "",
                          confirm_to=r.confirm_to or "", email=r.email or "", warehouse_id=r.warehouse_id,
                          status=r.status)
            for r in _rows(
                sa.select(SalesOrder.id, SalesOrder.number, SalesOrder.customer_id, cust.number.label("cnum"),
                          SalesOrder.order_date, SalesOrder.requested_ship_date, SalesOrder.ship_to_address,
                          SalesOrder.ship_via, SalesOrder.fob, SalesOrder.confirm_to, SalesOrder.email,
                          SalesOrder.warehouse_id, SalesOrder.status)
                .join(cust, cust.id == SalesOrder.customer_id).where(SalesOrder.id.in_(order_ids)))}


def _order_lines(order_ids: sa.ScalarSelect) -> list[sa.Row]:
    """The lines with their items' defaults (Numeric columns come back as Decimal or None);
    :func:`_line_in` reads them by position."""
    L = SalesOrderLine
    return _rows(
        sa.select(L.id, L.order_id, L.line_no, L.item_id, L.description, L.alias_item_code, L.qty_ordered,
                  L.qty_shipped,
                  L.qty_allocated, L.promise_date, L.warehouse_id, L.drop_ship, L.vendor_id, L.unit_cost,
                  Item.code, Item.supply_method, Item.default_vendor_id, Item.vendor_item_code,
                  Item.description.label("idesc"), Item.unit_cost.label("icost"))
        .join(Item, Item.id == L.item_id).where(L.order_id.in_(order_ids)))


def _line_in(r: sa.Row, on_order: Decimal) -> LineIn:
    # unpacked by position, in _order_lines' column order: a batch builds one per line, and
    # reading a Row's 20 values by name costs more than building the record
    (id_, order_id, line_no, item_id, description, alias_item_code, qty_ordered, qty_shipped, qty_allocated,
     promise_date, warehouse_id, drop_ship, vendor_id, unit_cost, code, supply_method, default_vendor_id,
     vendor_item_code, item_description, item_cost) = r
    return LineIn(id=id_, order_id=order_id, line_no=line_no, item_id=item_id, item_code=code,
                  supply_method=supply_method, qty_ordered=qty_ordered or ZERO, drop_ship=bool(drop_ship),
                  vendor_id=vendor_id, default_vendor_id=default_vendor_id,
                  description=description or item_description or "", qty_shipped=qty_shipped or ZERO,
                  qty_allocated=qty_allocated or ZERO, on_order=on_order, promise_date=promise_date,
                  unit_cost=unit_cost or item_cost or ZERO, vendor_item_code=vendor_item_code or "",
                  alias_item_code=alias_item_code or "", warehouse_id=warehouse_id)


def _share_free_stock(lines: list[LineIn], forward: set[int]) -> None:
    """Forward orders allocate stock only when their ship date comes near; until then the
    free stock counts for their stocked lines (oldest order first), so it is not bought."""
    wanted = [ln for ln in lines if ln.order_id in forward and not ln.is_purchased and ln.qty_ordered > 0]
    if not wanted:
        return
    free = stock.available_many({(ln.item_id, ln.warehouse_id) for ln in wanted})
    for ln in sorted(wanted, key=lambda x: (x.order_id, x.line_no)):
        key = (ln.item_id, ln.warehouse_id)
        need = max(ZERO, ln.qty_ordered - ln.qty_shipped - ln.qty_allocated)
        ln.qty_free = min(need, max(ZERO, free.get(key, ZERO)))
        free[key] = free.get(key, ZERO) - ln.qty_free


def load_inputs(selection: Selection, *, combine: bool = False, only_line_ids: set[int] | None = None,
                exclude_line_ids: set[int] | None = None) -> Inputs:
    """Everything the rules need, in a fixed number of queries however many lines."""
    order_ids = selection.order_select().scalar_subquery()
    orders = _orders(order_ids)
    rows = _order_lines(order_ids)
    on_order = links.on_order_by_line(order_ids)
    lines = []
    used: set[int] = set()
    for r in rows:
        # an order saved after the orders were read (PostgreSQL reads each statement afresh)
        # is left for the next run rather than planned without its header
        if r.order_id not in orders:
            continue
        if (only_line_ids is not None and r.id not in only_line_ids) or (exclude_line_ids and r.id in exclude_line_ids):
            continue
        ln = _line_in(r, on_order.get(r.id, ZERO))
        if selection.vendor_id and ln.resolved_vendor_id != selection.vendor_id:
            continue
        used.add(r.order_id)
        lines.append(ln)
    orders = {oid: o for oid, o in orders.items() if oid in used}
    _share_free_stock(lines, {oid for oid, o in orders.items() if o.status == FORWARD})
    vendor_ids = {ln.resolved_vendor_id for ln in lines if ln.resolved_vendor_id}
    vendor_numbers: dict[int, str] = dict(db.session.execute(
        sa.select(Partner.id, Partner.number).where(among(Partner.id, vendor_ids))).all()) if vendor_ids else {}
    warehouses = dict(db.session.execute(sa.select(Warehouse.id, Warehouse.address)).all())
    open_pos = links.open_standard_pos(vendor_ids) if combine and vendor_ids else {}
    return Inputs(list(orders.values()), lines, vendor_numbers, links.open_links(order_ids), warehouses, open_pos)


@dataclass(frozen=True)
class OrderSupply:
    """What one sales order could still have bought for it (the buttons and the prompt ask this)."""

    to_order: bool  # a line has quantity that purchasing still has to order
    drop_ship: bool  # a line is drop-shipped (item's supply method or flagged)


def may_need_a_po(order: SalesOrder) -> bool:
    """In memory, before generation's inputs are read: a line bought to order, drop-shipped or
    not covered by its stock allocation may need a PO (free stock and POs on order only lower
    that); an order all of whose lines are covered from stock needs none, so the common save
    and order page skip the read."""
    return any(ln.bought_to_order or ln.drop_ship or (ln.item is not None and ln.item.supply_method == "drop_ship")
               or (ln.qty_ordered or ZERO) - (ln.qty_shipped or ZERO) - (ln.qty_allocated or ZERO) > 0
               for ln in order.lines)


def order_supply(order: SalesOrder) -> OrderSupply:
    """The order's lines as generation sees them (a fixed number of queries, none when
    :func:`may_need_a_po` says no line can need one)."""
    if not may_need_a_po(order):
        return OrderSupply(to_order=False, drop_ship=False)
    lines = load_inputs(Selection(order_ids=[order.id])).lines
    return OrderSupply(to_order=any(ln.quantity_to_order() > 0 for ln in lines),
                       drop_ship=any(ln.is_drop_ship for ln in lines))
