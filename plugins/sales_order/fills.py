"""Sales order lines served by PO lines: the columns every bridge's tables share, and the
Back Order Fill Report's question asked of them.

The bridges that link sales order lines to PO lines (po_generation, po_allocation) keep their
links and fills in tables of their own, declared with the mixins below: a link says which PO
line serves which sales order line and how much (``qty``); a fill what one receipt released
through it (negative: a return undid that much). Each bridge answers purchase_order's
``back_order_fills`` hook by calling :func:`back_order_fills` with its two tables, and records
its fills with :func:`record_fill`, so that code is written once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import ZERO, Quantity, db
from core.errors import ValidationError
from core.models import Item, Partner, utcnow

from .models import SalesOrder, SalesOrderLine


@dataclass
class LinkedLine:
    """The sales order side of a link as pages show it; each bridge's row type extends it."""

    link_id: int
    so_id: int
    so_number: str
    so_line_id: int
    so_line_no: int


class LinkColumns:
    """One sales order line served by one PO line; deleting either side drops the link.
    ``so_id`` and ``po_id`` are denormalised for the panels and reports (one join less)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    so_line_id: Mapped[int] = mapped_column(sa.ForeignKey("so_line.id", ondelete="CASCADE"), index=True)
    po_line_id: Mapped[int] = mapped_column(sa.ForeignKey("po_line.id", ondelete="CASCADE"), index=True)
    so_id: Mapped[int] = mapped_column(sa.ForeignKey("so_order.id", ondelete="CASCADE"), index=True)
    po_id: Mapped[int] = mapped_column(sa.ForeignKey("po_order.id", ondelete="CASCADE"), index=True)
    qty: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FillColumns:
    """What one receipt released to one sales order line through a link (the table adds
    ``receipt_id``). A deleted PO keeps its fills (``po_id`` set null) for the report."""

    id: Mapped[int] = mapped_column(primary_key=True)
    po_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("po_line.id", ondelete="SET NULL"), index=True)
    so_line_id: Mapped[int] = mapped_column(sa.ForeignKey("so_line.id", ondelete="CASCADE"), index=True)
    so_id: Mapped[int] = mapped_column(sa.ForeignKey("so_order.id", ondelete="CASCADE"), index=True)
    po_id: Mapped[int | None] = mapped_column(sa.ForeignKey("po_order.id", ondelete="SET NULL"), index=True)
    qty: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def record_fill(fill: Any, *, receipt_id: int | None, po_line_id: int | None, po_id: int | None,
                line: SalesOrderLine, qty: Decimal) -> Any:
    """Add a bridge's fill row: ``qty`` released to ``line`` by a receipt (negative: returned)."""
    row = fill(receipt_id=receipt_id, po_line_id=po_line_id, so_line_id=line.id, so_id=line.order_id,
               po_id=po_id, qty=qty)
    db.session.add(row)
    return row


def last_receipt(fill: Any, so_line_id: int, po_line_id: int | None) -> int | None:
    """The last receipt that released through the link: a return's negative fill counts against it."""
    return db.session.scalar(sa.select(fill.receipt_id).where(
        fill.so_line_id == so_line_id, fill.po_line_id == po_line_id, fill.qty > 0)
        .order_by(fill.id.desc()).limit(1))


def _conditions(link: Any, fill: Any, scope: Any) -> tuple[list, list]:
    """The scope (purchase_order's ``FillScope``) as conditions on one bridge's links and fills."""
    link_conds: list = []
    fill_conds: list = []
    if scope.receipt_po_lines is not None:
        link_conds.append(link.po_line_id.in_(scope.receipt_po_lines))
    if scope.po_id is not None:
        link_conds.append(link.po_id == scope.po_id)
        fill_conds.append(fill.po_id == scope.po_id)
    if scope.so_number:
        so_id = db.session.scalar(sa.select(SalesOrder.id).where(SalesOrder.number == scope.so_number))
        if so_id is None:
            raise ValidationError("so", f"No sales order numbered {scope.so_number}.")
        link_conds.append(link.so_id == so_id)
        fill_conds.append(fill.so_id == so_id)
    if scope.receipts is not None:
        fill_conds.append(fill.receipt_id.in_(scope.receipts))
    if scope.dated:  # a date range: only the links its receipts filled
        link_conds.append(sa.tuple_(link.so_line_id, link.po_line_id).in_(
            sa.select(fill.so_line_id, fill.po_line_id).where(*fill_conds)))
    return link_conds, fill_conds


def back_order_fills(link: Any, fill: Any, scope: Any) -> list[dict]:
    """One bridge's answer to ``back_order_fills``: per sales order line in scope, what the
    receipts in scope released (``qty_filled``) and what still waits on the links
    (``qty_open``: linked less everything ever released through them)."""
    link_conds, fill_conds = _conditions(link, fill, scope)
    released = (sa.select(fill.so_line_id, fill.po_line_id, sa.func.sum(fill.qty).label("qty"))
                .group_by(fill.so_line_id, fill.po_line_id).subquery())
    open_by_line: dict[int, Decimal] = {}
    for so_line_id, qty, done in db.session.execute(
            sa.select(link.so_line_id, link.qty, sa.func.coalesce(released.c.qty, 0))
            .outerjoin(released, sa.and_(released.c.so_line_id == link.so_line_id,
                                         released.c.po_line_id == link.po_line_id))
            .where(*link_conds)):
        open_by_line[so_line_id] = open_by_line.get(so_line_id, ZERO) + max(ZERO, Decimal(qty) - Decimal(done))
    filled = {lid: Decimal(q) for lid, q in db.session.execute(
        sa.select(fill.so_line_id, sa.func.sum(fill.qty)).where(*fill_conds).group_by(fill.so_line_id))}
    rows = _line_rows(set(open_by_line) | set(filled))
    for lid, row in rows.items():
        row.update(qty_filled=filled.get(lid, ZERO), qty_open=open_by_line.get(lid, ZERO), linked=True)
    out = list(rows.values())
    if scope.include_all:
        out += _other_lines({r["so_id"] for r in out}, set(rows))
    return out


def _line_rows(so_line_ids: set[int]) -> dict[int, dict]:
    if not so_line_ids:
        return {}
    stmt = (sa.select(SalesOrderLine.id, SalesOrderLine.line_no, SalesOrder.id.label("so_id"), SalesOrder.number,
                      Partner.number.label("cnum"), Partner.name, Item.code)
            .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
            .join(Partner, Partner.id == SalesOrder.customer_id).join(Item, Item.id == SalesOrderLine.item_id)
            .where(SalesOrderLine.id.in_(so_line_ids)))
    return {r.id: {"so_line_id": r.id, "so_id": r.so_id, "so_number": r.number, "customer_number": r.cnum,
                   "bill_to_name": r.name, "line_no": r.line_no, "item_code": r.code}
            for r in db.session.execute(stmt)}


def _other_lines(so_ids: set[int], known: set[int]) -> list[dict]:
    """*Include all sales order lines*: the orders' other lines, with their back order only."""
    if not so_ids:
        return []
    backordered = dict(db.session.execute(
        sa.select(SalesOrderLine.id, SalesOrderLine.qty_backordered)
        .where(SalesOrderLine.order_id.in_(so_ids), SalesOrderLine.id.notin_(known or {0}))).all())
    rows = _line_rows(set(backordered))
    for lid, row in rows.items():
        row.update(qty_filled=ZERO, qty_open=Decimal(backordered[lid] or 0), linked=False)
    return list(rows.values())
