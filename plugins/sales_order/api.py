"""Sales orders under ``/api/v1/sales-orders``: the same services as the order pages.

Create and update take the whole document, like the order form (a line with ``id``
changes that line, a line without adds one, a line left out is removed); the save is
:func:`.services.save_order`, with its refusals beside ``lines/<n>/<field>``.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from core.api import Blueprint
from core.api.endpoints import found, operation, records
from core.api.fields import Day, EmailText, Id, Lines, Number, Text
from core.api.lists import PageArgs
from core.api.problems import from_validation, problem
from core.api.schemas import many, one, output, text_of
from core.errors import ValidationError

from . import WRITERS, queries, services
from .models import SalesOrder, SalesOrderLine
from .rules import MAX_LINES, too_many_lines

bp = Blueprint("sales_orders", __name__, url_prefix="/api/v1/sales-orders",
               description="Sales orders with their lines (create, change, cancel, ship).")


class SalesOrderLineIn(ma.Schema):
    id = Id(allow_none=True, load_default=None, metadata={"description": "An existing line to change; none: a new line."})
    item_id = Id(required=True)
    qty_ordered = Number(required=True)
    description = Text(200, load_default="")
    unit_price = Number(allow_none=True, load_default=None, metadata={"description": "None: the item's list price."})
    discount_pct = Number(allow_none=True, load_default=None)
    promise_date = Day(load_default=None)
    warehouse_id = Id(allow_none=True, load_default=None, metadata={"description": "None: the order's warehouse."})
    drop_ship = ma.fields.Boolean(allow_none=True, load_default=None)
    vendor_id = Id(allow_none=True, load_default=None, metadata={"description": "None: the item's vendor."})


class SalesOrderIn(ma.Schema):
    customer_id = Id(required=True)
    warehouse_id = Id(required=True)
    lines = Lines(ma.fields.Nested(SalesOrderLineIn), MAX_LINES, too_many_lines, required=True)
    order_date = Day(load_default=None)
    number = Text(20, load_default="", metadata={"description": "Only when order numbering is manual."})
    customer_po_number = Text(40, load_default="")
    requested_ship_date = Day(load_default=None)
    ship_to_address = Text(2000, load_default="", metadata={"description": "Empty: the customer's."})
    ship_via = Text(40, load_default="")
    fob = Text(40, load_default="")
    confirm_to = Text(120, load_default="")
    email = EmailText(254, load_default="")
    order_type = Text(1, load_default="O", metadata={"description": "O order, C credit note, D debit note."})
    notes = Text(4000, load_default="")
    margin_override = ma.fields.Boolean(load_default=False)
    reason_code = Text(10, load_default="")
    invoice_discount_pct = Number(allow_none=True, load_default=None)


SalesOrderLineOut = output(
    "SalesOrderLineOut", "id:int line_no:int item_id:int description qty_ordered:decimal qty_to_ship:decimal "
    "qty_backordered:decimal qty_shipped:decimal unit_price:decimal discount_pct:decimal line_value:decimal "
    "promise_date:day warehouse_id:int drop_ship:bool vendor_id:id?", item_code=text_of(lambda ln: ln.item.code))
SalesOrderOut = output(
    "SalesOrderOut", "id:int number status status_label order_type customer_id:int customer_po_number "
    "order_date:day requested_ship_date:day warehouse_id:int ship_to_address ship_via fob email hold_reason "
    "merchandise:decimal invoice_discount:decimal total:decimal notes created_at:stamp",
    customer_number=text_of(lambda o: o.customer.number), lines=many(SalesOrderLineOut))
SalesOrderSaved = output("SalesOrderSaved", "warnings:strs", order=one(SalesOrderOut))


class SalesOrderListArgs(PageArgs):
    q = Text(200, load_default="", metadata={"description": "Number, customer PO, customer name or number contains."})
    status = Text(10, load_default="", metadata={"description": "A status code, or 'open'."})
    customer = Text(20, load_default="", metadata={"description": "Customer id."})
    item = Text(20, load_default="", metadata={"description": "Item id on a line."})
    date_from = Text(10, load_default="", metadata={"description": "Order date from (YYYY-MM-DD)."})
    date_to = Text(10, load_default="")


class ShipLineIn(ma.Schema):
    line_id = Id(required=True)
    qty = Number(required=True)


class ShipIn(ma.Schema):
    lines = Lines(ma.fields.Nested(ShipLineIn), MAX_LINES, too_many_lines, required=True)


ShipResult = output("ShipResult", "invoice_number:str? invoice_total:decimal? warnings:strs",
                    order=one(SalesOrderOut))


def _input(data: dict[str, Any]) -> services.OrderInput:
    lines = [services.LineInput(index=i, **line) for i, line in enumerate(data.pop("lines"))]
    return services.OrderInput(lines=lines, **data)


def _load(order_id: int):
    """The order with what its representation shows, in a few queries."""
    return found(queries.order_for_page(order_id))


def _locked(order_id: int):
    return found(queries.lock_order(order_id))


records(bp, "order", SalesOrderOut, query=SalesOrderListArgs, load=queries.order_for_page,
        select=lambda args: queries.list_statement(queries.list_filters(args)).options(
            selectinload(SalesOrder.lines).joinedload(SalesOrderLine.item)),
        docs=("Sales orders, newest order date first (the filters of the Sales orders page).",
              "One sales order with its lines."))


@operation(bp, "", roles=WRITERS, methods=["POST"], body=SalesOrderIn, response=SalesOrderSaved, status=201)
def create_order(data: dict[str, Any]):
    """Enter a sales order (the order form's save: allocation, credit check, hooks)."""
    order, warnings = services.save_order(_input(data))
    order_id = order.id
    return lambda: ({"order": _load(order_id), "warnings": warnings}, 201, {
        "Location": url_for(".get_order", order_id=order_id)})  # read back after the commit


@operation(bp, "/<int:order_id>", roles=WRITERS, methods=["PUT"], body=SalesOrderIn, response=SalesOrderSaved)
def update_order(data: dict[str, Any], order_id: int):
    """Change a sales order: the whole document, as the order form sends it."""
    _order, warnings = services.save_order(_input(data), _locked(order_id))
    return lambda: {"order": _load(order_id), "warnings": warnings}  # read back after the commit


@operation(bp, "/<int:order_id>/cancel", roles=WRITERS, methods=["POST"], response=SalesOrderOut)
def cancel_order(order_id: int):
    """Cancel the order (its stock is released; other modules follow through their hooks)."""
    services.cancel_order(_locked(order_id))
    return _load(order_id)


@operation(bp, "/<int:order_id>/ship", roles=WRITERS, methods=["POST"], body=ShipIn, response=ShipResult)
def ship_order(data: dict[str, Any], order_id: int):
    """Ship (invoice) quantities per line, as the Ship page does."""
    order = _locked(order_id)
    by_id = {line.id for line in order.lines}
    position = {}
    for i, row in enumerate(data["lines"]):
        if row["line_id"] not in by_id:
            return problem(422, "This line is not on the order.", errors=[(f"lines/{i}/line_id",
                                                                             "This line is not on the order.")])
        position[f"ship-{row['line_id']}"] = f"lines/{i}/qty"
    try:
        invoice, warnings = services.ship_order(order, {r["line_id"]: r["qty"] for r in data["lines"]},
                                                user_id=current_user.id)
    except ValidationError as exc:
        return from_validation(exc, position)
    return {"order": _load(order_id), "invoice_number": invoice.number if invoice else None,
            "invoice_total": invoice.total if invoice else None, "warnings": warnings}
