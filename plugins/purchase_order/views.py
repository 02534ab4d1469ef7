"""Purchase-order pages. Thin: load the arguments, check access, call a service.

The host commits once after a successful request and rolls back otherwise
(:mod:`core.lifecycle`); a refused service call runs in a savepoint (:func:`_attempt`)
so the page it re-shows reads the state from before the attempt.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from core import activity, lists
from core.auth import require
from core.db import db
from core.errors import ValidationError
from core.forms import build_form
from core.lifecycle import attach_errors, rollback_request
from core.parsing import parse_id
from core.web import actions as page_actions
from core.web import paginate

from . import services as svc
from .common import CLOSED_STATUSES, deleted_reason_required
from .forms import (
    CodeForm,
    LineStatusForm,
    PurchaseOrderForm,
    ReasonForm,
    line_status_choices,
    parse_lines,
    raw_lines,
    reason_choices,
    rows_from_po,
)
from .marks import line_marks
from .models import STATUS_LABELS, CancelReasonCode, PoLineStatus, PurchaseOrder, Receipt
from .options import options
from .services import codes, queries

bp = Blueprint("purchase_order", __name__, template_folder="templates")

PURCHASING = ("purchasing",)  # who may change purchase orders (administrators always may)
T = TypeVar("T")
_LINE_FIELD = re.compile(r"^lines-(\d+)-(\w+)$")


def _uid() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _get_po(po_id: int) -> PurchaseOrder:
    return activity.document_or_404(queries.load_po(po_id), "purchase_order", po_id, "Purchase order")


def _po_form_routes(argument: str, routes: dict[str, tuple[str, str]]) -> Callable[[T], T]:
    """One buyer's form view for several PO pages: URL part -> (endpoint, value of ``argument``)."""

    def register(view: T) -> T:
        for part, (endpoint, value) in routes.items():
            page = require(*PURCHASING)(functools.partial(view, **{argument: value}))
            bp.add_url_rule(f"/purchase-orders/<int:po_id>/{part}", endpoint, page, methods=["GET", "POST"])
        return view

    return register


