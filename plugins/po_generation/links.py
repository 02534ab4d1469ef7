"""The links po_generation owns: which PO line serves which sales order line, and how much.

Reads join purchase_order's tables (status, numbers, items); writes touch only
``pogen_link`` and ``pogen_event``. Other plugins learn about links through hooks
(:func:`supply_of_lines` answers ``sales_order_line_supply``; the page panels).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from core.bulk import among, insert_rows
from core.db import db
from core.models import Item, Partner, utcnow
from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderLine, Receipt
from plugins.sales_order.fills import LinkedLine
from plugins.sales_order.models import SalesOrder, SalesOrderLine

from .models import PoGenEvent, PoGenFill, PoGenLink
from .rules import OpenLink, OpenPO

LIVE = PurchaseOrder.status != "cancelled"
UNSENT = sa.and_(PurchaseOrder.status == "new", PurchaseOrder.sent_at.is_(None))


def on_order_by_line(order_ids) -> dict[int, Decimal]:
    """Quantity on live PO lines per sales order line, counting only PO lines of the line's
    current item (a line whose item changed is not covered by the old item's PO)."""
    rows = db.session.execute(
        sa.select(PoGenLink.so_line_id, sa.func.sum(PoGenLink.qty))
        .join(PurchaseOrder, PurchaseOrder.id == PoGenLink.po_id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == PoGenLink.po_line_id)
        .join(SalesOrderLine, SalesOrderLine.id == PoGenLink.so_line_id)
        .where(PoGenLink.so_id.in_(order_ids), LIVE, PurchaseOrderLine.item_id == SalesOrderLine.item_id)
        .group_by(PoGenLink.so_line_id)).all()
    return {so_line_id: Decimal(qty or 0) for so_line_id, qty in rows}


def open_links(order_ids) -> dict[int, OpenLink]:
    """Per sales order line, its link to an unsent PO line of the same item (increases go there)."""
    out: dict[int, OpenLink] = {}
    for r in db.session.execute(
        sa.select(PoGenLink.id, PoGenLink.so_line_id, PoGenLink.po_line_id, PoGenLink.po_id, PoGenLink.qty,
                  PurchaseOrder.number, PurchaseOrderLine.qty_ordered)
        .join(PurchaseOrder, PurchaseOrder.id == PoGenLink.po_id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == PoGenLink.po_line_id)
        .join(SalesOrderLine, SalesOrderLine.id == PoGenLink.so_line_id)
        .where(PoGenLink.so_id.in_(order_ids), UNSENT, PurchaseOrderLine.item_id == SalesOrderLine.item_id)
        .order_by(PoGenLink.id)
    ):
        out[r.so_line_id] = OpenLink(r.id, r.so_line_id, r.po_line_id, r.po_id, r.number, Decimal(r.qty),
                                     Decimal(r.qty_ordered))
    return out


def open_standard_pos(vendor_ids: Iterable[int]) -> dict[tuple[int, int | None], OpenPO]:
    """Open, unsent standard POs of these vendors per (vendor, warehouse), oldest first: a
    combined generation adds its lines there. Each PO's last line number comes from the
    (po_id, line_no) index, so the cost does not grow with the lines on open POs."""
    last = (sa.select(sa.func.coalesce(sa.func.max(PurchaseOrderLine.line_no), 0))
            .where(PurchaseOrderLine.po_id == PurchaseOrder.id).scalar_subquery())
    out: dict[tuple[int, int | None], OpenPO] = {}
    for r in db.session.execute(
        sa.select(PurchaseOrder.id, PurchaseOrder.number, PurchaseOrder.vendor_id, PurchaseOrder.warehouse_id,
                  last.label("last"))
        .where(UNSENT, PurchaseOrder.order_type == "S", PurchaseOrder.customer_id.is_(None),
               among(PurchaseOrder.vendor_id, set(vendor_ids)))
        .order_by(PurchaseOrder.id)
    ):
        out.setdefault((r.vendor_id, r.warehouse_id), OpenPO(r.id, r.number, r.vendor_id, r.warehouse_id,
                                                             int(r.last)))
    return out


def new_link(so_line_id: int, so_id: int, po_line_id: int, po_id: int, qty: Decimal) -> dict:
    """One link row to insert with :func:`add_links` (a plain dict: a bulk generation makes 50,000)."""
    return {"so_line_id": so_line_id, "so_id": so_id, "po_line_id": po_line_id, "po_id": po_id, "qty": qty}


def add_links(rows: list[dict]) -> None:
    """Insert link rows (from :func:`new_link`) in one bulk insert (``COPY`` on PostgreSQL)."""
    if rows:
        now = utcnow()
        for row in rows:
            row["created_at"] = now
        insert_rows(PoGenLink.__table__, rows, return_ids=False)


def add_to_links(increments: dict[int, Decimal]) -> None:
    """Add quantity to existing links (link id -> new quantity)."""
    if increments:
        db.session.execute(sa.update(PoGenLink), [dict(id=lid, qty=qty) for lid, qty in increments.items()])


def set_link_qty(link_id: int, qty: Decimal) -> None:
    """A link's quantity; zero or less removes the link."""
    if qty <= 0:
        db.session.execute(sa.delete(PoGenLink).where(PoGenLink.id == link_id))
    else:
        db.session.execute(sa.update(PoGenLink).where(PoGenLink.id == link_id).values(qty=qty)
                           .execution_options(synchronize_session=False))


def drop_links_of_po(po_id: int) -> set[int]:
    """Drop a PO's links; returns the sales orders it served."""
    so_ids = set(db.session.scalars(sa.select(PoGenLink.so_id).where(PoGenLink.po_id == po_id)))
    if so_ids:
        db.session.execute(sa.delete(PoGenLink).where(PoGenLink.po_id == po_id))
    return so_ids


def other_orders_on_po(po_id: int, so_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PoGenLink)
                             .where(PoGenLink.po_id == po_id, PoGenLink.so_id != so_id)) or 0


