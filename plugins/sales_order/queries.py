"""Read-side statements of the sales order pages and services (no writes here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from core import lookup
from core.db import ZERO, db
from core.models import Item, Partner
from core.parsing import has_nul, parse_date

from .models import DONE_STATUSES, STATUSES, SalesInvoice, SalesOrder, SalesOrderLine

FILTERS = ("q", "status", "customer", "item", "date_from", "date_to")
BACKORDER_STATUSES = ("1", "2", "3", "4", "8")  # orders whose back orders can be released
CREDIT_OUTSTANDING_STATUSES = ("1", "2", "3", "4", "8", "S")  # orders counted against the credit limit


def list_filters(args: Mapping[str, str]) -> dict[str, str]:
    """The list page's filters as typed (a value with a NUL byte is dropped: it matches nothing)."""
    values = {k: (args.get(k) or "").strip() for k in FILTERS}
    return {k: ("" if has_nul(v) else v) for k, v in values.items()}


# an order's total in SQL (the lines' values less the invoice discount), for sorting and totals
ORDER_TOTAL = (sa.select(sa.func.coalesce(sa.func.sum(SalesOrderLine.line_value), 0))
               .where(SalesOrderLine.order_id == SalesOrder.id).correlate(SalesOrder).scalar_subquery()
               - SalesOrder.invoice_discount)
SORTS = {
    "number": SalesOrder.number, "date": SalesOrder.order_date, "status": SalesOrder.status,
    "customer": sa.select(Partner.name).where(Partner.id == SalesOrder.customer_id).correlate(SalesOrder)
    .scalar_subquery(),
    "customer_po": SalesOrder.customer_po_number, "type": SalesOrder.order_type, "total": ORDER_TOTAL,
}
def listed_total(ids: sa.Select | None) -> sa.ColumnElement:
    """The total of the listed orders (``ids``): their lines' values less their invoice discounts."""
    lines = sa.select(sa.func.coalesce(sa.func.sum(SalesOrderLine.line_value), 0))
    discounts = sa.select(sa.func.coalesce(sa.func.sum(SalesOrder.invoice_discount), 0))
    if ids is not None:
        lines, discounts = lines.where(SalesOrderLine.order_id.in_(ids)), discounts.where(SalesOrder.id.in_(ids))
    return lines.scalar_subquery() - discounts.scalar_subquery()


CSV_HEADER = ("Number", "Date", "Customer number", "Customer", "Customer PO", "Type", "Status", "Total")


def csv_row(o: SalesOrder) -> tuple:
    return (o.number, o.order_date, o.customer.number, o.customer.name, o.customer_po_number, o.order_type_label,
            o.status_label, f"{o.total:.2f}")


def list_statement(f: Mapping[str, str]) -> sa.Select:
    """The list: text search (order number, customer PO, customer, item codes on its lines) and filters."""
    stmt = (sa.select(SalesOrder)
            .options(joinedload(SalesOrder.customer))  # line values come from list_totals, not line objects
            .order_by(SalesOrder.order_date.desc(), SalesOrder.id.desc()))
    if f["q"]:
        like = f"%{f['q']}%"
        # orders with a line of a matching item: the items are matched once, then their lines by index
        on_a_line = SalesOrder.id.in_(sa.select(SalesOrderLine.order_id).where(SalesOrderLine.item_id.in_(
            sa.select(Item.id).where(Item.code.ilike(like)))))
        stmt = stmt.join(Partner, SalesOrder.customer_id == Partner.id).where(sa.or_(
            SalesOrder.number.ilike(like), SalesOrder.customer_po_number.ilike(like),
            Partner.name.ilike(like), Partner.number.ilike(like), on_a_line))
    if f["status"] in STATUSES:
        stmt = stmt.where(SalesOrder.status == f["status"])
    elif f["status"] == "open":
        stmt = stmt.where(SalesOrder.status.notin_(DONE_STATUSES))
    if f["customer"]:
        stmt = stmt.where(SalesOrder.customer_id == lookup.typed_id(Partner, f["customer"]))
    if f["item"]:
        stmt = stmt.where(sa.exists().where(SalesOrderLine.order_id == SalesOrder.id,
                                            SalesOrderLine.item_id == lookup.typed_id(Item, f["item"])))
    if d := parse_date(f["date_from"]):
        stmt = stmt.where(SalesOrder.order_date >= d)
    if d := parse_date(f["date_to"]):
        stmt = stmt.where(SalesOrder.order_date <= d)
    return stmt


def list_totals(orders: Iterable[SalesOrder]) -> dict[int, Decimal]:
    """Each listed order's total (``SalesOrder.total``) in one grouped query: building the line
    objects of a page of 50 orders cost more than the rest of the page."""
    orders = list(orders)
    if not orders:
        return {}
    sums = dict(db.session.execute(
        sa.select(SalesOrderLine.order_id, sa.func.sum(SalesOrderLine.line_value))
        .where(SalesOrderLine.order_id.in_([o.id for o in orders])).group_by(SalesOrderLine.order_id)).all())
    return {o.id: Decimal(sums.get(o.id) or 0) - (o.invoice_discount or ZERO) for o in orders}


def order_for_page(order_id: int) -> SalesOrder | None:
    """An order with everything its page shows, in a few queries."""
    return db.session.scalars(
        sa.select(SalesOrder).where(SalesOrder.id == order_id)
        .options(joinedload(SalesOrder.customer), joinedload(SalesOrder.warehouse),
                 selectinload(SalesOrder.lines).joinedload(SalesOrderLine.item),
                 selectinload(SalesOrder.lines).joinedload(SalesOrderLine.vendor),
                 selectinload(SalesOrder.invoices).selectinload(SalesInvoice.lines))).one_or_none()


