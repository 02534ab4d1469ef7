"""Back Order Fill Report (Sage's Printing tab): what a receipt, a PO or a date range filled.

purchase_order owns the report because it owns receipts; the bridges that link sales order
lines to PO lines (po_generation, po_allocation) answer ``back_order_fills`` with their lines
in scope, and the report adds them up per sales order line. Per line: *back-ordered* is what
waited on the PO lines in scope (filled in scope plus still open), *filled* what the receipts
in scope released, *still open* what still waits on those PO lines.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from core.db import ZERO, db
from core.errors import ValidationError

from .common import hooks
from .models import PurchaseOrder, Receipt, ReceiptLine

SORTS = (("so", "Sales order"), ("customer", "Customer number"), ("bill_to", "Bill-to name"))
HEADER = ("Sales order", "Line", "Customer", "Bill-to name", "Item", "Back-ordered", "Filled", "Still open")


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


@dataclass(frozen=True)
class FillScope:
    """What the bridges are asked about (``back_order_fills``), as ids and sub-selects.

    ``receipt_po_lines`` selects the PO line ids of the receipt in scope; ``receipts`` the ids
    of the receipts in scope (one receipt, or a date range); a bridge keeps its links and fills
    that match every condition given (``None``: no condition).
    """

    receipt_id: int | None = None
    receipt_po_lines: Any = None
    po_id: int | None = None
    so_number: str = ""
    receipts: Any = None
    dated: bool = False
    include_all: bool = False


@dataclass
class FillRow:
    """One sales order line of the report (a bridge answers these as plain dicts)."""

    so_line_id: int
    so_id: int
    so_number: str
    customer_number: str
    bill_to_name: str
    line_no: int
    item_code: str
    qty_filled: Decimal = ZERO
    qty_open: Decimal = ZERO
    linked: bool = True

    @property
    def qty_backordered(self) -> Decimal:
        return self.qty_filled + self.qty_open


def _id_of(model, number: str, field_name: str, what: str) -> int:
    found = db.session.scalar(sa.select(model.id).where(model.number == number))
    if found is None:
        raise ValidationError(field_name, f"No {what} numbered {number}.")
    return found


def scope_of(f: ReportFilter) -> FillScope:
    """Turn the filter into a scope; unknown numbers and a reversed date range are field errors."""
    errors: list[tuple[str, str]] = []
    found: dict[str, int | None] = {}
    for name, model, what in (("receipt", Receipt, "receipt"), ("po", PurchaseOrder, "purchase order")):
        try:
            found[name] = _id_of(model, getattr(f, name), name, what) if getattr(f, name) else None
        except ValidationError as exc:
            errors += exc.errors
    if f.date_from and f.date_to and f.date_from > f.date_to:
        errors.append(("date_to", "The end date is before the start date."))
    if errors:
        raise ValidationError.many(errors)
    receipts = None
    if found["receipt"] is not None:
        receipts = sa.select(Receipt.id).where(Receipt.id == found["receipt"])
    if f.date_from or f.date_to:
        receipts = receipts if receipts is not None else sa.select(Receipt.id)
        if f.date_from:
            receipts = receipts.where(Receipt.receipt_date >= f.date_from)
        if f.date_to:
            receipts = receipts.where(Receipt.receipt_date <= f.date_to)
    lines = (sa.select(ReceiptLine.po_line_id).where(ReceiptLine.receipt_id == found["receipt"])
             if found["receipt"] is not None else None)
    return FillScope(receipt_id=found["receipt"], receipt_po_lines=lines, po_id=found["po"], so_number=f.so,
                     receipts=receipts, dated=bool(f.date_from or f.date_to), include_all=f.include_all)


def merge(answers: list[list[dict]]) -> list[FillRow]:
    """Add up the bridges' rows per sales order line. A line one bridge links and another
    only lists (*include all*) counts as linked; two listings of an unlinked line count once."""
    names = {f.name for f in fields(FillRow)}
    rows: dict[int, FillRow] = {}
    for answer in answers:
        for raw in answer or []:
            row = FillRow(**{k: v for k, v in raw.items() if k in names})
            known = rows.get(row.so_line_id)
            if known is None or (row.linked and not known.linked):
                rows[row.so_line_id] = row
            elif row.linked:
                known.qty_filled += row.qty_filled
                known.qty_open += row.qty_open
    return list(rows.values())


def fill_report(f: ReportFilter) -> list[FillRow]:
    scope = scope_of(f)
    rows = merge(hooks().back_order_fills(scope=scope))
    linked = [r for r in rows if r.linked and (r.qty_filled > 0 or not f.only_received)]
    orders = {r.so_id for r in linked}
    others = [r for r in rows if not r.linked and r.so_id in orders] if f.include_all else []
    return sort_rows(linked + others, f.sort)


def sort_rows(rows: list[FillRow], sort: str) -> list[FillRow]:
    keys = {
        "so": lambda r: (r.so_number, r.line_no),
        "customer": lambda r: (r.customer_number, r.so_number, r.line_no),
        "bill_to": lambda r: (r.bill_to_name.lower(), r.customer_number, r.so_number, r.line_no),
    }
    return sorted(rows, key=keys.get(sort, keys["so"]))


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

