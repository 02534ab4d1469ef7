"""Purchase orders, receipts and returns under ``/api/v1``: the services of the PO pages.

Lines are parsed by the same functions as PO entry (``parse_quantity``/``parse_cost``,
same words, same bounds) and saved by :func:`.services.save_purchase_order`; receipts
and returns are :func:`.services.post_receipt` / :func:`.services.post_return`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from core.api import Blueprint
from core.api.endpoints import found, operation, records
from core.api.fields import Day, EmailText, Id, Lines, Number, Text
from core.api.lists import PageArgs
from core.api.problems import api_path, from_validation, problem
from core.api.schemas import decimal_of, many, output, text_of
from core.db import ZERO, db
from core.errors import ValidationError

from . import services as svc
from .common import MAX_LINES, parse_cost, parse_quantity
from .models import PurchaseOrder, PurchaseOrderLine, Receipt, Return, ReturnLine
from .services import queries
from .views import PURCHASING

bp = Blueprint("purchase_orders", __name__, url_prefix="/api/v1/purchase-orders",
               description="Purchase orders with their lines (create, change, send, cancel), receipts and returns.")
docs_bp = Blueprint("po_documents", __name__, url_prefix="/api/v1", description="Receipts and returns, by id.")


def _too_many(count: int) -> str:
    return f"A purchase order takes at most {MAX_LINES} lines; this one has {count}. Split it into several orders."


class PurchaseOrderLineIn(ma.Schema):
    id = Id(allow_none=True, load_default=None, metadata={"description": "An existing line to change; none: new."})
    item_id = Id(required=True)
    qty_ordered = Number(required=True)
    unit_cost = Number(allow_none=True, load_default=None, metadata={"description": "None: the item's cost."})
    description = Text(200, load_default="")
    vendor_item_code = Text(40, load_default="")
    required_date = Day(load_default=None)
    line_status_id = Id(allow_none=True, load_default=None)


class PurchaseOrderIn(ma.Schema):
    vendor_id = Id(required=True)
    order_type = Text(1, load_default="S", metadata={"description": "S standard, D drop ship."})
    number = Text(20, load_default="", metadata={"description": "Empty: the next automatic number."})
    order_date = Day(load_default=None)
    required_date = Day(load_default=None)
    warehouse_id = Id(allow_none=True, load_default=None)
    customer_id = Id(allow_none=True, load_default=None, metadata={"description": "Drop-ship customer."})
    ship_to_address = Text(2000, load_default="")
    ship_via = Text(40, load_default="")
    fob = Text(40, load_default="")
    confirm_to = Text(80, load_default="")
    email = EmailText(254, load_default="")
    comment = Text(4000, load_default="")
    line_reason_code = Text(10, load_default="", metadata={"description": "Reason for removed lines."})
    lines = Lines(ma.fields.Nested(PurchaseOrderLineIn), MAX_LINES, _too_many, required=True)


PurchaseOrderLineOut = output(
    "PurchaseOrderLineOut", "id:int line_no:int item_id:int description qty_ordered:decimal qty_received:decimal "
    "qty_returned:decimal unit_cost:decimal required_date:day closed:bool origin_label:str?",
    item_code=text_of(lambda ln: ln.item.code))
PurchaseOrderOut = output(
    "PurchaseOrderOut", "id:int number vendor_id:int order_type status order_date:day required_date:day "
    "warehouse_id:id? customer_id:id? ship_to_address comment sent_at:stamp total:decimal",
    lines=many(PurchaseOrderLineOut))


class PurchaseOrderListArgs(PageArgs):
    q = Text(200, load_default="")
    vendor = Text(20, load_default="", metadata={"description": "Vendor id."})
    status = Text(20, load_default="", metadata={"description": "A status, or 'open'."})
    required_from = Text(10, load_default="")
    required_to = Text(10, load_default="")
    item = Text(200, load_default="", metadata={"description": "Item code or description contains."})
    serves = Text(120, load_default="", metadata={"description": "Origin (e.g. 'SO 100042') contains."})
    overdue = Text(1, load_default="", metadata={"description": "'1': only POs past their required date."})
    exceptions = Text(1, load_default="", metadata={"description": "'1': only POs with open buyer exceptions."})


class PurchaseOrderCancelIn(ma.Schema):
    reason_code = Text(10, load_default="")


class GoodsLine(ma.Schema):
    line_id = Id(required=True)
    qty = Number(required=True)
    comment = Text(200, load_default="")


class GoodsIn(ma.Schema):
    lines = Lines(ma.fields.Nested(GoodsLine), MAX_LINES, _too_many, required=True)
    comment = Text(4000, load_default="")


DocLineOut = output("DocLineOut", "line_no:int po_line_id:id? item_id:id? qty:decimal unit_cost:decimal")
ReceiptOut = output("ReceiptOut", "id:int number po_id:id? po_number vendor_id:int total_qty:decimal "
                    "total_amount:decimal comment", date=Day(required=True, attribute="receipt_date"),
                    lines=many(DocLineOut))


def _return_totals(ret: Return) -> tuple[Decimal, Decimal]:
    qty = sum((ln.qty for ln in ret.lines), ZERO)
    return qty, sum((ln.qty * ln.unit_cost for ln in ret.lines), ZERO).quantize(Decimal("0.01"))


ReturnOut = output("ReturnOut", "", base=ReceiptOut, date=Day(required=True, attribute="return_date"),
                   total_qty=decimal_of(lambda r: _return_totals(r)[0]),
                   total_amount=decimal_of(lambda r: _return_totals(r)[1]))


def _load(po_id: int) -> PurchaseOrder:
    return found(queries.load_po(po_id))


def _lines(rows: list[dict[str, Any]]) -> tuple[list[dict], list[tuple[str, str]]]:
    """The API's lines as PO entry's line dicts, numbers checked by entry's own parsers."""
    out, errors = [], []
    for i, row in enumerate(rows):
        data = {k: v for k, v in row.items() if v is not None or k in ("unit_cost", "required_date")}
        for key, parse in (("qty_ordered", parse_quantity), ("unit_cost", parse_cost)):
            if row.get(key) is None:
                continue
            try:
                data[key] = parse(row[key], None)
            except ValidationError as exc:
                errors.append((f"lines/{i}/{key}", exc.message))
        if row.get("id") is None:
            data.pop("id", None)
        out.append(data)
    return out, errors