def record_event(so_id: int, kind: str, detail: str, user_id: int | None = None) -> None:
    db.session.add(PoGenEvent(so_id=so_id, kind=kind, detail=detail, user_id=user_id))


def last_events(so_ids: Iterable[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    ids = list(so_ids)
    for i in range(0, len(ids), 5000):
        for r in db.session.execute(sa.select(PoGenEvent.so_id, PoGenEvent.detail)
                                    .where(PoGenEvent.so_id.in_(ids[i:i + 5000])).order_by(PoGenEvent.id)):
            out[r.so_id] = r.detail
    return out


# -- reading links ------------------------------------------------------------------------------


@dataclass
class LinkRow(LinkedLine):
    so_item_id: int
    po_id: int
    po_number: str
    po_status: str
    po_sent: bool
    po_type: str
    po_line_id: int
    po_line_no: int
    po_item_id: int
    po_line_qty: Decimal
    qty_received: Decimal
    qty: Decimal
    item_code: str


def _both_sides(stmt: sa.Select) -> sa.Select:
    """Join a select over ``pogen_link`` to both orders, both lines and the PO line's item."""
    return (stmt.join(SalesOrder, SalesOrder.id == PoGenLink.so_id)
            .join(SalesOrderLine, SalesOrderLine.id == PoGenLink.so_line_id)
            .join(PurchaseOrder, PurchaseOrder.id == PoGenLink.po_id)
            .join(PurchaseOrderLine, PurchaseOrderLine.id == PoGenLink.po_line_id)
            .join(Item, Item.id == PurchaseOrderLine.item_id))


def links(*, so_id: int | None = None, po_id: int | None = None, so_line_ids=None) -> list[LinkRow]:
    """The links of one sales order, one PO or some sales order lines (one query)."""
    stmt = (
        sa.select(PoGenLink.id, PoGenLink.so_id, SalesOrder.number.label("so_number"), PoGenLink.so_line_id,
                  SalesOrderLine.line_no.label("so_line_no"), SalesOrderLine.item_id.label("so_item_id"),
                  PoGenLink.po_id, PurchaseOrder.number.label("po_number"), PurchaseOrder.status,
                  PurchaseOrder.sent_at, PurchaseOrder.order_type, PoGenLink.po_line_id,
                  PurchaseOrderLine.line_no.label("po_line_no"), PurchaseOrderLine.item_id.label("po_item_id"),
                  PurchaseOrderLine.qty_ordered, PurchaseOrderLine.qty_received, PoGenLink.qty, Item.code)
    )
    stmt = _both_sides(stmt).order_by(SalesOrder.number, SalesOrderLine.line_no, PurchaseOrder.number)
    if so_id is not None:
        stmt = stmt.where(PoGenLink.so_id == so_id)
    if po_id is not None:
        stmt = stmt.where(PoGenLink.po_id == po_id)
    if so_line_ids is not None:
        stmt = stmt.where(PoGenLink.so_line_id.in_(list(so_line_ids)))
    return [LinkRow(r.id, r.so_id, r.so_number, r.so_line_id, r.so_line_no, r.so_item_id, r.po_id, r.po_number,
                    r.status, r.sent_at is not None or r.status != "new", r.order_type, r.po_line_id, r.po_line_no,
                    r.po_item_id, Decimal(r.qty_ordered), Decimal(r.qty_received or 0), Decimal(r.qty), r.code)
            for r in db.session.execute(stmt)]


def po_ids_of_order(so_id: int) -> list[int]:
    return list(dict.fromkeys(r.po_id for r in links(so_id=so_id)))


def supply_of_lines(line_ids: Iterable[int]) -> dict[int, list[str]]:
    """Which live POs serve each of the sales order lines: {line id: ["PO 0100022 line 2", ...]}."""
    ids = [i for i in line_ids if i is not None]
    if not ids:
        return {}
    out: dict[int, list[str]] = {}
    for r in db.session.execute(
        sa.select(PoGenLink.so_line_id, PurchaseOrder.number, PurchaseOrderLine.line_no)
        .join(PurchaseOrder, PurchaseOrder.id == PoGenLink.po_id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == PoGenLink.po_line_id)
        .where(PoGenLink.so_line_id.in_(ids), LIVE).order_by(PurchaseOrder.number, PurchaseOrderLine.line_no)
    ):
        out.setdefault(r.so_line_id, []).append(f"PO {r.number} line {r.line_no}")
    return out


def listing_rows(po_ids: list[int], *, by_customer: bool = True) -> list[dict]:
    """Rows of the Auto Generate Listing for the given POs (one query), sorted by customer
    or by vendor (*Print Auto Generate Listing Sorted by Customer Number*)."""
    if not po_ids:
        return []
    cust, vend = sa.orm.aliased(Partner), sa.orm.aliased(Partner)
    stmt = (
        sa.select(SalesOrder.number.label("so_number"), cust.number.label("customer"), cust.name.label("cname"),
                  vend.number.label("vendor"), vend.name.label("vname"), PurchaseOrder.number.label("po_number"),
                  PurchaseOrder.order_type, PurchaseOrderLine.line_no, SalesOrderLine.line_no.label("so_line_no"),
                  Item.code, PoGenLink.qty, PurchaseOrderLine.required_date, PurchaseOrderLine.unit_cost)
    )
    stmt = (_both_sides(stmt).join(cust, cust.id == SalesOrder.customer_id)
            .join(vend, vend.id == PurchaseOrder.vendor_id).where(PoGenLink.po_id.in_(po_ids)))
    rows = [dict(so_number=r.so_number, customer=r.customer, customer_name=r.cname, vendor=r.vendor,
                 vendor_name=r.vname, po_number=r.po_number, order_type=r.order_type, po_line_no=r.line_no,
                 so_line_no=r.so_line_no, item=r.code, qty=r.qty, required_date=r.required_date,
                 unit_cost=r.unit_cost) for r in db.session.execute(stmt)]
    order = ("customer", "so_number", "po_number", "po_line_no") if by_customer else ("vendor", "po_number",
                                                                                      "po_line_no")
    return sorted(rows, key=lambda r: tuple(r[k] for k in order))



@dataclass
class FillRow:
    """What one receipt released to one sales order line (negative: undone by a return)."""

    receipt_id: int | None
    receipt_number: str
    receipt_date: date | None
    so_id: int
    so_number: str
    so_line_no: int
    po_id: int | None
    po_number: str
    po_line_no: int | None
    item_code: str
    qty: Decimal


def fills(*conds) -> list[FillRow]:
    """Receipt releases through po_generation's links (``PoGenFill.so_id == 3`` etc.), oldest first."""
    stmt = (sa.select(PoGenFill.receipt_id, Receipt.number.label("rnum"), Receipt.receipt_date, PoGenFill.so_id,
                      SalesOrder.number.label("so_number"), SalesOrderLine.line_no, PoGenFill.po_id,
                      PurchaseOrder.number.label("po_number"), PurchaseOrderLine.line_no.label("po_line_no"),
                      Item.code, PoGenFill.qty)
            .outerjoin(Receipt, Receipt.id == PoGenFill.receipt_id)
            .join(SalesOrder, SalesOrder.id == PoGenFill.so_id)
            .join(SalesOrderLine, SalesOrderLine.id == PoGenFill.so_line_id)
            .join(Item, Item.id == SalesOrderLine.item_id)
            .outerjoin(PurchaseOrder, PurchaseOrder.id == PoGenFill.po_id)
            .outerjoin(PurchaseOrderLine, PurchaseOrderLine.id == PoGenFill.po_line_id)
            .where(*conds).order_by(PoGenFill.id))
    return [FillRow(r.receipt_id, r.rnum or "", r.receipt_date, r.so_id, r.so_number, r.line_no, r.po_id,
                    r.po_number or "", r.po_line_no, r.code, Decimal(r.qty)) for r in db.session.execute(stmt)]