def order_for_entry(order_id: int) -> SalesOrder | None:
    """An order opened for editing, with its customer and its lines' items and vendors (4 queries)."""
    return db.session.scalars(
        sa.select(SalesOrder).where(SalesOrder.id == order_id)
        .options(joinedload(SalesOrder.customer),
                 selectinload(SalesOrder.lines).joinedload(SalesOrderLine.item),
                 selectinload(SalesOrder.lines).joinedload(SalesOrderLine.vendor))).one_or_none()


def get_order(order_id: int) -> SalesOrder | None:
    return db.session.get(SalesOrder, order_id)


def lock_order(order_id: int) -> SalesOrder | None:
    """The order, its row locked for the rest of the transaction (PostgreSQL)."""
    return db.session.scalars(
        sa.select(SalesOrder).where(SalesOrder.id == order_id).with_for_update(of=SalesOrder)
        .execution_options(populate_existing=True)
    ).one_or_none()


def order_number_used(number: str) -> bool:
    return bool(db.session.scalar(sa.select(sa.func.count()).select_from(SalesOrder)
                                  .where(SalesOrder.number == number)))


def invoice_number_used(number: str, customer_id: int | None = None) -> bool:
    """Whether an invoice has this number: in the company, or among one customer's invoices."""
    stmt = sa.select(sa.func.count()).select_from(SalesInvoice).where(SalesInvoice.number == number)
    if customer_id is not None:
        stmt = stmt.join(SalesOrder, SalesOrder.id == SalesInvoice.order_id).where(
            SalesOrder.customer_id == customer_id)
    return bool(db.session.scalar(stmt))


def orders_with_customer_po(po_number: str, *, exclude_id: int | None, customer_id: int | None) -> list[str]:
    """Numbers of other orders with this customer PO number, compared without regard to case."""
    stmt = sa.select(SalesOrder.number).where(
        sa.func.lower(SalesOrder.customer_po_number) == po_number.lower(), SalesOrder.id != (exclude_id or -1))
    if customer_id is not None:
        stmt = stmt.where(SalesOrder.customer_id == customer_id)
    return list(db.session.scalars(stmt.order_by(SalesOrder.number).limit(3)))


def outstanding_order_value(customer_id: int, exclude_id: int | None = None,
                            statuses: Iterable[str] = CREDIT_OUTSTANDING_STATUSES) -> Decimal:
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


def backorder_lines_stmt() -> sa.Select:
    return (sa.select(SalesOrderLine).join(SalesOrder)
            .where(SalesOrderLine.qty_backordered > 0, SalesOrder.status.in_(BACKORDER_STATUSES))
            .options(selectinload(SalesOrderLine.item), selectinload(SalesOrderLine.order)
                     .selectinload(SalesOrder.customer), selectinload(SalesOrderLine.warehouse))
            .order_by(SalesOrder.order_date, SalesOrder.id, SalesOrderLine.line_no))


def backorder_lines(ready_only: bool = False) -> list[SalesOrderLine]:
    """Back-ordered lines; ``ready_only``: those whose warehouse has stock available now."""
    stmt = backorder_lines_stmt()
    if ready_only:
        from .dashboard import ready_condition

        stmt = stmt.where(ready_condition())
    return list(db.session.scalars(stmt))


def forward_order_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SalesOrder).where(SalesOrder.status == "F")) or 0


def forward_orders_locked() -> list[SalesOrder]:
    return list(db.session.scalars(sa.select(SalesOrder).where(SalesOrder.status == "F")
                                   .options(selectinload(SalesOrder.lines).selectinload(SalesOrderLine.item))
                                   .order_by(SalesOrder.id).with_for_update(of=SalesOrder)))


def purgeable_orders(cutoff) -> list[SalesOrder]:
    """Completed and cancelled orders dated before ``cutoff``, with what an archive keeps."""
    when = sa.func.coalesce(SalesOrder.completed_on, SalesOrder.order_date)
    return list(db.session.scalars(
        sa.select(SalesOrder).where(SalesOrder.status.in_(DONE_STATUSES), when < cutoff)
        .options(selectinload(SalesOrder.customer),
                 selectinload(SalesOrder.lines).selectinload(SalesOrderLine.item),
                 selectinload(SalesOrder.invoices).selectinload(SalesInvoice.lines))
        .order_by(SalesOrder.id)))


READY_FILTERS = ("q", "item")


def ready_lines_stmt(f: Mapping[str, str] | None = None) -> sa.Select:
    """Lines with quantity reserved and ready to release, oldest order first; ``q`` matches the
    order number or the customer's number or name, ``item`` the item code (both in part)."""
    f = f or {}
    stmt = (sa.select(SalesOrderLine).join(SalesOrder)
            .where(SalesOrderLine.qty_reserved > 0, SalesOrder.status.in_(BACKORDER_STATUSES))
            .options(selectinload(SalesOrderLine.item), selectinload(SalesOrderLine.order)
                     .selectinload(SalesOrder.customer), selectinload(SalesOrderLine.warehouse))
            .order_by(SalesOrder.order_date, SalesOrder.id, SalesOrderLine.line_no))
    if f.get("q"):
        like = f"%{f['q']}%"
        stmt = stmt.join(Partner, SalesOrder.customer_id == Partner.id).where(sa.or_(
            SalesOrder.number.ilike(like), Partner.name.ilike(like), Partner.number.ilike(like)))
    if f.get("item"):
        stmt = stmt.join(Item, SalesOrderLine.item_id == Item.id).where(Item.code.ilike(f"%{f['item']}%"))
    return stmt
