"""PO generation under ``/api/v1/po-generation``: preview and generate, for one sales order
(the *Generate POs* button) or in batch (*Auto generate from sales orders*), through the
same functions as those pages."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import abort

from core.api import Blueprint
from core.api.fields import Text
from core.auth import require
from core.db import db
from core.errors import ValidationError
from core.lifecycle import rollback_request
from plugins.sales_order.models import SalesOrder

from . import batch, generation
from .inputs import Selection
from .panels import GENERATING_ROLES
from .rules import Plan, PromptNeeded

bp = Blueprint("po-generation", __name__, url_prefix="/api/v1/po-generation",
               description="Purchase orders from sales orders: preview, then generate.")


class GenerateOneIn(ma.Schema):
    required_date = Text(10, load_default="", metadata={"description": "YYYY-MM-DD; needed when the options say Prompt."})


class GenerateBatchIn(GenerateOneIn):
    date_from = Text(10, load_default="", metadata={"description": "Sales orders dated from (YYYY-MM-DD)."})
    date_to = Text(10, load_default="")
    customer = Text(20, load_default="", metadata={"description": "Customer number."})
    vendor = Text(20, load_default="", metadata={"description": "Vendor number."})


class DraftLineOut(ma.Schema):
    so_number = ma.fields.String(required=True)
    so_line_no = ma.fields.Integer(required=True)
    item_code = ma.fields.String(required=True)
    qty = ma.fields.Function(lambda ln: f"{ln.qty:f}", required=True, metadata={"type": "string"})
    unit_cost = ma.fields.Function(lambda ln: f"{ln.unit_cost:f}", required=True, metadata={"type": "string"})


class DraftOut(ma.Schema):
    vendor_id = ma.fields.Integer(required=True)
    vendor_number = ma.fields.String(required=True)
    order_type = ma.fields.String(required=True)
    number = ma.fields.String(allow_none=True, required=True, metadata={"type": ["string", "null"]})
    so_numbers = ma.fields.List(ma.fields.String(), required=True)
    existing_po_id = ma.fields.Integer(allow_none=True, required=True, metadata={"type": ["integer", "null"]})
    total = ma.fields.Function(lambda d: f"{d.total:f}", required=True, metadata={"type": "string"})
    lines = ma.fields.List(ma.fields.Nested(DraftLineOut), required=True)


class GenerationProblem(ma.Schema):
    so_number = ma.fields.String(required=True)
    line_no = ma.fields.Integer(required=True)
    item_code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)


class GenerationPreview(ma.Schema):
    drafts = ma.fields.List(ma.fields.Nested(DraftOut), required=True)
    increases = ma.fields.Integer(required=True)
    problems = ma.fields.List(ma.fields.Nested(GenerationProblem), required=True)


class GenerationResult(ma.Schema):
    po_ids = ma.fields.List(ma.fields.Integer(), required=True)
    created = ma.fields.Integer(required=True)
    lines = ma.fields.Integer(required=True)
    problems = ma.fields.List(ma.fields.Nested(GenerationProblem), required=True)


def _preview(selection: Selection, prompt_date) -> dict[str, Any]:
    try:
        plan: Plan = generation.make_plan(selection, prompt_date=prompt_date)
    except PromptNeeded as exc:
        raise ValidationError("required_date", str(exc)) from None
    generation.number_plan(plan, generation.gen_options(), preview=True)
    rollback_request()  # a preview writes nothing
    return {"drafts": plan.drafts, "increases": len(plan.increases), "problems": plan.problems}


def _order(order_id: int) -> SalesOrder:
    order = db.session.get(SalesOrder, order_id) or abort(404)
    if why := generation.refusal(order):
        raise ValidationError(None, why)
    return order


@bp.route("/orders/<int:order_id>/preview", methods=["POST"])
@require(*GENERATING_ROLES)
@bp.arguments(GenerateOneIn)
@bp.response(200, GenerationPreview)
def preview_order(data: dict[str, Any], order_id: int):
    """What *Generate POs* would create for this sales order (nothing is written)."""
    order = _order(order_id)
    prompt_date = generation.prompt_date_from(data["required_date"])
    return _preview(Selection(order_ids=[order.id]), prompt_date)


@bp.route("/orders/<int:order_id>/generate", methods=["POST"])
@require(*GENERATING_ROLES)
@bp.arguments(GenerateOneIn)
@bp.response(200, GenerationResult)
def generate_order(data: dict[str, Any], order_id: int):
    """*Generate POs* for this sales order: only what its lines still need."""
    result = generation.generate_from_button(_order(order_id), data["required_date"])
    return {"po_ids": result.po_ids, "created": result.created, "lines": result.lines, "problems": result.problems}


@bp.route("/batch/preview", methods=["POST"])
@require("purchasing")
@bp.arguments(GenerateBatchIn)
@bp.response(200, GenerationPreview)
def preview_batch(data: dict[str, Any]):
    """What auto generation would create for the selected open sales orders (nothing is written)."""
    selection, prompt_date = batch.selection_from(data)
    return _preview(selection, prompt_date)


@bp.route("/batch/generate", methods=["POST"])
@require("purchasing")
@bp.arguments(GenerateBatchIn)
@bp.response(200, GenerationResult)
def generate_batch(data: dict[str, Any]):
    """Auto generate purchase orders from the selected open sales orders."""
    selection, prompt_date = batch.selection_from(data)
    try:
        result = generation.generate(selection, prompt_date=prompt_date)
    except PromptNeeded as exc:
        raise ValidationError("required_date", str(exc)) from None
    return {"po_ids": result.po_ids, "created": result.created, "lines": result.lines, "problems": result.problems}