def _attempt(service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``service`` in a savepoint: when it raises, what it did is undone at once."""
    with db.session.begin_nested():
        return service(*args, **kwargs)


def _split(exc: ValidationError) -> tuple[dict[str, str], list[str]]:
    """(messages by field, messages naming no field) of a refusal, for pages without a WTForm."""
    fields: dict[str, str] = {}
    loose: list[str] = []
    for name, message in exc.errors:
        if name:
            fields[name] = message
        else:
            loose.append(message)
    return fields, loose


# -- list -------------------------------------------------------------------------------------


@bp.route("/purchase-orders")
@require()
def index():
    f = {k: request.args.get(k, "").strip() for k in queries.PO_FILTERS}
    stmt, sorting = lists.sorted_by(queries.po_list(f), queries.PO_SORTS, "entered")
    if lists.wants_csv():
        return lists.csv_response("purchase-orders.csv", queries.PO_CSV_HEADER,
                                  lists.export_rows(stmt, queries.po_csv_row))
    page = paginate(stmt)
    return render_template("purchase_order/index.html", page=page, f=f, sorting=sorting,
                           page_total=sum(po.total for po in page.items),
                           totals=lists.totals(stmt, {"total": queries.listed_total}, PurchaseOrder.id, page.pages),
                           statuses=STATUS_LABELS)


# -- entry ------------------------------------------------------------------------------------


_TYPED = {"vendor_id": "vendor_code", "customer_id": "customer_code"}  # the services' names, the page's fields


def _beside_fields(form: PurchaseOrderForm, errors: list[tuple[str | None, str]]) -> list[str]:
    """Each message beside its field (a vendor's or customer's beside the number typed for it,
    one message a field); the messages of no field are returned."""
    shown: dict[str, tuple[str | None, str]] = {}
    for name, message in errors:
        field = _TYPED.get(name or "", name)
        shown.setdefault(field or message, (field, message))
    return attach_errors(form, ValidationError.many(list(shown.values()))) if shown else []


def _entry_errors(form: PurchaseOrderForm, exc: ValidationError) -> tuple[dict[tuple[int, str], str], list[str]]:
    """Line messages keyed (row, field) for the lines table; the others beside the form's fields."""
    lines: dict[tuple[int, str], str] = {}
    other: list[tuple[str | None, str]] = []
    for name, message in exc.errors:
        m = _LINE_FIELD.match(name or "")
        if m:
            lines[(int(m.group(1)), m.group(2))] = message
        else:
            other.append((name, message))
    return lines, _beside_fields(form, other)


def _render_entry(po: PurchaseOrder | None, form: PurchaseOrderForm, rows: list[dict], line_errors: dict,
                  loose: list[str], prompt_lines: bool, status: int = 200):
    form.show_numbers()
    return render_template("purchase_order/form.html", po=po, form=form, rows=rows, line_errors=line_errors,
                           marks=line_marks(po),
                           top_error=" ".join(loose) or None, statuses=line_status_choices(),
                           prompt_lines=prompt_lines and po is not None), status


def _save_entry(po: PurchaseOrder | None, form: PurchaseOrderForm):
    rows = raw_lines(request.form)
    existing = {ln.id: ln for ln in po.lines} if po else {}
    for r in rows:
        r["line"] = existing.get(parse_id(r["id"]))
    line_errors: dict[tuple[int, str], str] = {}
    loose: list[str] = []
    prompt = deleted_reason_required("line")
    try:
        lines, line_errors = parse_lines(rows, set(existing))
        valid = form.validate()
        refused = form.resolve_partners(request.form)  # after validate(), which clears the fields' errors
        if valid and not line_errors and not refused:
            saved = _attempt(svc.save_purchase_order, po, vendor_id=form.vendor_id.data,
                             order_type=form.order_type.data, header=form.header(), lines=lines,
                             number=form.number.data, line_reason_code=form.line_reason_code.data, user_id=_uid(),
                             form_data={name: form[name].data for name in form.extra_field_names})
            flash(f"Purchase order {saved.number} saved.", "success")
            return redirect(url_for(".view", po_id=saved.id))
        # typing errors: the header's own rules are shown now too, not after those are fixed
        header = svc.header_problems(form.vendor_id.data, form.order_type.data, form.header())
        loose = _beside_fields(form, refused + header)
    except ValidationError as exc:
        more, loose = _entry_errors(form, exc)
        line_errors.update(more)
        prompt = prompt or any(name == "line_reason_code" for name, _ in exc.errors)
    return _render_entry(po, form, rows, line_errors, loose, prompt, 422)


def _entry(po: PurchaseOrder | None):
    if po is not None and po.status in CLOSED_STATUSES:
        flash(f"A {po.status_label.lower()} purchase order cannot be changed.", "error")
        return redirect(url_for(".view", po_id=po.id))
    form = build_form("purchase_order", PurchaseOrderForm, obj=po)  # plugins may add fields
    form.fill_choices()
    if request.method == "POST":
        return _save_entry(po, form)
    return _render_entry(po, form, rows_from_po(po), {}, [], deleted_reason_required("line"))


@bp.route("/purchase-orders/new", methods=["GET", "POST"])
@require(*PURCHASING)
def new():
    return _entry(None)


@bp.route("/purchase-orders/<int:po_id>/edit", methods=["GET", "POST"])
@require(*PURCHASING)
def edit(po_id: int):
    return _entry(_get_po(po_id))


# -- view, send, print, close ---------------------------------------------------------------------


@bp.route("/purchase-orders/<int:po_id>")
@require()
def view(po_id: int):
    po = _get_po(po_id)
    return render_template("purchase_order/view.html", po=po, marks=line_marks(po), receipts=queries.receipts_of(po),
                           returns=queries.returns_of(po), history=queries.history_of(po))


def button(action: Callable[[], Any], done: str, back: str, **words: Any):
    """A button's POST: do ``action`` (in a savepoint) and flash ``done`` (``{result}`` is what it
    returned, plus ``words``), or flash why not; back to ``back`` either way."""
    try:
        result = _attempt(action)
        flash(done.format(result=result, **words), "success")
    except ValidationError as exc:
        flash(str(exc), "error")
    return redirect(back)


def _act(po_id: int, service: Callable[[PurchaseOrder], Any], done: str):
    """A button on the PO page."""
    po = _get_po(po_id)
    return button(lambda: service(po), done, url_for(".view", po_id=po_id), number=po.number)


@bp.route("/purchase-orders/<int:po_id>/send", methods=["POST"])
@require(*PURCHASING)
def send(po_id: int):
    return _act(po_id, lambda po: svc.send_purchase_order(po, user_id=_uid()),
                "Purchase order {number} marked sent to the vendor. Print it from the printable page.")


@bp.route("/purchase-orders/<int:po_id>/close", methods=["POST"])
@require(*PURCHASING)
def close(po_id: int):
    return _act(po_id, svc.close_purchase_order, "Purchase order {number} closed.")


@bp.route("/purchase-orders/<int:po_id>/print")
@require()
def print_po(po_id: int):
    from .print_views import after_quick_print

    # absolute endpoints: email_templates renders this view for the PDF from its own blueprint
    after = after_quick_print(options.redisplay_po, url_for("purchase_order.view", po_id=po_id),
                              url_for("purchase_order.index"))
    return render_template("purchase_order/print.html", po=_get_po(po_id), after_print=after)


@bp.route("/purchase-orders/<int:po_id>/exceptions/<int:exc_id>/resolve", methods=["POST"])
@require(*PURCHASING)
def resolve_exception(po_id: int, exc_id: int):
    if not codes.resolve_exception(po_id, exc_id):
        abort(404)
    return redirect(url_for(".view", po_id=po_id))


# -- cancel and delete -----------------------------------------------------------------------------


@_po_form_routes("action", {"cancel": ("cancel", "cancel"), "delete": ("delete", "delete")})
def cancel_or_delete(po_id: int, action: str):
    po = _get_po(po_id)
    form = ReasonForm()
    form.reason_code.choices = reason_choices()
    required = deleted_reason_required("order")
    error = None
    if request.method == "POST":
        try:
            if action == "cancel":
                _attempt(svc.cancel_purchase_order, po, reason_code=form.reason_code.data, user_id=_uid())
                flash(f"Purchase order {po.number} cancelled.", "success")
                return redirect(url_for(".view", po_id=po_id))
            number = _attempt(svc.delete_purchase_order, po, reason_code=form.reason_code.data, user_id=_uid(),
                              require_reason=required)
            flash(f"Purchase order {number} deleted.", "success")
            return redirect(url_for(".index"))
        except ValidationError as exc:
            error = " ".join(attach_errors(form, exc)) or None
        return render_template("purchase_order/cancel.html", po=_get_po(po_id), form=form, action=action,
                               required=required, error=error), 422
    return render_template("purchase_order/cancel.html", po=po, form=form, action=action, required=required,
                           error=error)


# -- receipts and returns ------------------------------------------------------------------------------


def _post_goods(po: PurchaseOrder, kind: str) -> svc.Posted:
    form = request.form
    quantities = {ln.id: form.get(f"qty_{ln.id}", "") for ln in po.lines}
    if kind == "receipt":
        return svc.post_receipt(po.id, quantities, comment=form.get("comment", ""),
                                line_comments={ln.id: form.get(f"comment_{ln.id}", "") for ln in po.lines},
                                comment_lines=form.get("comment_lines", "").splitlines(), user_id=_uid())
    return svc.post_return(po.id, quantities, comment=form.get("comment", ""), user_id=_uid())


def _posted_message(kind: str, posted: svc.Posted) -> str:
    msg = f"{'Receipt' if kind == 'receipt' else 'Return'} {posted.document.number} posted."
    if posted.closed_lines:
        msg += " Closed within the receipt variance: line " + ", ".join(map(str, posted.closed_lines)) + "."
    if kind == "receipt":  # the confirmation links the receipt and what plugins offer for it (fill report)
        links = [(url_for(".receipt", receipt_id=posted.document.id), "What it released"),
                 (url_for(".fill_report", receipt=posted.document.number), "Back order fill report")]
        links += [(a.url, a.label) for a in page_actions("purchase_order.receipt", posted.document) if a.method == "get"]
        return escape(msg) + Markup(" ") + Markup(" · ").join(
            Markup('<a href="{}">{}</a>').format(url, label) for url, label in links)
    return msg


@_po_form_routes("kind", {"receive": ("receive", "receipt"), "return": ("return_goods", "return")})
def goods(po_id: int, kind: str):
    po = _get_po(po_id)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    loose: list[str] = []
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k.startswith(("qty_", "comment", "batch"))}
        try:
            if options.batch_entry:  # entered into a batch, posted with it later
                from .batch_views import add_to_batch

                batch = _attempt(add_to_batch, po, kind)
                flash(f"Added to batch {batch.number}; it posts when the batch is posted.", "success")
                return redirect(url_for(".batch_view", batch_id=batch.id))
            posted = _attempt(_post_goods, po, kind)
            flash(_posted_message(kind, posted), "success")
            if kind == "return" and options.print_return_orders:
                return redirect(url_for(".return_order", return_id=posted.document.id))
            return redirect(url_for(".view", po_id=po_id))
        except ValidationError as exc:
            errors, loose = _split(exc)
        po = _get_po(po_id)
    elif po.status == "cancelled":
        flash("A cancelled purchase order cannot be received.", "error")
        return redirect(url_for(".view", po_id=po_id))
    return render_template("purchase_order/goods.html", po=po, kind=kind, errors=errors, values=values,
                           error=" ".join(loose) or None, allow_exceed=options.allow_exceed,
                           batches=_open_batches(kind)), 422 if request.method == "POST" else 200


