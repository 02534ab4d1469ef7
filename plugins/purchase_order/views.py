"""Purchase-order pages (thin: the rules live in services.py and period_end.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from core.auth import require
from core.db import db
from core.forms import build_form
from core.models import Item, Partner
from core.plugins import HookError
from core.web import paginate

from . import services as svc
from .forms import (
    CodeForm,
    LineStatusForm,
    PurchaseOrderForm,
    ReasonForm,
    line_status_choices,
    parse_lines,
    raw_lines,
    reason_choices,
    vendor_choices,
)
from .models import (
    STATUS_LABELS,
    CancelReasonCode,
    PoLineStatus,
    PurchaseHistory,
    PurchaseOrder,
    PurchaseOrderException,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
)

bp = Blueprint("purchase_order", __name__, template_folder="templates")

BUYERS = ("purchasing",)


def _uid() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _get_po(po_id: int) -> PurchaseOrder:
    po = svc.load_po(po_id)
    if po is None:
        abort(404)
    return po


def _hook_message(exc: HookError) -> str:
    return f"Nothing was saved: plugin '{exc.plugin}' refused it ({exc.original})."


# -- list -------------------------------------------------------------------------------------


def _parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@bp.route("/purchase-orders")
@require()
def index():
    a = request.args
    f = {k: a.get(k, "").strip() for k in ("q", "vendor", "status", "required_from", "required_to", "item",
                                           "serves")}
    stmt = (sa.select(PurchaseOrder).options(joinedload(PurchaseOrder.vendor), selectinload(PurchaseOrder.lines))
            .order_by(PurchaseOrder.id.desc()))
    if f["q"]:
        like = f"%{f['q']}%"
        stmt = stmt.where(sa.or_(PurchaseOrder.number.ilike(like), PurchaseOrder.comment.ilike(like),
                                 PurchaseOrder.vendor.has(sa.or_(Partner.name.ilike(like),
                                                                 Partner.number.ilike(like)))))
    if f["vendor"].isdigit():
        stmt = stmt.where(PurchaseOrder.vendor_id == int(f["vendor"]))
    if f["status"] == "open":
        stmt = stmt.where(PurchaseOrder.status.in_(("new", "sent", "partial")))
    elif f["status"] in STATUS_LABELS:
        stmt = stmt.where(PurchaseOrder.status == f["status"])
    if d := _parse_date(f["required_from"]):
        stmt = stmt.where(PurchaseOrder.required_date >= d)
    if d := _parse_date(f["required_to"]):
        stmt = stmt.where(PurchaseOrder.required_date <= d)
    if f["item"]:
        like = f"%{f['item']}%"
        stmt = stmt.where(PurchaseOrder.lines.any(PurchaseOrderLine.item.has(
            sa.or_(Item.code.ilike(like), Item.description.ilike(like)))))
    if f["serves"]:
        stmt = stmt.where(PurchaseOrder.lines.any(PurchaseOrderLine.origin_label.ilike(f"%{f['serves']}%")))
    return render_template("purchase_order/index.html", page=paginate(stmt), f=f, statuses=STATUS_LABELS,
                           vendors=vendor_choices()[1:])


# -- entry ------------------------------------------------------------------------------------


def _rows_from_po(po: PurchaseOrder | None) -> list[dict[str, Any]]:
    if po is None:
        return [dict.fromkeys(("id", "item", "vendor_item_code", "description", "qty_ordered", "unit_cost",
                               "required_date", "line_status_id"), "")]
    return [{"id": str(ln.id), "item": ln.item.code, "vendor_item_code": ln.vendor_item_code,
             "description": ln.description, "qty_ordered": f"{ln.qty_ordered.normalize():f}",
             "unit_cost": f"{ln.unit_cost.normalize():f}",
             "required_date": ln.required_date.isoformat() if ln.required_date else "",
             "line_status_id": str(ln.line_status_id or ""), "line": ln} for ln in po.lines]


def _entry(po: PurchaseOrder | None):
    if po is not None and po.status in ("cancelled", "received", "closed"):
        flash(f"A {po.status_label.lower()} purchase order cannot be changed.", "error")
        return redirect(url_for(".view", po_id=po.id))
    form = PurchaseOrderForm(obj=po)
    form.fill_choices()
    rows = _rows_from_po(po)
    line_errors: dict[tuple[int, str], str] = {}
    top_error = None
    prompt_lines = svc.deleted_reason_required("line") and po is not None
    if request.method == "POST":
        rows = raw_lines(request.form)
        existing = {ln.id: ln for ln in po.lines} if po else {}
        ok = form.validate()
        lines, line_errors = parse_lines(rows, set(existing))
        for r in rows:
            if r["id"] and r["id"].isdigit() and int(r["id"]) in existing:
                r["line"] = existing[int(r["id"])]
        if not rows:
            top_error = "Enter at least one line."
        if ok and not line_errors and not top_error:
            header = {k: form[k].data for k in ("order_date", "required_date", "warehouse_id", "customer_id",
                                                "ship_to_address", "ship_via", "fob", "confirm_to", "email",
                                                "comment")}
            try:
                saved = svc.save_purchase_order(
                    po, vendor_id=form.vendor_id.data, order_type=form.order_type.data, header=header, lines=lines,
                    number=form.number.data, line_reason_code=form.line_reason_code.data, user_id=_uid())
                db.session.commit()
                flash(f"Purchase order {saved.number} saved.", "success")
                return redirect(url_for(".view", po_id=saved.id))
            except svc.PurchaseOrderError as exc:
                db.session.rollback()
                if exc.field and exc.field in form:
                    form[exc.field].errors = list(form[exc.field].errors) + [exc.message]
                    if exc.field == "line_reason_code":
                        prompt_lines = True
                else:
                    top_error = exc.message
            except HookError as exc:
                db.session.rollback()
                top_error = _hook_message(exc)
            if po is not None:
                po = _get_po(po.id)
                for r in rows:
                    if r["id"] and r["id"].isdigit():
                        r["line"] = next((ln for ln in po.lines if ln.id == int(r["id"])), None)
        status = 422
    else:
        status = 200
    return render_template("purchase_order/form.html", po=po, form=form, rows=rows, line_errors=line_errors,
                           top_error=top_error, statuses=line_status_choices(), prompt_lines=prompt_lines,
                           item_codes=db.session.execute(sa.select(Item.code, Item.description)
                                                         .where(Item.active).order_by(Item.code)).all()), status


@bp.route("/purchase-orders/new", methods=["GET", "POST"])
@require(*BUYERS)
def new():
    return _entry(None)


@bp.route("/purchase-orders/<int:po_id>/edit", methods=["GET", "POST"])
@require(*BUYERS)
def edit(po_id: int):
    return _entry(_get_po(po_id))


# -- view, send, print ------------------------------------------------------------------------------


@bp.route("/purchase-orders/<int:po_id>")
@require()
def view(po_id: int):
    po = _get_po(po_id)
    return render_template("purchase_order/view.html", po=po, receipts=svc.receipts_of(po),
                           returns=svc.returns_of(po), history=svc.history_of(po))


@bp.route("/purchase-orders/<int:po_id>/send", methods=["POST"])
@require(*BUYERS)
def send(po_id: int):
    po = _get_po(po_id)
    try:
        svc.send_purchase_order(po, user_id=_uid())
        db.session.commit()
        flash(f"Purchase order {po.number} marked sent to the vendor. Print it from the printable page.", "success")
    except svc.PurchaseOrderError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    except HookError as exc:
        db.session.rollback()
        flash(_hook_message(exc), "error")
    return redirect(url_for(".view", po_id=po_id))


@bp.route("/purchase-orders/<int:po_id>/print")
@require()
def print_po(po_id: int):
    return render_template("purchase_order/print.html", po=_get_po(po_id))


@bp.route("/purchase-orders/<int:po_id>/close", methods=["POST"])
@require(*BUYERS)
def close(po_id: int):
    po = _get_po(po_id)
    try:
        svc.close_purchase_order(po)
        db.session.commit()
        flash(f"Purchase order {po.number} closed.", "success")
    except svc.PurchaseOrderError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for(".view", po_id=po_id))


@bp.route("/purchase-orders/<int:po_id>/exceptions/<int:exc_id>/resolve", methods=["POST"])
@require(*BUYERS)
def resolve_exception(po_id: int, exc_id: int):
    row = db.session.get(PurchaseOrderException, exc_id)
    if row is None or row.po_id != po_id:
        abort(404)
    row.resolved = True
    db.session.commit()
    return redirect(url_for(".view", po_id=po_id))


def _cancel_or_delete(po_id: int, action: str):
    po = _get_po(po_id)
    form = ReasonForm()
    form.reason_code.choices = reason_choices()
    required = svc.deleted_reason_required("order")
    status = 200
    error = None
    if request.method == "POST":
        try:
            if action == "cancel":
                svc.cancel_purchase_order(po, reason_code=form.reason_code.data, user_id=_uid())
            else:
                svc.check_reason_code(form.reason_code.data, required=required)
                number = po.number
                svc.delete_purchase_order(po, reason_code=form.reason_code.data, user_id=_uid())
            db.session.commit()
            if action == "cancel":
                flash(f"Purchase order {po.number} cancelled.", "success")
                return redirect(url_for(".view", po_id=po_id))
            flash(f"Purchase order {number} deleted.", "success")
            return redirect(url_for(".index"))
        except svc.PurchaseOrderError as exc:
            db.session.rollback()
            if exc.field == "reason_code":
                form.reason_code.errors = [exc.message]
            else:
                error = exc.message
        except HookError as exc:
            db.session.rollback()
            error = _hook_message(exc)
        po = _get_po(po_id)
        status = 422
    return render_template("purchase_order/cancel.html", po=po, form=form, action=action, required=required,
                           error=error), status


@bp.route("/purchase-orders/<int:po_id>/cancel", methods=["GET", "POST"])
@require(*BUYERS)
def cancel(po_id: int):
    return _cancel_or_delete(po_id, "cancel")


@bp.route("/purchase-orders/<int:po_id>/delete", methods=["GET", "POST"])
@require(*BUYERS)
def delete(po_id: int):
    return _cancel_or_delete(po_id, "delete")


# -- receipts and returns ------------------------------------------------------------------------------


def _goods(po_id: int, kind: str):
    po = _get_po(po_id)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    error = None
    status = 200
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k.startswith(("qty_", "comment"))}
        quantities = {ln.id: request.form.get(f"qty_{ln.id}", "") for ln in po.lines}
        try:
            if kind == "receipt":
                comments = {ln.id: request.form.get(f"comment_{ln.id}", "") for ln in po.lines}
                extra = request.form.get("comment_lines", "").splitlines()
                posted = svc.post_receipt(po.id, quantities, comment=request.form.get("comment", ""),
                                          line_comments=comments, comment_lines=extra, user_id=_uid())
            else:
                posted = svc.post_return(po.id, quantities, comment=request.form.get("comment", ""),
                                         user_id=_uid())
            db.session.commit()
            doc = posted.document
            msg = f"{'Receipt' if kind == 'receipt' else 'Return'} {doc.number} posted."
            if posted.closed_lines:
                msg += " Closed within the receipt variance: line " + ", ".join(map(str, posted.closed_lines)) + "."
            flash(msg, "success")
            return redirect(url_for(".view", po_id=po_id))
        except svc.PurchaseOrderError as exc:
            db.session.rollback()
            errors = exc.errors
            error = None if errors else exc.message
        except HookError as exc:
            db.session.rollback()
            error = _hook_message(exc)
        po = _get_po(po_id)
        status = 422
    elif po.status == "cancelled":
        flash("A cancelled purchase order cannot be received.", "error")
        return redirect(url_for(".view", po_id=po_id))
    return render_template("purchase_order/goods.html", po=po, kind=kind, errors=errors, values=values,
                           error=error, allow_exceed=svc.opts()["allow_exceed"]), status


@bp.route("/purchase-orders/<int:po_id>/receive", methods=["GET", "POST"])
@require(*BUYERS)
def receive(po_id: int):
    return _goods(po_id, "receipt")


@bp.route("/purchase-orders/<int:po_id>/return", methods=["GET", "POST"])
@require(*BUYERS)
def return_goods(po_id: int):
    return _goods(po_id, "return")


@bp.route("/receipts")
@require()
def receipts():
    q = request.args.get("q", "").strip()
    po_number = request.args.get("po", "").strip()
    if po_number:
        po = db.session.scalar(sa.select(PurchaseOrder).where(PurchaseOrder.number == po_number))
        if po is None:
            flash(f"No purchase order {po_number}.", "error")
        else:
            return redirect(url_for(".receive", po_id=po.id))
    stmt = sa.select(Receipt).options(joinedload(Receipt.vendor)).order_by(Receipt.id.desc())
    if q:
        like = f"%{q}%"
        stmt = stmt.where(sa.or_(Receipt.number.ilike(like), Receipt.po_number.ilike(like)))
    open_pos = db.session.execute(
        sa.select(PurchaseOrder.id, PurchaseOrder.number, Partner.name).join(Partner, PurchaseOrder.vendor_id == Partner.id)
        .where(PurchaseOrder.status.in_(("new", "sent", "partial"))).order_by(PurchaseOrder.number).limit(200)).all()
    return render_template("purchase_order/receipts.html", page=paginate(stmt), q=q, open_pos=open_pos)


@bp.route("/receipts/<int:receipt_id>")
@require()
def receipt(receipt_id: int):
    r = db.session.scalars(sa.select(Receipt).where(Receipt.id == receipt_id).options(
        selectinload(Receipt.lines).selectinload(ReceiptLine.item))).one_or_none()
    if r is None:
        abort(404)
    return render_template("purchase_order/receipt.html", r=r)


# -- purchase history and period end ---------------------------------------------------------------


@bp.route("/purchase-history")
@require()
def purchase_history():
    a = request.args
    item, vendor, year = a.get("item", "").strip(), a.get("vendor", ""), a.get("year", "")
    stmt = (sa.select(PurchaseHistory).options(joinedload(PurchaseHistory.item), joinedload(PurchaseHistory.vendor))
            .order_by(PurchaseHistory.fiscal_year.desc(), PurchaseHistory.period.desc(), PurchaseHistory.id))
    if item:
        stmt = stmt.where(PurchaseHistory.item.has(Item.code.ilike(f"%{item}%")))
    if vendor.isdigit():
        stmt = stmt.where(PurchaseHistory.vendor_id == int(vendor))
    if year.isdigit():
        stmt = stmt.where(PurchaseHistory.fiscal_year == int(year))
    return render_template("purchase_order/purchase_history.html", page=paginate(stmt), item=item, vendor=vendor,
                           year=year, vendors=vendor_choices()[1:])


@bp.route("/purchasing/period-end", methods=["GET", "POST"])
@require("purchasing")
def period_end():
    from .period_end import run_period_end

    if request.method == "POST":
        try:
            result = run_period_end(user_id=_uid())
            db.session.commit()
        except HookError as exc:
            db.session.rollback()
            flash(_hook_message(exc), "error")
            return redirect(url_for(".period_end"))
        flash("Period end done: " + result.summary(), "success")
        return redirect(url_for(".period_end"))
    preview = run_period_end(dry_run=True)
    db.session.rollback()
    return render_template("purchase_order/period_end.html", preview=preview, o=svc.opts())


# -- system data: line statuses and cancel/reason codes ------------------------------------------------


CODE_TABLES = {
    "line_statuses": (PoLineStatus, LineStatusForm, "PO line statuses",
                      "Statuses a purchase order line can carry (code, description and an optional email "
                      "template)."),
    "reason_codes": (CancelReasonCode, CodeForm, "Cancel/reason codes",
                     "Entered when purchase orders or lines are cancelled or deleted, and kept in purchase order "
                     "history."),
}


def _codes(kind: str, row_id: int | None):
    model, form_cls, title, intro = CODE_TABLES[kind]
    row = db.session.get(model, row_id) if row_id else None
    if row_id and row is None:
        abort(404)
    form = build_form("po_line_status", form_cls, obj=row) if kind == "line_statuses" else form_cls(obj=row)
    status = 200
    if request.method == "POST":
        if request.form.get("delete") and row is not None:
            db.session.delete(row)
            db.session.commit()
            flash(f"{row.code} deleted.", "success")
            return redirect(url_for(f".{kind}"))
        if form.validate():
            code = form.code.data.strip().upper()
            clash = db.session.scalar(sa.select(model).where(model.code == code))
            if clash is not None and clash is not row:
                form.code.errors = [f"Code {code} already exists."]
            else:
                row = row or model()
                form.populate_obj(row)
                row.code = code
                db.session.add(row)
                if kind == "line_statuses":
                    db.session.flush()
                    svc._hook().on_po_line_status_saved(status=row, form_data=form.data)
                db.session.commit()
                flash(f"{code} saved.", "success")
                return redirect(url_for(f".{kind}"))
        status = 422
    rows = db.session.scalars(sa.select(model).order_by(model.code)).all()
    return render_template("purchase_order/codes.html", kind=kind, rows=rows, form=form, row=row, title=title,
                           intro=intro), status


@bp.route("/po-line-statuses", methods=["GET", "POST"])
@bp.route("/po-line-statuses/<int:row_id>", methods=["GET", "POST"])
@require("admin")
def line_statuses(row_id: int | None = None):
    return _codes("line_statuses", row_id)


@bp.route("/cancel-reason-codes", methods=["GET", "POST"])
@bp.route("/cancel-reason-codes/<int:row_id>", methods=["GET", "POST"])
@require("admin")
def reason_codes(row_id: int | None = None):
    return _codes("reason_codes", row_id)
