"""Sales order pages: each view loads its arguments, checks access, calls a service and renders.

Views never commit or roll back: :mod:`core.lifecycle` does it once per request. A
refusal (:class:`core.errors.ValidationError`) is put beside its fields and the page is
shown again with what was typed (status 422, rolled back).
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from core import activity, lists, stock
from core.auth import require, user_can
from core.db import ZERO, db
from core.errors import ValidationError
from core.lifecycle import attach_errors, rollback_request
from core.parsing import parse_date, parse_id
from core.web import paginate

from . import CREDIT_ROLES, PURGERS, WRITERS, entry, options, queries, services
from .forms import LineForm, OrderForm, ReleaseForm, ShipForm, line_quantities, prepare_line
from .models import DONE_STATUSES, STATUSES, SalesOrder, SalesOrderLine
from .rules import MAX_LINES
from .supply import PAGE as SUPPLY_PAGE
from .supply import short_lines

bp = Blueprint("sales_order", __name__, template_folder="templates", static_folder="static",
               url_prefix="/sales-orders")
QTY = SalesOrderLine.__table__.c.qty_shipped.type


# -- list --------------------------------------------------------------------------------------


@bp.route("")
@require()
def index():
    f = queries.list_filters(request.args)
    stmt, sorting = lists.sorted_by(queries.list_statement(f), queries.SORTS, "date", tiebreak=SalesOrder.id)
    if lists.wants_csv():
        return lists.csv_response("sales-orders.csv", queries.CSV_HEADER, lists.export_rows(stmt, queries.csv_row))
    page = paginate(stmt)
    order_totals = queries.list_totals(page.items)
    return render_template("sales_order/index.html", page=page, f=f, sorting=sorting, statuses=STATUSES,
                           order_totals=order_totals, page_total=sum(order_totals.values()),
                           totals=lists.totals(stmt, {"total": queries.listed_total}, SalesOrder.id, page.pages))


# -- entry -------------------------------------------------------------------------------------


def _form_input(form: OrderForm) -> services.OrderInput:
    lines = []
    for i, row in enumerate(form.lines.entries):
        lf = row.form
        if lf.is_blank:
            continue
        lines.append(services.LineInput(
            item_id=lf.item_id.data, qty_ordered=lf.qty_ordered.data, id=parse_id(lf.id.data),
            description=lf.description.data or "", alias_item_code=(lf.alias_item_code.data or "").strip(),
            unit_price=lf.unit_price.data, discount_pct=lf.discount_pct.data,
            promise_date=lf.promise_date.data, warehouse_id=lf.warehouse_id.data,
            drop_ship=lf.drop_ship.data if lf.id.data or lf.drop_ship.data else None,
            vendor_id=lf.vendor_id.data, index=i))
    return services.OrderInput(
        customer_id=form.customer_id.data, lines=lines, order_date=form.order_date.data,
        number=form.number.data or "", customer_po_number=form.customer_po_number.data or "",
        requested_ship_date=form.requested_ship_date.data, ship_to_address=form.ship_to_address.data or "",
        ship_via=form.ship_via.data or "", fob=form.fob.data or "", confirm_to=form.confirm_to.data or "",
        email=form.email.data or "", warehouse_id=form.warehouse_id.data, order_type=form.order_type.data or "O",
        notes=form.notes.data or "", margin_override=form.margin_override.data,
        reason_code=form.reason_code.data or "", invoice_discount_pct=form.invoice_discount_pct.data)


def _new_form(order: SalesOrder | None) -> OrderForm:
    form = OrderForm(order_date=date.today()) if request.method == "GET" and order is None else OrderForm(obj=order)
    form.fill_choices(options.price_decimals)
    if order is None and request.method == "GET" and form.warehouse_id.choices:
        form.warehouse_id.data = min(wid for wid, _ in form.warehouse_id.choices)  # the first warehouse made
    return form


def _edit(order: SalesOrder | None):
    form = _new_form(order)
    # what the heading shows, taken before the save changes the order in memory
    heading = order and SimpleNamespace(id=order.id, number=order.number, status_label=order.status_label)
    loose: list[str] = []
    if request.method == "GET":
        names = entry.fill_codes(form, order, form.warehouse_id.data) if order is not None else entry.Names()
        return _render_form(form, heading, loose, names)
    code_errors, names = entry.resolve_codes(form)  # typed codes to ids; a code naming nothing is refused
    valid = form.validate()  # first: validating resets the fields' errors
    if code_errors:
        attach_errors(form, ValidationError.many(code_errors))
    if not valid or code_errors:
        loose = ["Please correct the fields marked below."]
    else:
        try:
            saved, warnings = services.save_order(_form_input(form), order)
        except ValidationError as exc:
            loose = attach_errors(form, exc)
        else:
            for text in warnings:
                flash(text, "warning")
            flash(f"Saved sales order {saved.number} ({saved.status_label}).", "success")
            if saved.supply_due:
                return redirect(url_for(".supply", order_id=saved.id))
            return redirect(url_for(".view", order_id=saved.id))
    return _render_form(form, heading, loose, names)


def _render_form(form: OrderForm, heading, loose: list[str], names: entry.Names):
    opts = options.current()
    template_line = LineForm(prefix="lines-999")
    prepare_line(template_line, form.choice_sets["warehouse"], opts["price_decimals"])
    status = 422 if request.method == "POST" else 200
    # a refused save leaves half-built lines in the session: nothing may flush them while the page renders
    with db.session.no_autoflush:
        return render_template("sales_order/form.html", form=form, order=heading, loose=loose, opts=opts,
                               template_line=template_line, max_lines=MAX_LINES, names=names), status


@bp.route("/lookup/customers")
@require(*WRITERS)
def lookup_customers():
    """Type-ahead: customers whose number or name begins with ``q``, with what choosing one fills."""
    return jsonify(results=entry.customer_rows(request.args.get("q", "")))


@bp.route("/lookup/items")
@require(*WRITERS)
def lookup_items():
    """Type-ahead: items whose code or description begins with ``q``; stock in ``warehouse``."""
    return jsonify(results=entry.item_rows(request.args.get("q", ""), parse_id(request.args.get("warehouse")),
                                           options.price_decimals))


@bp.route("/new", methods=["GET", "POST"])
@require(*WRITERS)
def new():
    return _edit(None)


def _get(order_id: int, lock: bool = False, loader=queries.get_order) -> SalesOrder:
    order = queries.lock_order(order_id) if lock else loader(order_id)
    if order is None:
        abort(404)
    return order


@bp.route("/<int:order_id>/edit", methods=["GET", "POST"])
@require(*WRITERS)
def edit(order_id: int):
    order = _get(order_id, lock=request.method == "POST", loader=queries.order_for_entry)
    if order.status in DONE_STATUSES:
        flash(f"Order {order.number} is {order.status_label.lower()} and cannot be changed.", "error")
        return redirect(url_for(".view", order_id=order.id))
    return _edit(order)


def order_for_page(order_id: int) -> SalesOrder:
    """The order a page shows; 404, or the "deleted" page naming who deleted it."""
    return activity.document_or_404(queries.order_for_page(order_id), "sales_order", order_id, "Sales order")


@bp.route("/<int:order_id>")
@require()
def view(order_id: int):
    order = order_for_page(order_id)
    return render_template("sales_order/view.html", order=order, opts=options.current(), credit_roles=CREDIT_ROLES,
                           today=date.today().isoformat())


def _action(order_id: int, fn, done: str):
    """A button on the order page: the service's refusal or warnings are flashed on the order page."""
    order = _get(order_id, lock=True)
    number = order.number
    try:
        warnings = fn(order) or []
    except ValidationError as exc:
        rollback_request()  # a redirect is a success to the lifecycle: the refusal must not be kept
        for _field, message in exc.errors:
            flash(message, "error")
    else:
        for text in warnings:
            flash(text, "warning")
        if not warnings:
            flash(done.format(number=number), "success")
    return redirect(url_for(".view", order_id=order_id))