def _open_batches(kind: str) -> list | None:
    """The open batches the form offers when batch entry is on (None: it posts at once)."""
    from .services.batches import open_batches

    return open_batches(kind) if options.batch_entry else None


@bp.route("/purchase-orders/deleted")
@require()
def deleted_orders():
    """Deleted and cancelled purchase orders with their reason codes (the recap kept in history)."""
    a = request.args
    f = queries.RecapFilter(**{k: a.get(k, "").strip() for k in ("q", "kind", "vendor", "reason", "date_from",
                                                                     "date_to")})
    return render_template("purchase_order/deleted.html", page=paginate(queries.recap_list(f)), f=f,
                           kinds=queries.HISTORY_KINDS,
                           reasons={r.code: r.description for r in codes.code_rows(CancelReasonCode)})


@bp.route("/receipts")
@require()
def receipts():
    q = request.args.get("q", "").strip()
    po_number = request.args.get("po", "").strip()
    if po_number:
        po_id = queries.po_id_by_number(po_number)
        if po_id is not None:
            return redirect(url_for(".receive", po_id=po_id))
        flash(f"No purchase order {po_number}.", "error")
    stmt, sorting = lists.sorted_by(queries.receipt_list(q), queries.RECEIPT_SORTS, "entered", tiebreak=Receipt.id)
    if lists.wants_csv():
        return lists.csv_response("receipts.csv", queries.RECEIPT_CSV_HEADER,
                                  lists.export_rows(stmt, queries.receipt_csv_row))
    return render_template("purchase_order/receipts.html", page=paginate(stmt), q=q, sorting=sorting,
                           open_pos=queries.open_pos_to_receive())


