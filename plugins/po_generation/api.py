"""PO generation under ``/api/v1/po-generation``: preview and generate, for one sales order
(the *Generate POs* button) or in batch (*Auto generate from sales orders*), through the
same functions as those pages."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from core.api import Blueprint
from core.api.endpoints import found, operation
from core.api.fields import Text
from core.api.schemas import decimal_of, many, output
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


DraftLineOut = output("DraftLineOut", "so_number so_line_no:int item_code", qty=decimal_of(lambda ln: ln.qty),
                      unit_cost=decimal_of(lambda ln: ln.unit_cost))
DraftOut = output("DraftOut", "vendor_id:int vendor_number order_type number:str? so_numbers:strs existing_po_id:int?",
                  total=decimal_of(lambda d: d.total), lines=many(DraftLineOut))
GenerationProblem = output("GenerationProblem", "so_number line_no:int item_code message")
GenerationPreview = output("GenerationPreview", "increases:int", drafts=many(DraftOut),
                           problems=many(GenerationProblem))
GenerationResult = output("GenerationResult", "po_ids:ints created:int lines:int", problems=many(GenerationProblem))


def _preview(selection: Selection, prompt_date) -> dict[str, Any]:
    try:
        plan: Plan = generation.make_plan(selection, prompt_date=prompt_date)
    except PromptNeeded as exc:
        raise ValidationError("required_date", str(exc)) from None
    generation.number_plan(plan, generation.gen_options(), preview=True)
    rollback_request()  # a preview writes nothing
    return {"drafts": plan.drafts, "increases": len(plan.increases), "problems": plan.problems}


def _order(order_id: int) -> SalesOrder:
    order = found(db.session.get(SalesOrder, order_id))
    if why := generation.refusal(order):
        raise ValidationError(None, why)
    return order


@operation(bp, "/orders/<int:order_id>/preview", roles=GENERATING_ROLES, methods=["POST"], body=GenerateOneIn,
           response=GenerationPreview)
def preview_order(data: dict[str, Any], order_id: int):
    """What *Generate POs* would create for this sales order (nothing is written)."""
    order = _order(order_id)
    return _preview(Selection(order_ids=[order.id]), generation.prompt_date_from(data["required_date"]))


@operation(bp, "/orders/<int:order_id>/generate", roles=GENERATING_ROLES, methods=["POST"], body=GenerateOneIn,
           response=GenerationResult)
def generate_order(data: dict[str, Any], order_id: int):
    """*Generate POs* for this sales order: only what its lines still need."""
    return generation.generate_from_button(_order(order_id), data["required_date"])


@operation(bp, "/batch/preview", roles=["purchasing"], methods=["POST"], body=GenerateBatchIn,
           response=GenerationPreview)
def preview_batch(data: dict[str, Any]):
    """What auto generation would create for the selected open sales orders (nothing is written)."""
    return _preview(*batch.selection_from(data))


@operation(bp, "/batch/generate", roles=["purchasing"], methods=["POST"], body=GenerateBatchIn,
           response=GenerationResult)
def generate_batch(data: dict[str, Any]):
    """Auto generate purchase orders from the selected open sales orders."""
    selection, prompt_date = batch.selection_from(data)
    try:
        return generation.generate(selection, prompt_date=prompt_date)
    except PromptNeeded as exc:
        raise ValidationError("required_date", str(exc)) from None
