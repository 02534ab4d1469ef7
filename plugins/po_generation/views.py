"""Pages: Generate POs (button and prompt), Reset Purchase Orders, orders missing POs,
auto generate from sales orders (preview, then generate, then the listings), a drop-ship
PO by hand. Each view loads its arguments, checks access and calls a service; the
request lifecycle commits or rolls back (:mod:`core.lifecycle`).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.auth import require, user_can
from core.db import db
from core.errors import ValidationError
from core.lifecycle import rollback_request
from core.parsing import parse_id
from plugins.sales_order.models import SalesOrder

from . import batch, generation, purchasing, settings
from . import drop_ship as hand_drop_ship
from . import missing as missing_check
from . import reset as resetting
from .links import listing_rows
from .panels import GENERATING_ROLES
from .rules import PromptNeeded, needs_prompt

bp = Blueprint("po_generation", __name__, template_folder="templates", url_prefix="/po-generation")


def _field_errors(exc: ValidationError) -> dict[str, str]:
    """Messages by field for the templates; those with no field are flashed."""
    out: dict[str, str] = {}
    for field, message in exc.errors:
        if field:
            out.setdefault(field, message)
        else:
            flash(message, "error")
    return out


def _after(result: generation.Result):
    """Where to go after generating: PO entry, or the listings (with the print prompt)."""
    if settings.access_po_entry and result.po_ids and user_can("purchasing"):
        flash("Opening the generated purchase order(s).", "info")
        return redirect(url_for("purchase_order.view", po_id=result.po_ids[0]))
    return redirect(url_for("po_generation.result", ids=",".join(str(i) for i in result.po_ids)))


def _flash_result(result: generation.Result) -> None:
    if result.po_ids:
        flash(f"{result.created} purchase order(s) created, {result.lines} line(s) ordered.", "success")
    else:
        flash("Nothing to order: every line is covered.", "info")
    for p in result.problems:
        flash(p.message, "warning")


def _preview(selection, prompt_date=None):
    plan = generation.make_plan(selection, prompt_date=prompt_date)
    generation.number_plan(plan, generation.gen_options(), preview=True)
    rollback_request()  # a preview writes nothing
    return plan


@bp.route("/orders/<int:order_id>/generate", methods=["GET", "POST"])
@require(*GENERATING_ROLES)
def generate(order_id: int):
    order = db.session.get(SalesOrder, order_id) or abort(404)
    why = generation.refusal(order)
    if why:
        flash(why, "error")
        return redirect(url_for("sales_order.view", order_id=order_id))
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            result = generation.generate_from_button(order, request.form.get("required_date"))
        except ValidationError as exc:
            errors = _field_errors(exc)
            if not errors:
                rollback_request()
                return redirect(url_for("sales_order.view", order_id=order_id))
        else:
            _flash_result(result)
            return _after(result)
    prompt = needs_prompt(generation.gen_options())
    plan = None if prompt else _preview(generation.Selection(order_ids=[order.id]))
    return render_template("po_generation/generate.html", order=order, prompt=prompt, errors=errors, plan=plan,
                           form=request.form), (422 if errors else 200)


@bp.route("/orders/<int:order_id>/reset", methods=["GET", "POST"])
@require(*GENERATING_ROLES)
def reset(order_id: int):
    order = db.session.get(SalesOrder, order_id) or abort(404)
    check = resetting.reset_check(order)
    need_reason = purchasing.reason_required()
    errors: dict[str, str] = {}
    if request.method == "POST" and check.allowed:
        try:
            deleted = resetting.reset_purchase_orders(
                order, confirm_sent=bool(request.form.get("confirm_sent")),
                reason_code=request.form.get("reason_code") or None, user_id=current_user.id,
                may_delete_sent=user_can("purchasing"))
        except ValidationError as exc:
            errors = _field_errors(exc)
            rollback_request()
        else:
            flash("Purchase orders reset (" + (", ".join(deleted) or "none were attached") + "). "
                  + resetting.after_reset_advice(), "success")
            return redirect(url_for("sales_order.view", order_id=order_id))
    status = 422 if request.method == "POST" else 200  # a POST that gets here did not reset
    return render_template("po_generation/reset.html", order=order, check=check, errors=errors,
                           need_reason=need_reason, reasons=purchasing.reason_codes() if need_reason else [],
                           form=request.form, advice=resetting.after_reset_advice()), status


@bp.route("/missing")
@require()
def missing():
    return render_template("po_generation/missing.html", rows=missing_check.missing_purchase_orders())


@bp.route("/auto", methods=["GET", "POST"])
@require("purchasing")
def auto():
    errors: dict[str, str] = {}
    plan = None
    form = request.form if request.method == "POST" else request.args
    if request.method == "POST":
        try:
            selection, prompt_date = batch.selection_from(form)
            if form.get("action") == "generate":
                result = generation.generate(selection, prompt_date=prompt_date)
                _flash_result(result)
                return _after(result)
            plan = _preview(selection, prompt_date)
        except PromptNeeded as exc:
            errors = {"required_date": str(exc)}
        except ValidationError as exc:
            errors = _field_errors(exc)
            rollback_request()
    return render_template("po_generation/auto.html", errors=errors, plan=plan, form=form,
                           prompt=needs_prompt(generation.gen_options()), opts=settings.current()), \
        (422 if errors else 200)


@bp.route("/result")
@require()
def result():
    ids = [i for i in (parse_id(x) for x in (request.args.get("ids") or "").split(",")) if i is not None]
    o = settings.current()
    by_customer = o["print_listing_by_customer"]
    return render_template("po_generation/result.html", pos=purchasing.load_pos(ids),
                           listing=listing_rows(ids, by_customer=by_customer), by_customer=by_customer, opts=o)


@bp.route("/drop-ship", methods=["GET", "POST"])
@require("purchasing")
def drop_ship():
    """The buyer picks a vendor and a sales order; the service decides which lines go on the PO."""
    form = request.form if request.method == "POST" else request.args
    data = hand_drop_ship.page(form.get("sales_order"), request.args.get("order_id"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            po = hand_drop_ship.create_from_page(data, form.get("vendor_id"), form.get("include"))
        except ValidationError as exc:
            errors = _field_errors(exc) or {"vendor_id": str(exc)}
        else:
            flash(f"Drop-ship purchase order {po.number} created with {len(po.lines)} line(s).", "success")
            return redirect(url_for("purchase_order.view", po_id=po.id))
    return render_template("po_generation/drop_ship.html", form=form, errors=errors, order=data.order,
                           so_number=data.so_number, lines=data.lines,
                           vendor_numbers=data.vendor_numbers, setting=settings.include_all_drop_ship), \
        (422 if errors else 200)