@bp.route("/receipts/<int:receipt_id>")
@require()
def receipt(receipt_id: int):
    r = queries.load_receipt(receipt_id)
    if r is None:
        abort(404)
    return render_template("purchase_order/receipt.html", r=r)


# -- purchase history and period end ---------------------------------------------------------------


@bp.route("/purchase-history")
@require()
def purchase_history():
    a = request.args
    f = queries.HistoryFilter(item=a.get("item", "").strip(), vendor=a.get("vendor", ""), year=a.get("year", ""))
    return render_template("purchase_order/purchase_history.html", page=paginate(queries.purchase_history_list(f)),
                           item=f.item, vendor=f.vendor, year=f.year)


@bp.route("/purchasing/period-end", methods=["GET", "POST"])
@require(*PURCHASING)
def period_end():
    from .period_end import run_period_end

    if request.method == "POST":
        try:
            result = _attempt(run_period_end, user_id=_uid())
            flash("Period end done: " + result.summary(), "success")
        except ValidationError as exc:
            flash(str(exc), "error")
        return redirect(url_for(".period_end"))
    preview = run_period_end(dry_run=True)
    rollback_request()  # a preview changes nothing
    return render_template("purchase_order/period_end.html", preview=preview, o=options.current())


# -- system data: line statuses and cancel/reason codes ------------------------------------------------


CODE_TABLES = {
    "line_statuses": (PoLineStatus, LineStatusForm, "PO line statuses",
                      "Statuses a purchase order line can carry (code and description; with email templates "
                      "enabled, the email a status sends)."),
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
            codes.delete_code(row)
            flash(f"{row.code} deleted.", "success")
            return redirect(url_for(f".{kind}"))
        if form.validate():
            own = {f.name: f.data for f in form
                   if f.name != "csrf_token" and f.name not in getattr(form, "extra_field_names", ())}
            try:
                saved = _attempt(codes.save_code, model, row, own, form.data)
                flash(f"{saved.code} saved.", "success")
                return redirect(url_for(f".{kind}"))
            except ValidationError as exc:
                attach_errors(form, exc)
        status = 422
    return render_template("purchase_order/codes.html", kind=kind, rows=codes.code_rows(model), form=form, row=row,
                           title=title, intro=intro), status


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


# the batch and printed-document pages add their routes to this blueprint
from . import batch_views, fill_views, print_views  # noqa: E402, F401  (they import bp from here)
