"""Reading purchase orders, receipts and purchase history for the pages (queries only, no writes).

Every filter value arrives as raw request text and goes through :mod:`core.parsing`
(ids, dates, years), so hostile input filters nothing instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from core import lookup
from core.db import db
from core.models import Item, Partner
from core.parsing import parse_date, parse_int

from ..dashboard import open_exception_condition, overdue_condition
from ..models import (
    OPEN_STATUSES,
    STATUS_LABELS,
    PoHistory,
    PurchaseHistory,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    Return,
    ReturnLine,
)

PO_FILTERS = ("q", "vendor", "status", "required_from", "required_to", "item", "serves", "overdue", "exceptions")


def _like(text: str) -> str:
    return f"%{text}%"


# a PO's total in SQL (ordered quantity at cost), for sorting and list totals
PO_TOTAL = (sa.select(sa.func.coalesce(sa.func.sum(PurchaseOrderLine.qty_ordered * PurchaseOrderLine.unit_cost), 0))
            .where(PurchaseOrderLine.po_id == PurchaseOrder.id).correlate(PurchaseOrder).scalar_subquery())
PO_SORTS = {
    "entered": PurchaseOrder.id,  # the default: newest first
    "number": PurchaseOrder.number, "type": PurchaseOrder.order_type, "order_date": PurchaseOrder.order_date,
    "required": PurchaseOrder.required_date, "status": PurchaseOrder.status, "total": PO_TOTAL,
    "vendor": sa.select(Partner.name).where(Partner.id == PurchaseOrder.vendor_id).correlate(PurchaseOrder)
    .scalar_subquery(),
}
def listed_total(ids: sa.Select | None) -> sa.ColumnElement:
    """The total of the listed POs (``ids``): ordered quantity at cost over their lines."""
    total = sa.select(sa.func.coalesce(sa.func.sum(PurchaseOrderLine.qty_ordered * PurchaseOrderLine.unit_cost), 0))
    return (total if ids is None else total.where(PurchaseOrderLine.po_id.in_(ids))).scalar_subquery()


PO_CSV_HEADER = ("PO", "Vendor number", "Vendor", "Type", "Order date", "Required", "Status", "Open exceptions",
                 "Serves", "Total")


def po_csv_row(po: PurchaseOrder) -> tuple:
    origins = list(dict.fromkeys(ln.origin_label for ln in po.lines if ln.origin_label))
    return (po.number, po.vendor.number, po.vendor.name, po.order_type_label, po.order_date, po.required_date,
            po.status_label, sum(1 for e in po.exceptions if not e.resolved), ", ".join(origins), f"{po.total:.2f}")


def po_list(filters: Mapping[str, str]) -> sa.Select:
    """The purchase order list: text search (number, comment, vendor, item codes on its lines), vendor,
    status ("open" or one), required dates, item, origin, overdue, open exceptions."""
    f = filters
    stmt = (sa.select(PurchaseOrder).options(joinedload(PurchaseOrder.vendor), selectinload(PurchaseOrder.lines),
                                             selectinload(PurchaseOrder.exceptions))
            .order_by(PurchaseOrder.id.desc()))
    if f.get("q"):
        like = _like(f["q"])
        on_a_line = PurchaseOrder.id.in_(sa.select(PurchaseOrderLine.po_id).where(PurchaseOrderLine.item_id.in_(
            sa.select(Item.id).where(Item.code.ilike(like)))))
        stmt = stmt.where(sa.or_(PurchaseOrder.number.ilike(like), PurchaseOrder.comment.ilike(like),
                                 PurchaseOrder.vendor.has(sa.or_(Partner.name.ilike(like),
                                                                 Partner.number.ilike(like))), on_a_line))
    if f.get("vendor"):  # a vendor number (any case), or an id as older links carry
        stmt = stmt.where(PurchaseOrder.vendor_id == lookup.typed_id(Partner, f["vendor"]))
    if f.get("status") == "open":
        stmt = stmt.where(PurchaseOrder.status.in_(OPEN_STATUSES))
    elif f.get("status") in STATUS_LABELS:
        stmt = stmt.where(PurchaseOrder.status == f["status"])
    if d := parse_date(f.get("required_from")):
        stmt = stmt.where(PurchaseOrder.required_date >= d)
    if d := parse_date(f.get("required_to")):
        stmt = stmt.where(PurchaseOrder.required_date <= d)
    if f.get("item"):
        like = _like(f["item"])
        stmt = stmt.where(PurchaseOrder.lines.any(PurchaseOrderLine.item.has(
            sa.or_(Item.code.ilike(like), Item.description.ilike(like)))))
    if f.get("serves"):
        stmt = stmt.where(PurchaseOrder.lines.any(PurchaseOrderLine.origin_label.ilike(_like(f["serves"]))))
    if f.get("overdue") == "1":
        stmt = stmt.where(overdue_condition())
    if f.get("exceptions") == "1":
        stmt = stmt.where(open_exception_condition())
    return stmt


def load_po(po_id: int) -> PurchaseOrder | None:
    return db.session.scalars(
        sa.select(PurchaseOrder).where(PurchaseOrder.id == po_id).options(
            selectinload(PurchaseOrder.lines).selectinload(PurchaseOrderLine.item),
            selectinload(PurchaseOrder.lines).selectinload(PurchaseOrderLine.line_status),
            selectinload(PurchaseOrder.exceptions),
        )
    ).one_or_none()


def po_id_by_number(number: str) -> int | None:
    return db.session.scalar(sa.select(PurchaseOrder.id).where(PurchaseOrder.number == number))


def receipts_of(po: PurchaseOrder) -> list[Receipt]:
    return list(db.session.scalars(
        sa.select(Receipt).where(Receipt.po_id == po.id).order_by(Receipt.id)
        .options(selectinload(Receipt.lines).selectinload(ReceiptLine.item))))


def returns_of(po: PurchaseOrder) -> list[Return]:
    return list(db.session.scalars(
        sa.select(Return).where(Return.po_id == po.id).order_by(Return.id)
        .options(selectinload(Return.lines).selectinload(ReturnLine.item))))


def history_of(po: PurchaseOrder) -> list[PoHistory]:
    return list(db.session.scalars(
        sa.select(PoHistory).where(PoHistory.po_number == po.number).order_by(PoHistory.id)))


RECEIPT_SORTS = {
    "entered": Receipt.id,  # the default: newest first
    "number": Receipt.number, "po": Receipt.po_number, "date": Receipt.receipt_date, "qty": Receipt.total_qty,
    "amount": Receipt.total_amount,
    "vendor": sa.select(Partner.name).where(Partner.id == Receipt.vendor_id).correlate(Receipt).scalar_subquery(),
}
RECEIPT_CSV_HEADER = ("Receipt", "PO", "Vendor number", "Vendor", "Date", "Period", "Year", "Quantity", "Amount")


def receipt_csv_row(r: Receipt) -> tuple:
    return (r.number, r.po_number, r.vendor.number, r.vendor.name, r.receipt_date, r.period, r.fiscal_year,
            r.total_qty, f"{r.total_amount:.2f}")


def receipt_list(q: str) -> sa.Select:
    stmt = sa.select(Receipt).options(joinedload(Receipt.vendor)).order_by(Receipt.id.desc())
    if q:
        stmt = stmt.where(sa.or_(Receipt.number.ilike(_like(q)), Receipt.po_number.ilike(_like(q))))
    return stmt


def open_pos_to_receive(limit: int = 200) -> list[sa.Row]:
    """(id, number, vendor name) of open POs, for the receipts page's picker."""
    return list(db.session.execute(
        sa.select(PurchaseOrder.id, PurchaseOrder.number, Partner.name)
        .join(Partner, PurchaseOrder.vendor_id == Partner.id)
        .where(PurchaseOrder.status.in_(OPEN_STATUSES)).order_by(PurchaseOrder.number).limit(limit)))


