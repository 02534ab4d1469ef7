"""Sales order pages: thin views over :mod:`plugins.sales_order.services`."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from core import stock
from core.auth import require
from core.db import ZERO, db
from core.models import Item, Partner
from core.plugins import HookError
from core.web import paginate

from . import services
from .forms import LineForm, OrderForm, ReleaseForm, ShipForm, decimal_or_none
from .models import STATUSES, SalesInvoice, SalesOrder, SalesOrderLine
from .services import CREDIT_ROLES, LineInput, OrderInput, OrderRefused

bp = Blueprint("sales_order", __name__, template_folder="templates", url_prefix="/sales-orders")
WRITERS = ("sales",)


def _parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


# -- list --------------------------------------------------------------------------------------


def list_statement(args) -> tuple[sa.Select, dict]:
    f = {k: (args.get(k) or "").strip() for k in ("q", "status", "customer", "item", "date_from", "date_to")}
    stmt = (sa.select(SalesOrder)
            .options(joinedload(SalesOrder.customer), selectinload(SalesOrder.lines))
            .order_by(SalesOrder.order_date.desc(), SalesOrder.id.desc()))
    if f["q"]:
        like = f"%{f['q']}%"
        stmt = stmt.join(Partner, SalesOrder.customer_id == Partner.id).where(sa.or_(
            SalesOrder.number.ilike(like), SalesOrder.customer_po_number.ilike(like),
            Partner.name.ilike(like), Partner.number.ilike(like)))
    if f["status"] in STATUSES:
        stmt = stmt.where(SalesOrder.status == f["status"])
    elif f["status"] == "open":
        stmt = stmt.where(SalesOrder.status.notin_(("9", "*")))
    if f["customer"].isdigit():
        stmt = stmt.where(SalesOrder.customer_id == int(f["customer"]))
    if f["item"].isdigit():
        stmt = stmt.where(sa.exists().where(SalesOrderLine.order_id == SalesOrder.id,
                                            SalesOrderLine.item_id == int(f["item"])))
    if d := _parse_date(f["date_from"]):
        stmt = stmt.where(SalesOrder.order_date >= d)
    if d := _parse_date(f["date_to"]):
        stmt = stmt.where(SalesOrder.order_date <= d)
    return stmt, f


@bp.route("")
@require()
def index():
    stmt, f = list_statement(request.args)
    customers = db.session.execute(sa.select(Partner.id, Partner.number, Partner.name)
                                   .where(Partner.is_customer).order_by(Partner.number)).all()
    items = db.session.execute(sa.select(Item.id, Item.code).order_by(Item.code)).all()
    return render_template("sales_order/index.html", page=paginate(stmt), f=f, statuses=STATUSES,
                           customers=customers, items=items)


# -- entry -------------------------------------------------------------------------------------


def _form_input(form: OrderForm) -> OrderInput:
    lines = []
    for i, entry in enumerate(form.lines.entries):
        lf = entry.form
        if lf.is_blank:
            continue
        lines.append(LineInput(
            item_id=lf.item_id.data, qty_ordered=lf.qty_ordered.data, id=_int(lf.id.data),
            description=lf.description.data or "", unit_price=lf.unit_price.data, discount_pct=lf.discount_pct.data,
            promise_date=lf.promise_date.data, warehouse_id=lf.warehouse_id.data,
            drop_ship=lf.drop_ship.data if lf.id.data or lf.drop_ship.data else None,
            vendor_id=lf.vendor_id.data, index=i))
    return OrderInput(
        customer_id=form.customer_id.data, lines=lines, order_date=form.order_date.data,
        number=form.number.data or "", customer_po_number=form.customer_po_number.data or "",
        requested_ship_date=form.requested_ship_date.data, ship_to_address=form.ship_to_address.data or "",
        ship_via=form.ship_via.data or "", fob=form.fob.data or "", confirm_to=form.confirm_to.data or "",
        email=form.email.data or "", warehouse_id=form.warehouse_id.data, order_type=form.order_type.data or "O",
        notes=form.notes.data or "", margin_override=form.margin_override.data)


def _int(raw) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _attach(form: OrderForm, messages) -> list[str]:
    """Put each error beside its field; return those that belong to no field."""
    loose = []
    for m in messages:
        if m.level != "error":
            flash(m.text, "warning")
            continue
        target = None
        if m.field and m.field.startswith("lines-"):
            _, idx, name = m.field.split("-", 2)
            if idx.isdigit() and int(idx) < len(form.lines.entries):
                target = getattr(form.lines.entries[int(idx)].form, name, None)
        elif m.field and m.field in form:
            target = form[m.field]
        if target is not None:
            target.errors = [*target.errors, m.text] if isinstance(target.errors, list) else [m.text]
        else:
            loose.append(m.text + (f" ({m.plugin})" if m.plugin and m.plugin != services.PLUGIN else ""))
    return loose


def _edit(order: SalesOrder | None):
    o = services.opts()
    if request.method == "GET" and order is None:
        form = OrderForm(order_date=date.today())
    else:
        form = OrderForm(obj=order)
    form.fill_choices()
    if order is None and request.method == "GET" and form.warehouse_id.choices:
        form.warehouse_id.data = min(wid for wid, _ in form.warehouse_id.choices)  # the first warehouse made
    loose: list[str] = []
    if request.method == "POST":
        if form.validate():
            try:
                saved, warnings = services.save_order(_form_input(form), order)
                db.session.commit()
            except OrderRefused as exc:
                db.session.rollback()
                loose = _attach(form, exc.messages)
            except HookError as exc:
                db.session.rollback()
                loose = [f"Not saved: plugin '{exc.plugin}' failed: {exc.original}"]
            else:
                for m in warnings:
                    flash(m.text, "warning")
                flash(f"Saved sales order {saved.number} ({saved.status_label}).", "success")
                return redirect(url_for(".view", order_id=saved.id))
        else:
            loose = ["Please correct the fields marked below."]
        if order is not None:
            order = db.session.get(SalesOrder, order.id)
    template_line = LineForm(prefix="lines-999")
    template_line.item_id.choices = form.choice_sets["item"]
    template_line.vendor_id.choices = form.choice_sets["vendor"]
    template_line.warehouse_id.choices = form.choice_sets["warehouse"]
    status = 422 if request.method == "POST" else 200
    return render_template("sales_order/form.html", form=form, order=order, loose=loose, opts=o,
                           template_line=template_line), status


@bp.route("/new", methods=["GET", "POST"])
@require(*WRITERS)
def new():
    return _edit(None)


def _get(order_id: int, lock: bool = False) -> SalesOrder:
    order = services.lock_order(order_id) if lock else db.session.get(SalesOrder, order_id)
    if order is None:
        abort(404)
    return order


@bp.route("/<int:order_id>/edit", methods=["GET", "POST"])
@require(*WRITERS)
def edit(order_id: int):
    order = _get(order_id, lock=request.method == "POST")
    if order.status in ("9", "*"):
        flash(f"Order {order.number} is {order.status_label.lower()} and cannot be changed.", "error")
        return redirect(url_for(".view", order_id=order.id))
    return _edit(order)


@bp.route("/<int:order_id>")
@require()
def view(order_id: int):
    order = db.session.scalars(
        sa.select(SalesOrder).where(SalesOrder.id == order_id)
        .options(joinedload(SalesOrder.customer), joinedload(SalesOrder.warehouse),
                 selectinload(SalesOrder.lines).joinedload(SalesOrderLine.item),
                 selectinload(SalesOrder.lines).joinedload(SalesOrderLine.vendor),
                 selectinload(SalesOrder.invoices).selectinload(SalesInvoice.lines))).one_or_none()
    if order is None:
        abort(404)
    return render_template("sales_order/view.html", order=order, opts=services.opts(), credit_roles=CREDIT_ROLES)


def _action(order_id: int, fn, done: str):
    order = _get(order_id, lock=True)
    try:
        warnings = fn(order) or []
        db.session.commit()
    except OrderRefused as exc:
        db.session.rollback()
        for m in exc.messages:
            flash(m.text, "error")
    except HookError as exc:
        db.session.rollback()
        flash(f"Nothing was changed: plugin '{exc.plugin}' failed: {exc.original}", "error")
    else:
        for m in warnings:
            flash(m.text, "warning")
        if not warnings:
            flash(done.format(number=order.number), "success")
    return redirect(url_for(".view", order_id=order_id))


@bp.route("/<int:order_id>/cancel", methods=["POST"])
@require(*WRITERS)
def cancel(order_id: int):
    return _action(order_id, services.cancel_order, "Order {number} cancelled.")


@bp.route("/<int:order_id>/complete", methods=["POST"])
@require(*WRITERS)
def complete(order_id: int):
    return _action(order_id, services.complete_order, "Order {number} set to complete.")


@bp.route("/<int:order_id>/to-warehouse", methods=["POST"])
@require(*WRITERS)
def to_warehouse(order_id: int):
    return _action(order_id, services.to_warehouse, "Order {number} is in the warehouse (status 4).")


@bp.route("/<int:order_id>/release", methods=["POST"])
@require(*WRITERS)
def release(order_id: int):
    return _action(order_id, services.release_for_invoicing, "Order {number} is ready to invoice (status 8).")


@bp.route("/<int:order_id>/authorise", methods=["POST"])
@require(*CREDIT_ROLES)
def authorise(order_id: int):
    return _action(order_id, lambda o: services.authorise(o, current_user.id),
                   "Credit authorised: order {number} is released from suspense.")


@bp.route("/<int:order_id>/ship", methods=["GET", "POST"])
@require(*WRITERS)
def ship(order_id: int):
    order = _get(order_id, lock=request.method == "POST")
    form = ShipForm()
    errors: dict[str, str] = {}
    loose: list[str] = []
    typed = {}
    if form.validate_on_submit():
        quantities = {}
        for line in order.lines:
            raw = request.form.get(f"ship-{line.id}", "")
            typed[line.id] = raw
            value = decimal_or_none(raw)
            if value == "invalid":
                errors[f"ship-{line.id}"] = "Enter a number."
            elif value is not None:
                quantities[line.id] = value
        if not errors:
            try:
                invoice = services.ship_order(order, quantities, user_id=current_user.id)
                db.session.commit()
            except OrderRefused as exc:
                db.session.rollback()
                for m in exc.messages:
                    if m.field:
                        errors[m.field] = m.text
                    else:
                        loose.append(m.text)
            except HookError as exc:
                db.session.rollback()
                loose.append(f"Nothing was shipped: plugin '{exc.plugin}' failed: {exc.original}")
            else:
                flash(f"Shipped: invoice {invoice.number} for {invoice.total:,.2f}. Order {order.number} is now "
                      f"{order.status_label.lower()}.", "success")
                return redirect(url_for(".view", order_id=order.id))
        order = _get(order_id)
    elif request.method == "POST":
        loose.append("The form expired; try again.")
    return render_template("sales_order/ship.html", order=order, form=form, errors=errors, loose=loose,
                           typed=typed), (422 if request.method == "POST" else 200)


# -- back orders -----------------------------------------------------------------------------------


def _backorder_page(errors=None, loose=None, typed=None, status=200):
    lines = list(db.session.scalars(services.backorder_lines_stmt()))
    avail = stock.available_many({(line.item_id, line.warehouse_id) for line in lines})
    forward = db.session.scalar(sa.select(sa.func.count()).select_from(SalesOrder).where(SalesOrder.status == "F"))
    return render_template("sales_order/backorders.html", lines=lines, avail=avail, form=ReleaseForm(),
                           errors=errors or {}, loose=loose or [], typed=typed or {}, forward=forward,
                           zero=ZERO), status


@bp.route("/back-orders")
@require()
def backorders():
    return _backorder_page()


@bp.route("/back-orders/release", methods=["POST"])
@require(*WRITERS)
def backorders_release():
    form = ReleaseForm()
    if not form.validate_on_submit():
        abort(400)
    errors, typed, wanted = {}, {}, {}
    for key, raw in request.form.items():
        if not key.startswith("release-") or not key[8:].isdigit():
            continue
        typed[int(key[8:])] = raw
        value = decimal_or_none(raw)
        if value == "invalid":
            errors[key] = "Enter a number."
        elif value:
            wanted[int(key[8:])] = value
    if not wanted and not errors:
        return _backorder_page(loose=["Enter a quantity to release on at least one line."], status=422)
    done = []
    if not errors:
        try:
            for line_id, qty in sorted(wanted.items()):
                line = db.session.get(SalesOrderLine, line_id)
                if line is None:
                    continue
                services.lock_order(line.order_id)
                services.release_backorder(line, qty)
                done.append(f"{line.order.number}/{line.line_no}")
            db.session.commit()
        except OrderRefused as exc:
            db.session.rollback()
            errors.update({m.field or "": m.text for m in exc.messages})
    if errors:
        return _backorder_page(errors=errors, typed=typed, loose=[errors.pop("", "")] if "" in errors else [],
                               status=422)
    flash(f"Released {len(done)} back-ordered line(s): {', '.join(done)}.", "success")
    return redirect(url_for(".backorders"))


@bp.route("/back-orders/allocate-scheduled", methods=["POST"])
@require(*WRITERS)
def allocate_scheduled():
    done = services.allocate_scheduled()
    db.session.commit()
    flash(f"Allocated {len(done)} scheduled order(s).", "success")
    return redirect(url_for(".backorders"))


@bp.route("/purge", methods=["POST"])
@require("admin")
def purge():
    result = services.purge()
    db.session.commit()
    flash(result.summary(), "success")
    return redirect(url_for(".index"))
