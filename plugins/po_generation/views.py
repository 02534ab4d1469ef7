"""Pages: Generate POs (button and prompt), Reset Purchase Orders, orders missing POs,
auto generate from sales orders (preview, then generate, then the listings)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup

from core.auth import require, user_can
from core.db import db
from core.models import Partner
from core.plugins import Action, HookError, Panel
from plugins.purchase_order import services as po_services
from plugins.purchase_order.models import STATUS_LABELS, CancelReasonCode, PurchaseOrder
from plugins.sales_order.models import SalesOrder

from . import services
from .services import GenerationError, PromptNeeded, Selection, needs_prompt

bp = Blueprint("po_generation", __name__, template_folder="templates", url_prefix="/po-generation")
BUYERS = ("purchasing", "sales")
PROMPT_KEY = "pogen_prompt_order"


def remember_new_order(order: SalesOrder) -> None:
    """Ask, on the new order's page, whether to generate now (*Prompt to Generate ...*)."""
    from flask import has_request_context

    o = services.opts()
    if has_request_context() and o["enable_in_entry"] and o["prompt_on_new"] and not o["generate_on_save"]:
        session[PROMPT_KEY] = order.id


# -- contributions to other plugins' pages ---------------------------------------------------


def actions_for(page: str, obj) -> list[Action]:
    if page not in ("sales_order.view", "sales_order.supply") or obj is None or getattr(obj, "id", None) is None:
        return []
    o = services.opts()
    if page == "sales_order.supply":  # the sales order's supply request page: order the shortage
        return [Action("Order the shortage (generate POs)", url_for("po_generation.generate", order_id=obj.id),
                       roles=BUYERS, style="primary")] if obj.status not in ("*", "9") else []
    out = []
    if o["enable_in_entry"] and obj.status not in ("*", "9"):
        out.append(Action("Generate POs", url_for("po_generation.generate", order_id=obj.id), method="get",
                          roles=BUYERS, style="primary"))
    out.append(Action("Reset Purchase Orders", url_for("po_generation.reset", order_id=obj.id), roles=BUYERS))
    if obj.status not in ("*", "9"):
        out.append(Action("Drop-ship PO", url_for("po_generation.drop_ship", order_id=obj.id), method="get",
                          roles=("purchasing",)))
    return out


def panels_for(page: str, obj) -> list[Panel]:
    if obj is None or getattr(obj, "id", None) is None:
        return []
    if page == "sales_order.view":
        rows = services.links(so_id=obj.id)
        html = render_template("po_generation/_so_panel.html", rows=rows, order=obj, status_labels=STATUS_LABELS,
                               prompt=session.get(PROMPT_KEY) == obj.id)
        if session.get(PROMPT_KEY) == obj.id:
            session.pop(PROMPT_KEY, None)
        return [Panel("Purchase orders", Markup(html), order=50)]
    if page == "purchase_order.view":
        rows = services.links(po_id=obj.id)
        if not rows:
            return []
        return [Panel("Sales orders served", Markup(render_template("po_generation/_po_panel.html", rows=rows)),
                      order=50)]
    return []


# -- helpers ---------------------------------------------------------------------------------------