@bp.route("/<int:order_id>/supply")
@require()
def supply(order_id: int):
    """The supply request page: the order's short lines and what other plugins offer for them."""
    order = _get(order_id)
    if options.supply_request == "never":
        flash("Supply requests are not offered (setup option Supply request in order entry).", "warning")
        return redirect(url_for(".view", order_id=order_id))
    lines = short_lines(order)
    avail = stock.available_many({(line.item_id, line.warehouse_id) for line, _short in lines})
    return render_template("sales_order/supply.html", order=order, lines=lines, avail=avail, page_name=SUPPLY_PAGE)


# The order page's plain buttons, one view each: URL part -> (service, what is flashed when done).
# The endpoint is the URL part with "_" for "-" (``sales_order.to_warehouse``).
_BUTTONS = {
    "cancel": (services.cancel_order, "Order {number} cancelled."),
    "complete": (services.complete_order, "Order {number} set to complete."),
    "to-warehouse": (services.to_warehouse, "Order {number} is in the warehouse (status 4)."),
    "suspend": (services.suspend, "Order {number} is in suspense."),
}


def _button_view(fn, done: str):
    def view(order_id: int):
        return _action(order_id, fn, done)

    return require(*WRITERS)(view)


for _path, (_fn, _done) in _BUTTONS.items():
    bp.add_url_rule(f"/<int:order_id>/{_path}", _path.replace("-", "_"), _button_view(_fn, _done), methods=["POST"])