def _entry_path(field: str | None) -> str | None:
    path = api_path(field)
    return path[:-len("/item")] + "/item_id" if path and path.endswith("/item") else path


def _save(po: PurchaseOrder | None, data: dict[str, Any]):
    lines, errors = _lines(data.pop("lines"))
    if po is not None:
        known = {ln.id for ln in po.lines}
        errors += [(f"lines/{i}/id", "This line does not belong to the purchase order.")
                   for i, ln in enumerate(lines) if ln.get("id") and ln["id"] not in known]
    if errors:
        return problem(422, "Some lines are not valid; nothing was saved.", errors=errors)
    header = {k: data[k] for k in svc.HEADER_FIELDS if k in data}
    if header.get("order_date") is None:  # PO entry always sends one: today, or the order's own
        header["order_date"] = po.order_date if po is not None else date.today()
    try:
        with db.session.begin_nested():
            saved = svc.save_purchase_order(po, vendor_id=data["vendor_id"], order_type=data["order_type"],
                                            header=header, lines=lines, number=data["number"] or None,
                                            line_reason_code=data["line_reason_code"], user_id=current_user.id)
    except ValidationError as exc:
        renamed = {f: _entry_path(f) for f, _m in exc.errors if f}
        return from_validation(exc, renamed)
    return saved


records(bp, "order", PurchaseOrderOut, query=PurchaseOrderListArgs, load=queries.load_po, id_name="po_id",
        select=lambda args: queries.po_list({k: args[k] for k in queries.PO_FILTERS}).options(
            selectinload(PurchaseOrder.lines).joinedload(PurchaseOrderLine.item)),
        docs=("Purchase orders, newest first (the filters of the Purchase orders page).",
              "One purchase order with its lines."))