def _parse_date(value: str | None, errors: dict, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = "Enter a date as YYYY-MM-DD."
        return None


def _after(result: services.Result):
    """Where to go after generating: PO entry, the print prompt, or the listings."""
    o = services.opts()
    ids = ",".join(str(i) for i in result.po_ids)
    if o["access_po_entry"] and result.po_ids and user_can("purchasing"):
        flash("Opening Purchase Order Entry for the generated purchase order(s).", "info")
        return redirect(url_for("purchase_order.view", po_id=result.po_ids[0]))
    return redirect(url_for("po_generation.result", ids=ids))


def _flash_result(result: services.Result) -> None:
    if result.po_ids:
        flash(f"{result.created} purchase order(s) created, {result.lines} line(s) ordered.", "success")
    else:
        flash("Nothing to order: every line is covered.", "info")
    for p in result.problems:
        flash(p.message, "warning")


# -- Generate POs on one sales order ------------------------------------------------------------


@bp.route("/orders/<int:order_id>/generate", methods=["GET", "POST"])
@require(*BUYERS)
def generate(order_id: int):
    order = db.session.get(SalesOrder, order_id) or abort(404)
    o = services.opts()
    if not o["enable_in_entry"]:
        flash("Purchase order generation during sales order entry is switched off in the setup options.", "error")
        return redirect(url_for("sales_order.view", order_id=order_id))
    errors: dict[str, str] = {}
    prompt = needs_prompt(services.gen_options())
    if request.method == "POST":
        prompt_date = _parse_date(request.form.get("required_date"), errors, "required_date")
        if prompt and prompt_date is None and not errors:
            errors["required_date"] = "A required date is needed (the Generate options say Prompt)."
        if not errors:
            try:
                result = services.generate_for_order(order.id, prompt_date=prompt_date)
                db.session.commit()
            except (HookError, GenerationError, PromptNeeded, po_services.PurchaseOrderError) as exc:
                db.session.rollback()
                flash(str(exc), "error")
                return redirect(url_for("sales_order.view", order_id=order_id))
            _flash_result(result)
            return _after(result)
    plan = None
    if not prompt:
        plan = services.make_plan(Selection(order_ids=[order.id], include_held=True))
        services.assign_numbers(plan, services.gen_options(), in_use=services.numbers_in_use,
                                draw_automatic=_preview_numbers)
        db.session.rollback()
    return render_template("po_generation/generate.html", order=order, prompt=prompt, errors=errors, plan=plan,
                           form=request.form), (422 if errors else 200)


def _preview_numbers(n: int, avoid: set[str]) -> list[str]:
    return ["(next automatic)"] * n


# -- Reset Purchase Orders --------------------------------------------------------------------


@bp.route("/orders/<int:order_id>/reset", methods=["GET", "POST"])
@require(*BUYERS)
def reset(order_id: int):
    order = db.session.get(SalesOrder, order_id) or abort(404)
    check = services.reset_check(order)
    need_reason = po_services.deleted_reason_required("order")
    reasons = list(db.session.scalars(sa.select(CancelReasonCode).order_by(CancelReasonCode.code))) if need_reason \
        else []
    errors: dict[str, str] = {}
    if request.method == "POST" and check.allowed:
        try:
            deleted = services.reset_purchase_orders(
                order, confirm_sent=bool(request.form.get("confirm_sent")),
                reason_code=request.form.get("reason_code") or None, user_id=current_user.id)
            db.session.commit()
        except (GenerationError, po_services.PurchaseOrderError, HookError) as exc:
            db.session.rollback()
            msg = getattr(exc, "message", None) or str(exc)
            errors["confirm_sent" if "sent" in msg else "reason_code"] = msg
            check = services.reset_check(order)
        else:
            flash("Purchase orders reset (" + (", ".join(deleted) or "none were attached")
                  + "). Save the order or press Generate POs to create them again.", "success")
            return redirect(url_for("sales_order.view", order_id=order_id))
    status = 422 if errors or (request.method == "POST" and not check.allowed) else 200
    return render_template("po_generation/reset.html", order=order, check=check, errors=errors,
                           need_reason=need_reason, reasons=reasons, form=request.form), status


# -- Orders missing purchase orders ------------------------------------------------------------


@bp.route("/missing")
@require()
def missing():
    rows = services.missing_purchase_orders()
    return render_template("po_generation/missing.html", rows=rows)


# -- Auto generate from sales orders ------------------------------------------------------------


def _selection_from(form, errors: dict) -> tuple[Selection, date | None]:
    sel = Selection(date_from=_parse_date(form.get("date_from"), errors, "date_from"),
                    date_to=_parse_date(form.get("date_to"), errors, "date_to"))
    for field in ("customer", "vendor"):
        code = (form.get(field) or "").strip()
        if code:
            pid = db.session.scalar(sa.select(Partner.id).where(Partner.number == code))
            if pid is None:
                errors[field] = f"No {field} with number {code!r}."
            else:
                setattr(sel, f"{field}_id", pid)
    if sel.date_from and sel.date_to and sel.date_from > sel.date_to:
        errors["date_to"] = "The end date is before the start date."
    prompt_date = _parse_date(form.get("required_date"), errors, "required_date")
    return sel, prompt_date


@bp.route("/auto", methods=["GET", "POST"])
@require("purchasing")
def auto():
    errors: dict[str, str] = {}
    plan = None
    form = request.form if request.method == "POST" else request.args
    prompt = needs_prompt(services.gen_options())
    if request.method == "POST":
        sel, prompt_date = _selection_from(form, errors)
        if prompt and prompt_date is None and "required_date" not in errors:
            errors["required_date"] = "A required date is needed (the Generate options say Prompt)."
        if not errors:
            if form.get("action") == "generate":
                try:
                    result = services.generate(sel, prompt_date=prompt_date)
                    db.session.commit()
                except (HookError, GenerationError, PromptNeeded, po_services.PurchaseOrderError) as exc:
                    db.session.rollback()
                    flash(str(exc), "error")
                else:
                    _flash_result(result)
                    return _after(result)
            else:
                plan = services.make_plan(sel, prompt_date=prompt_date)
                services.assign_numbers(plan, services.gen_options(), in_use=services.numbers_in_use,
                                        draw_automatic=_preview_numbers)
                db.session.rollback()
    return render_template("po_generation/auto.html", errors=errors, plan=plan, form=form, prompt=prompt,
                           opts=services.opts()), (422 if errors else 200)


@bp.route("/result")
@require()
def result():
    try:
        ids = [int(x) for x in (request.args.get("ids") or "").split(",") if x.strip()]
    except ValueError:
        ids = []
    pos = list(db.session.scalars(
        sa.select(PurchaseOrder).where(PurchaseOrder.id.in_(ids))
        .options(sa.orm.selectinload(PurchaseOrder.lines), sa.orm.joinedload(PurchaseOrder.vendor),
                 sa.orm.joinedload(PurchaseOrder.customer)))) if ids else []
    o = services.opts()
    link_rows = services.links_for_pos(ids)
    by_customer = o["print_listing_by_customer"]
    listing = sorted(link_rows, key=(lambda r: (r["customer"], r["so_number"], r["po_number"], r["po_line_no"]))
                     if by_customer else (lambda r: (r["vendor"], r["po_number"], r["po_line_no"])))
    return render_template("po_generation/result.html", pos=sorted(pos, key=lambda p: p.number), listing=listing,
                           by_customer=by_customer, opts=o)


# -- a drop-ship PO from a sales order, by hand (*Include All Drop Ship Line Items*) -----------


@bp.route("/drop-ship", methods=["GET", "POST"])
@require("purchasing")
def drop_ship():
    """The buyer picks a vendor and a sales order; the PO takes that vendor's drop-ship lines
    (*Only for PO Vendor*), all of them (*Yes*), or whichever the buyer says here (*Prompt*)."""
    setting = services.opts()["include_all_drop_ship"]
    form = request.form if request.method == "POST" else request.args
    errors: dict[str, str] = {}
    order = None
    so_number = (form.get("sales_order") or "").strip()
    if not so_number and (request.args.get("order_id") or "").isdigit():
        order = db.session.get(SalesOrder, int(request.args["order_id"]))
        so_number = order.number if order else ""
    elif so_number:
        order = db.session.scalar(sa.select(SalesOrder).where(SalesOrder.number == so_number))
    vendors = db.session.execute(sa.select(Partner.id, Partner.number, Partner.name)
                                 .where(Partner.is_vendor).order_by(Partner.number)).all()
    lines = services.drop_ship_lines(order.id, 0, include_all=True) if order is not None else []
    vendor_numbers = dict((v.id, v.number) for v in vendors)
    if request.method == "POST":
        if order is None:
            errors["sales_order"] = (f"No sales order {so_number!r}." if so_number else "Enter a sales order number.")
        elif order.status in ("*", "9"):
            errors["sales_order"] = f"Sales order {order.number} is {order.status_label.lower()}."
        raw_vendor = form.get("vendor_id") or ""
        vendor_id = int(raw_vendor) if raw_vendor.isdigit() and int(raw_vendor) in vendor_numbers else None
        if vendor_id is None:
            errors["vendor_id"] = "Choose the PO vendor."
        include = {"vendor": services.INCLUDE_VENDOR, "yes": services.INCLUDE_ALL}.get(setting)
        if include is None:  # Prompt: the buyer says which, in the page
            include = form.get("include") or ""
            if include not in (services.INCLUDE_VENDOR, services.INCLUDE_ALL):
                errors["include"] = "Include all drop ship line items, or only those for the PO vendor?"
        if not errors:
            try:
                po = services.create_drop_ship_po(order.id, vendor_id, include_all=include == services.INCLUDE_ALL)
                db.session.commit()
            except (GenerationError, po_services.PurchaseOrderError, HookError) as exc:
                db.session.rollback()
                errors["vendor_id"] = getattr(exc, "message", None) or str(exc)
            else:
                flash(f"Drop-ship purchase order {po.number} created with {len(po.lines)} line(s).", "success")
                return redirect(url_for("purchase_order.view", po_id=po.id))
    return render_template("po_generation/drop_ship.html", form=form, errors=errors, order=order,
                           so_number=so_number, vendors=vendors, lines=lines, vendor_numbers=vendor_numbers,
                           setting=setting), (422 if errors else 200)