def load_receipt(receipt_id: int) -> Receipt | None:
    return db.session.scalars(sa.select(Receipt).where(Receipt.id == receipt_id).options(
        selectinload(Receipt.lines).selectinload(ReceiptLine.item))).one_or_none()


@dataclass
class HistoryFilter:
    item: str = ""
    vendor: str = ""
    year: str = ""


def purchase_history_list(f: HistoryFilter) -> sa.Select:
    stmt = (sa.select(PurchaseHistory).options(joinedload(PurchaseHistory.item), joinedload(PurchaseHistory.vendor))
            .order_by(PurchaseHistory.fiscal_year.desc(), PurchaseHistory.period.desc(), PurchaseHistory.id))
    if f.item:
        stmt = stmt.where(PurchaseHistory.item.has(Item.code.ilike(_like(f.item))))
    if f.vendor:
        stmt = stmt.where(PurchaseHistory.vendor_id == lookup.typed_id(Partner, f.vendor))
    try:
        stmt = stmt.where(PurchaseHistory.fiscal_year == parse_int(f.year, low=1, high=9999))
    except ValueError:
        pass  # no year, or not a year: not filtered
    return stmt


# Words for the kinds of recap row, in the order the deleted-orders page offers them.
HISTORY_KINDS = {"deleted": "Deleted", "cancelled": "Cancelled", "line_deleted": "Line deleted",
                 "qty_changed": "Quantity changed", "completed": "Completed (purged)"}


@dataclass(frozen=True)
class RecapFilter:
    q: str = ""  # PO number
    kind: str = ""
    vendor: str = ""
    reason: str = ""
    date_from: str = ""
    date_to: str = ""


def recap_list(f: RecapFilter) -> sa.Select:
    """Deleted, cancelled and purged purchase orders (and deleted lines), newest first, with reasons.

    The rows keep the PO's number, vendor, lines as text and the reason code even though the
    order itself is gone, so the page finds what the PO's own page no longer can.
    """
    stmt = (sa.select(PoHistory).options(joinedload(PoHistory.vendor), joinedload(PoHistory.user))
            .order_by(PoHistory.created_at.desc(), PoHistory.id.desc()))
    if f.q:
        stmt = stmt.where(PoHistory.po_number.ilike(_like(f.q)))
    if f.kind in HISTORY_KINDS:
        stmt = stmt.where(PoHistory.kind == f.kind)
    else:  # by default the orders that are gone, not every quantity change
        stmt = stmt.where(PoHistory.kind.in_(("deleted", "cancelled", "line_deleted")))
    if f.vendor:
        stmt = stmt.where(PoHistory.vendor_id == lookup.typed_id(Partner, f.vendor))
    if f.reason:
        stmt = stmt.where(PoHistory.reason_code == f.reason.strip().upper())
    if d := parse_date(f.date_from):
        stmt = stmt.where(PoHistory.created_at >= d)
    if d := parse_date(f.date_to):
        stmt = stmt.where(PoHistory.created_at < d + timedelta(days=1))
    return stmt