@operation(bp, "", roles=PURCHASING, methods=["POST"], body=PurchaseOrderIn, response=PurchaseOrderOut, status=201)
def create_order(data: dict[str, Any]):
    """Enter a purchase order (PO entry's save)."""
    saved = _save(None, data)
    if not isinstance(saved, PurchaseOrder):
        return saved
    return _load(saved.id), 201, {"Location": url_for(".get_order", po_id=saved.id)}


@operation(bp, "/<int:po_id>", roles=PURCHASING, methods=["PUT"], body=PurchaseOrderIn, response=PurchaseOrderOut)
def update_order(data: dict[str, Any], po_id: int):
    """Change a purchase order: the whole document, as PO entry sends it."""
    saved = _save(_load(po_id), data)
    return _load(saved.id) if isinstance(saved, PurchaseOrder) else saved


@operation(bp, "/<int:po_id>/send", roles=PURCHASING, methods=["POST"], response=PurchaseOrderOut)
def send_order(po_id: int):
    """Mark the order sent to its vendor."""
    svc.send_purchase_order(_load(po_id), user_id=current_user.id)
    return _load(po_id)


@operation(bp, "/<int:po_id>/cancel", roles=PURCHASING, methods=["POST"], body=PurchaseOrderCancelIn,
           response=PurchaseOrderOut)
def cancel_order(data: dict[str, Any], po_id: int):
    """Cancel the order (refused once goods were received)."""
    svc.cancel_purchase_order(_load(po_id), reason_code=data["reason_code"], user_id=current_user.id)
    return _load(po_id)


def _goods(po_id: int, data: dict[str, Any], post):
    po = _load(po_id)
    known = {ln.id for ln in po.lines}
    paths = {}
    for i, row in enumerate(data["lines"]):
        if row["line_id"] not in known:
            return problem(422, "A line does not belong to this purchase order.",
                           errors=[(f"lines/{i}/line_id", "A line does not belong to this purchase order.")])
        paths[f"qty_{row['line_id']}"] = f"lines/{i}/qty"
    quantities = {row["line_id"]: row["qty"] for row in data["lines"]}
    try:
        with db.session.begin_nested():
            return post(po, quantities, data).document
    except ValidationError as exc:
        return from_validation(exc, paths)


@operation(bp, "/<int:po_id>/receipts", roles=PURCHASING, methods=["POST"], body=GoodsIn, response=ReceiptOut,
           status=201)
def receive(data: dict[str, Any], po_id: int):
    """Receive goods against the order (stock, last cost, history, back-order release by hooks)."""
    doc = _goods(po_id, data, lambda po, q, d: svc.post_receipt(
        po.id, q, comment=d["comment"], line_comments={r["line_id"]: r["comment"] for r in d["lines"]},
        user_id=current_user.id))
    if not isinstance(doc, Receipt):
        return doc
    return queries.load_receipt(doc.id), 201, {"Location": url_for("po_documents.get_receipt", receipt_id=doc.id)}


@operation(bp, "/<int:po_id>/returns", roles=PURCHASING, methods=["POST"], body=GoodsIn, response=ReturnOut,
           status=201)
def return_goods(data: dict[str, Any], po_id: int):
    """Return goods to the vendor (never more than received)."""
    doc = _goods(po_id, data, lambda po, q, d: svc.post_return(po.id, q, comment=d["comment"],
                                                                user_id=current_user.id))
    if not isinstance(doc, Return):
        return doc
    return _return(doc.id), 201, {"Location": url_for("po_documents.get_return", return_id=doc.id)}


def _return(return_id: int) -> Return:
    return db.session.scalars(sa.select(Return).where(Return.id == return_id)
                              .options(selectinload(Return.lines).selectinload(ReturnLine.item))).one_or_none()


@operation(docs_bp, "/receipts/<int:receipt_id>", response=ReceiptOut)
def get_receipt(receipt_id: int):
    """One receipt with its lines."""
    return found(queries.load_receipt(receipt_id))


@operation(docs_bp, "/returns/<int:return_id>", response=ReturnOut)
def get_return(return_id: int):
    """One return with its lines."""
    return found(_return(return_id))
