"""Pages: back orders to allocate (skipped lines), assign a line by hand; panels on the sales order, purchase order and receipt pages. Views stay thin."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from markupsafe import Markup

from core.auth import require
from core.db import Quantity, db
from core.errors import ValidationError
from core.parsing import ParseError, parse_decimal, parse_id
from core.plugins import Panel, host_of
from plugins.sales_order.models import SalesOrderLine

from . import services

bp = Blueprint("po_allocation", __name__, template_folder="templates", url_prefix="/po-allocation")
CLERKS = ("purchasing", "sales")
MAX_ID = 2**31 - 1  # ids are INTEGER columns: PostgreSQL refuses a larger literal with an error


def _record_id(raw: object) -> int | None:
    value = parse_id(raw)
    return value if value is not None and value <= MAX_ID else None


# -- panels on other plugins' pages ------------------------------------------------------------------


def panels_for(page: str, obj) -> list[Panel]:
    if obj is None or getattr(obj, "id", None) is None:
        return []
    if page == "sales_order.view":
        rows = services.link_rows(services.PaLink.so_id == obj.id)
        fills = services.fill_rows(services.PaFill.so_id == obj.id)
        html = render_template("po_allocation/_so_panel.html", rows=rows, fills=fills, order=obj)
        return [Panel("Back orders allocated to purchase orders", Markup(html), order=55)]
    if page == "purchase_order.view":
        rows = services.link_rows(services.PaLink.po_id == obj.id)
        if not rows:
            return []
        fills = services.fill_rows(services.PaFill.po_id == obj.id)
        return [Panel("Sales orders waiting for this order",
                      Markup(render_template("po_allocation/_po_panel.html", rows=rows, fills=fills)), order=55)]
    if page == "purchase_order.receipt":
        fills = services.fill_rows(services.PaFill.receipt_id == obj.id)
        return [Panel("Back orders filled", Markup(render_template("po_allocation/_receipt_panel.html", r=obj,
                                                                   fills=fills)), order=55)]
    return []


# -- skipped lines and manual assignment -----------------------------------------------------------------


@bp.route("/skipped")
@require()
def skipped():
    rows = services.skipped_lines()
    host = host_of(current_app)
    pogen = "po_generation.generate" in current_app.view_functions and host.is_enabled("po_generation")
    return render_template("po_allocation/skipped.html", rows=rows, pogen=pogen)


def _wanted(form, errors: list) -> dict[int, Decimal]:
    wanted: dict[int, Decimal] = {}
    for key, raw in form.items():
        if not key.startswith("qty-") or not (raw or "").strip():
            continue
        po_line_id = _record_id(key[4:])
        if po_line_id is None:
            errors.append((None, "A PO line on the form does not exist (reload the page)."))
            continue
        try:
            wanted[po_line_id] = parse_decimal(raw, Quantity)
        except ParseError as exc:
            errors.append((key, str(exc)))
        except InvalidOperation:  # core.parsing: more digits than the decimal context (reported)
            errors.append((key, "Enter a number like 12 or 12.50."))
    return wanted


@bp.route("/assign/<int:so_line_id>", methods=["GET", "POST"])
@require(*CLERKS)
def assign(so_line_id: int):
    line = db.session.get(SalesOrderLine, so_line_id) if _record_id(str(so_line_id)) else None
    if line is None:
        abort(404)
    errors: list[tuple[str | None, str]] = []
    typed = dict(request.form) if request.method == "POST" else {}
    if request.method == "POST":
        wanted = _wanted(request.form, errors)
        if not errors:
            try:
                links = services.assign_line(so_line_id, wanted)
                flash(f"Line {line.line_no} of SO {line.order.number}: {len(links)} PO line(s) assigned.", "success")
                return redirect(url_for("sales_order.view", order_id=line.order_id))
            except ValidationError as exc:
                errors = list(exc.errors)
    view = services.assignment_view(line)
    shown = {f"qty-{c['po_line_id']}" for c in view.candidates}
    field_errors = {f: m for f, m in errors if f in shown}
    loose = [m for f, m in errors if f not in shown]  # no field on the page to show it beside
    status = 422 if errors else 200
    return render_template("po_allocation/assign.html", line=line, view=view, typed=typed,
                           field_errors=field_errors, loose=loose), status