@bp.route("/<int:order_id>/release", methods=["POST"])
@require(*WRITERS)
def release(order_id: int):
    number, when = request.form.get("invoice_number", ""), request.form.get("invoice_date", "")
    return _action(order_id, lambda o: services.release_for_invoicing(o, number, parse_date(when)),
                   "Order {number} is ready to invoice (status 8).")


@bp.route("/<int:order_id>/release-suspense", methods=["POST"])
@require(*WRITERS)
def release_suspense(order_id: int):
    authority = user_can(*CREDIT_ROLES)
    return _action(order_id, lambda o: services.release_suspense(o, current_user.id, credit_authority=authority),
                   "Order {number} is released from suspense.")


@bp.route("/<int:order_id>/authorise", methods=["POST"])
@require(*CREDIT_ROLES)
def authorise(order_id: int):
    return _action(order_id, lambda o: services.authorise(o, current_user.id),
                   "Credit authorised: order {number} is released from suspense.")


def _split(exc: ValidationError) -> tuple[dict[str, str], list[str]]:
    """A refusal on a page of quantity inputs: messages by input name, and the others."""
    by_field = {name: message for name, message in exc.errors if name}
    return by_field, [message for name, message in exc.errors if not name]


@bp.route("/<int:order_id>/ship", methods=["GET", "POST"])
@require(*WRITERS)
def ship(order_id: int):
    order = _get(order_id, lock=request.method == "POST")
    form = ShipForm()
    errors: dict[str, str] = {}
    loose: list[str] = []
    typed: dict[int, str] = {}
    if form.validate_on_submit():
        quantities, errors, typed = line_quantities(request.form, "ship-", QTY)
        if not errors:
            try:
                invoice, warnings = services.ship_order(order, quantities, user_id=current_user.id)
            except ValidationError as exc:
                errors, loose = _split(exc)
            else:
                for text in warnings:
                    flash(text, "warning")
                if invoice is not None:
                    flash(f"Shipped: invoice {invoice.number} for {invoice.total:,.2f}. Order {order.number} is "
                          f"now {order.status_label.lower()}.", "success")
                return redirect(url_for(".view", order_id=order.id))
    elif request.method == "POST":
        loose.append("The form expired; try again.")
    with db.session.no_autoflush:
        return render_template("sales_order/ship.html", order=order, form=form, errors=errors, loose=loose,
                               typed=typed), (422 if request.method == "POST" else 200)


# -- back orders -----------------------------------------------------------------------------------


def _backorder_page(errors=None, loose=None, typed=None, status=200):
    ready_only = request.args.get("ready") == "1"
    lines = queries.backorder_lines(ready_only)
    avail = stock.available_many({(line.item_id, line.warehouse_id) for line in lines})
    return render_template("sales_order/backorders.html", lines=lines, avail=avail, form=ReleaseForm(),
                           errors=errors or {}, loose=loose or [], typed=typed or {},
                           forward=queries.forward_order_count(), zero=ZERO, ready_only=ready_only), status


@bp.route("/back-orders")
@require()
def backorders():
    return _backorder_page()


@bp.route("/back-orders/release", methods=["POST"])
@require(*WRITERS)
def backorders_release():
    if not ReleaseForm().validate_on_submit():
        abort(400)
    wanted, errors, typed = line_quantities(request.form, "release-", QTY)
    if not wanted and not errors:
        return _backorder_page(loose=["Enter a quantity to release on at least one line."], status=422)
    if not errors:
        try:
            done = services.release_backorders(wanted)
        except ValidationError as exc:
            rollback_request()  # the page below is shown again; nothing of the release is kept
            errors, loose = _split(exc)
            return _backorder_page(errors=errors, typed=typed, loose=loose, status=422)
        flash(f"Released {len(done)} back-ordered line(s): {', '.join(done)}.", "success")
        for text in done.warnings:
            flash(text, "warning")
        return redirect(url_for(".backorders"))
    return _backorder_page(errors=errors, typed=typed, status=422)


@bp.route("/back-orders/allocate-scheduled", methods=["POST"])
@require(*WRITERS)
def allocate_scheduled():
    done = services.allocate_scheduled()
    flash(f"Allocated {len(done)} scheduled order(s).", "success")
    return redirect(url_for(".backorders"))


@bp.route("/purge", methods=["POST"])
@require(*PURGERS)
def purge():
    result = services.purge()
    flash(result.summary(), "success")
    return redirect(url_for(".index"))


# the printable confirmation and invoice live in their own module, on this blueprint
from . import print_views  # noqa: E402,F401
