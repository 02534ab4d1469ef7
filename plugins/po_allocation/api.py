"""Back-order links under ``/api/v1/back-orders``: what the allocation pages show and do.

The links (``/links``: which sales order line waits on which PO line, how much is filled),
the back-ordered lines no purchase order covers (``/skipped``, the *Back orders to
allocate* page) and a clerk's assignment of such a line to PO lines (the *Assign* page),
through :mod:`.services`: the same rule refuses with the same words. Generating a PO for a
skipped line is ``/api/v1/po-generation`` (po_generation), as the page's link is.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from core.api import Blueprint
from core.api.endpoints import action, found, operation
from core.api.fields import Id, Lines, Number
from core.api.lists import PageArgs, page_schema, read_page, slice_page
from core.api.problems import from_validation
from core.api.schemas import many, output, text_of
from core.db import Quantity, db
from core.errors import ValidationError
from plugins.sales_order.models import SalesOrderLine

from . import services
from .models import PaLink
from .views import CLERKS

bp = Blueprint("back_order_links", __name__, url_prefix="/api/v1/back-orders/links",
               description="Back orders of sales order lines linked to purchase order lines.")
lines_bp = Blueprint("back_order_lines", __name__, url_prefix="/api/v1/back-orders",
                     description="Back-ordered lines no purchase order covers, and assigning them to PO lines.")

LinkOut = output(
    "BackOrderLinkOut", "so_id:int so_number so_line_id:int so_line_no:int customer_id:int customer_number "
    "customer_name item_code description po_id:int po_number po_line_id:int po_line_no:int expected:day "
    "qty:decimal qty_filled:decimal qty_open:decimal status_code",
    id=ma.fields.Integer(required=True, attribute="link_id"))
SkippedOut = output(
    "SkippedLineOut", "shortage:decimal available:decimal po_lines:int",
    so_line_id=ma.fields.Integer(required=True, attribute="line.id"),
    so_id=ma.fields.Integer(required=True, attribute="line.order_id"),
    so_number=text_of(lambda r: r.line.order.number), line_no=ma.fields.Integer(required=True, attribute="line.line_no"),
    customer_number=text_of(lambda r: r.line.order.customer.number), item_code=text_of(lambda r: r.line.item.code),
    warehouse_id=ma.fields.Integer(allow_none=True, required=True, attribute="line.warehouse_id",
                                   metadata={"type": ["integer", "null"]}))
CandidateOut = output("PoLineCandidateOut", "po_line_id:int po_id:int po_number line_no:int required_date:day "
                      "outstanding:decimal unallocated:decimal")
AssignmentOut = output("AssignmentOut", "shortage:decimal", candidates=many(CandidateOut), links=many(LinkOut))


class LinkArgs(PageArgs):
    sales_order = Id(load_default=None, metadata={"description": "Sales order id."})
    purchase_order = Id(load_default=None, metadata={"description": "Purchase order id."})
    item = Id(load_default=None, metadata={"description": "Item id of the sales order line."})


class AssignLine(ma.Schema):
    po_line_id = Id(required=True)
    qty = Number(Quantity, required=True)


class AssignIn(ma.Schema):
    po_lines = Lines(ma.fields.Nested(AssignLine), 200, lambda n: f"At most 200 PO lines at once; this has {n}.",
                     required=True)


def _rows(link_ids: list[int]) -> list[services.LinkRow]:
    by_id = {r.link_id: r for r in services.link_rows(PaLink.id.in_(link_ids))} if link_ids else {}
    return [by_id[i] for i in link_ids if i in by_id]


def _link_page(args: dict[str, Any]) -> dict[str, Any]:
    stmt = sa.select(PaLink.id).order_by(PaLink.id)
    for key, column in (("sales_order", PaLink.so_id), ("purchase_order", PaLink.po_id)):
        if args[key] is not None:
            stmt = stmt.where(column == args[key])
    if args["item"] is not None:
        stmt = stmt.where(PaLink.so_line_id.in_(sa.select(SalesOrderLine.id).where(SalesOrderLine.item_id == args["item"])))
    page = read_page(stmt, args)
    return {**page, "items": _rows(page["items"])}


def _link(link_id: int) -> services.LinkRow | None:
    rows = _rows([link_id])
    return rows[0] if rows else None


@operation(bp, "", query=LinkArgs, response=page_schema(LinkOut, "BackOrderLinkPage"))
def list_links(args: dict[str, Any]):
    """Back-order links, oldest first (filter by sales order, purchase order, item)."""
    return _link_page(args)


@operation(bp, "/<int:link_id>", response=LinkOut)
def get_link(link_id: int):
    """One back-order link."""
    return found(_link(link_id))


@operation(lines_bp, "/skipped", query=PageArgs, response=page_schema(SkippedOut, "SkippedLinePage"))
def list_skipped(args: dict[str, Any]):
    """Back-ordered lines no purchase order covers yet, oldest order first (*Back orders to allocate*)."""
    return slice_page(services.skipped_lines(), args)


def _line(so_line_id: int) -> SalesOrderLine:
    return found(db.session.get(SalesOrderLine, so_line_id))


@operation(lines_bp, "/lines/<int:so_line_id>", roles=CLERKS, response=AssignmentOut)
def get_assignment(so_line_id: int):
    """What a line is short of, the open PO lines that could cover it, and its links (the *Assign* page)."""
    return services.assignment_view(_line(so_line_id))


def _assign(data: dict[str, Any], so_line_id: int):
    line = _line(so_line_id)
    wanted = {row["po_line_id"]: row["qty"] for row in data["po_lines"]}
    paths = {f"qty-{row['po_line_id']}": f"po_lines/{i}/qty" for i, row in enumerate(data["po_lines"])}
    try:
        services.assign_line(line.id, wanted)
    except ValidationError as exc:
        return from_validation(exc, paths)
    return services.assignment_view(line)


action(lines_bp, "/lines/<int:so_line_id>/assign", "assign_line",
       "Assign a back-ordered line to open PO lines by hand (the same rule as the automatic allocation).",
       _assign, roles=CLERKS, body=AssignIn, response=AssignmentOut)
