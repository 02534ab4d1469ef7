"""Back orders ready to release: what receipts (manual release) or entry (*Default ship
status*: reserve) reserved for order lines, waiting for a clerk to put it to ship. The
list page and the order page's button call one service, ``release_backorders(ready=True)``."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from core.auth import require
from core.db import db
from core.errors import ValidationError
from core.lifecycle import rollback_request
from core.parsing import has_nul

from . import WRITERS, queries, services
from .forms import ReleaseForm, line_quantities
from .models import SalesOrderLine

bp = Blueprint("sales_order_ready", __name__, template_folder="templates", url_prefix="/sales-orders/ready")
QTY = SalesOrderLine.__table__.c.qty_reserved.type


def _filters(args) -> dict[str, str]:
    values = {k: (args.get(k) or "").strip()[:60] for k in queries.READY_FILTERS}
    return {k: ("" if has_nul(v) else v) for k, v in values.items()}


def _page(f: dict[str, str], errors=None, loose=None, typed=None, status=200):
    lines = list(db.session.scalars(queries.ready_lines_stmt(f)))
    return render_template("sales_order/ready.html", lines=lines, f=f, form=ReleaseForm(), errors=errors or {},
                           loose=loose or [], typed=typed or {}), status


def _release(wanted):
    try:
        done = services.release_backorders(wanted, ready=True)
    except ValidationError as exc:
        rollback_request()  # shown again with the refusal; nothing of the release is kept
        errors = {k: m for k, m in exc.errors if k}
        return None, errors, [m for k, m in exc.errors if not k]
    flash(f"Released {len(done)} line(s) to ship: {', '.join(done)}." if done else "Nothing was released.",
          "success" if done else "warning")
    for text in done.warnings:
        flash(text, "warning")
    return done, {}, []


@bp.route("")
@require()
def index():
    return _page(_filters(request.args))


@bp.route("/release", methods=["POST"])
@require(*WRITERS)
def release():
    if not ReleaseForm().validate_on_submit():
        abort(400)
    f = _filters(request.form)
    wanted, errors, typed = line_quantities(request.form, "release-", QTY)
    if not wanted and not errors:
        return _page(f, loose=["Enter a quantity to release on at least one line."], status=422)
    if errors:
        return _page(f, errors=errors, typed=typed, status=422)
    done, errors, loose = _release(wanted)
    if done is None:
        return _page(f, errors=errors, loose=loose, typed=typed, status=422)
    return redirect(url_for(".index", **{k: v for k, v in f.items() if v}))


@bp.route("/order/<int:order_id>", methods=["POST"])
@require(*WRITERS)
def release_order(order_id: int):
    """The order page's button: release everything reserved on the order."""
    if not ReleaseForm().validate_on_submit():
        abort(400)
    order = queries.get_order(order_id)
    if order is None:
        abort(404)
    wanted = {line.id: line.qty_reserved for line in order.lines if (line.qty_reserved or 0) > 0}
    if not wanted:
        flash(f"Nothing is ready to release on order {order.number}.", "warning")
    else:
        done, errors, loose = _release(wanted)
        for text in ([*errors.values(), *loose] if done is None else []):
            flash(text, "error")
    return redirect(url_for("sales_order.view", order_id=order_id))
