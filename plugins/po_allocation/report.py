"""Back Order Fill Report: what a receipt, a PO or a date range filled, per sales order line.

Built from this plugin's links and fills and purchase_order's receipts (read only).
Per line: *back-ordered* is what waited on the PO lines in scope (filled in scope plus
still open), *filled* what the receipts in scope released, *still open* what still waits.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from core.db import ZERO, db
from core.errors import ValidationError
from core.models import Item, Partner
from plugins.purchase_order.models import PurchaseOrder, Receipt, ReceiptLine
from plugins.sales_order.models import SalesOrder, SalesOrderLine

from .models import PaFill, PaLink

SORTS = (("so", "Sales order"), ("customer", "Customer number"), ("bill_to", "Bill-to name"))


@dataclass
class ReportFilter:
    receipt: str = ""
    po: str = ""
    so: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "so"
    only_received: bool = False
    include_all: bool = False


@dataclass
class FillRow:
    so_id: int
    so_number: str
    customer_number: str
    bill_to_name: str
    line_no: int
    item_code: str
    qty_backordered: Decimal = ZERO
    qty_filled: Decimal = ZERO
    qty_open: Decimal = ZERO
    linked: bool = True


@dataclass
class Scope:
    link_conds: list = field(default_factory=list)
    fill_conds: list = field(default_factory=list)
    dated: bool = False


def scope_of(f: ReportFilter) -> Scope:
    """Turn the filter into conditions on links and fills; unknown numbers are field errors."""
    s = Scope()
    errors = []
    if f.receipt:
        rid = db.session.scalar(sa.select(Receipt.id).where(Receipt.number == f.receipt))
        if rid is None:
            errors.append(("receipt", f"No receipt numbered {f.receipt}."))
        else:
            po_lines = sa.select(ReceiptLine.po_line_id).where(ReceiptLine.receipt_id == rid)
            s.link_conds.append(PaLink.po_line_id.in_(po_lines))
            s.fill_conds.append(PaFill.receipt_id == rid)
    if f.po:
        pid = db.session.scalar(sa.select(PurchaseOrder.id).where(PurchaseOrder.number == f.po))
        if pid is None:
            errors.append(("po", f"No purchase order numbered {f.po}."))
        else:
            s.link_conds.append(PaLink.po_id == pid)
            s.fill_conds.append(PaFill.po_id == pid)
    if f.so:
        sid = db.session.scalar(sa.select(SalesOrder.id).where(SalesOrder.number == f.so))
        if sid is None:
            errors.append(("so", f"No sales order numbered {f.so}."))
        else:
            s.link_conds.append(PaLink.so_id == sid)
            s.fill_conds.append(PaFill.so_id == sid)
    if f.date_from and f.date_to and f.date_from > f.date_to:
        errors.append(("date_to", "The end date is before the start date."))
    if errors:
        raise ValidationError.many(errors)
    dated = sa.select(Receipt.id)
    if f.date_from:
        dated = dated.where(Receipt.receipt_date >= f.date_from)
    if f.date_to:
        dated = dated.where(Receipt.receipt_date <= f.date_to)
    if f.date_from or f.date_to:
        s.dated = True
        s.fill_conds.append(PaFill.receipt_id.in_(dated))
        s.link_conds.append(sa.tuple_(PaLink.so_line_id, PaLink.po_line_id).in_(
            sa.select(PaFill.so_line_id, PaFill.po_line_id).where(*s.fill_conds)))
    return s


def _line_rows(so_line_ids: set[int]) -> dict[int, FillRow]:
    if not so_line_ids:
        return {}
    stmt = (sa.select(SalesOrderLine.id, SalesOrderLine.line_no, SalesOrder.id.label("so_id"), SalesOrder.number,
                      Partner.number.label("cnum"), Partner.name, Item.code)
            .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
            .join(Partner, Partner.id == SalesOrder.customer_id).join(Item, Item.id == SalesOrderLine.item_id)
            .where(SalesOrderLine.id.in_(so_line_ids)))
    return {r.id: FillRow(r.so_id, r.number, r.cnum, r.name, r.line_no, r.code) for r in db.session.execute(stmt)}


def fill_report(f: ReportFilter) -> list[FillRow]:
    s = scope_of(f)
    open_by_line: dict[int, Decimal] = {}
    for so_line_id, qty, filled in db.session.execute(
            sa.select(PaLink.so_line_id, PaLink.qty, PaLink.qty_filled).where(*s.link_conds)):
        open_by_line[so_line_id] = open_by_line.get(so_line_id, ZERO) + max(ZERO, Decimal(qty) - Decimal(filled))
    filled_by_line: dict[int, Decimal] = dict(
        (lid, Decimal(q)) for lid, q in db.session.execute(
            sa.select(PaFill.so_line_id, sa.func.sum(PaFill.qty)).where(*s.fill_conds).group_by(PaFill.so_line_id)))
    rows = _line_rows(set(open_by_line) | set(filled_by_line))
    for lid, row in rows.items():
        row.qty_filled = filled_by_line.get(lid, ZERO)
        row.qty_open = open_by_line.get(lid, ZERO)
        row.qty_backordered = row.qty_filled + row.qty_open
    out = [r for r in rows.values() if not f.only_received or r.qty_filled > 0]
    if f.include_all:
        out += _other_lines({r.so_id for r in out}, set(rows))
    return sort_rows(out, f.sort)


def _other_lines(so_ids: set[int], known: set[int]) -> list[FillRow]:
    """*Include all sales order lines*: the orders' other lines, with their demand only."""
    if not so_ids:
        return []
    ids = set(db.session.scalars(sa.select(SalesOrderLine.id).where(SalesOrderLine.order_id.in_(so_ids)))) - known
    rows = _line_rows(ids)
    backordered = dict(db.session.execute(sa.select(SalesOrderLine.id, SalesOrderLine.qty_backordered)
                                          .where(SalesOrderLine.id.in_(ids))).all()) if ids else {}
    for lid, row in rows.items():
        row.linked = False
        row.qty_backordered = row.qty_open = Decimal(backordered.get(lid) or 0)
    return list(rows.values())


def sort_rows(rows: list[FillRow], sort: str) -> list[FillRow]:
    keys = {
        "so": lambda r: (r.so_number, r.line_no),
        "customer": lambda r: (r.customer_number, r.so_number, r.line_no),
        "bill_to": lambda r: (r.bill_to_name.lower(), r.customer_number, r.so_number, r.line_no),
    }
    return sorted(rows, key=keys.get(sort, keys["so"]))


HEADER = ("Sales order", "Line", "Customer", "Bill-to name", "Item", "Back-ordered", "Filled", "Still open")


def to_csv(rows: list[FillRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    for r in rows:
        writer.writerow([r.so_number, r.line_no, r.customer_number, r.bill_to_name, r.item_code,
                         _q(r.qty_backordered), _q(r.qty_filled), _q(r.qty_open)])
    return buf.getvalue()


def _q(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"
