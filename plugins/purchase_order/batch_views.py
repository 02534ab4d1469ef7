"""Pages of receipt and return batches (*Enable batch entry*): list, review, register, post.

Routes live on the plugin's one blueprint (:data:`.views.bp`); the receive and return
pages put entries into a batch through :func:`add_to_batch`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from core.auth import require
from core.errors import ValidationError
from core.parsing import parse_id
from core.web import paginate

from .models import BATCH_KINDS, GoodsBatch, PurchaseOrder
from .options import options
from .services import batches
from .views import PURCHASING, _attempt, _uid, bp, button


def _load(batch_id: int) -> GoodsBatch:
    batch = batches.load_batch(batch_id)
    if batch is None:
        abort(404)
    return batch


def add_to_batch(po: PurchaseOrder, kind: str) -> GoodsBatch:
    """The receive/return form, batch entry on: add the entry to the chosen batch (or a new one)."""
    form = request.form
    batch_id = parse_id(form.get("batch", ""))
    if batch_id is None:
        batch_id = batches.open_batch(kind, user_id=_uid()).id
    elif (chosen := batches.load_batch(batch_id)) is None or chosen.kind != kind:
        raise ValidationError("batch", "Choose an open batch of this kind.")
    batches.add_entry(batch_id, po.id, {ln.id: form.get(f"qty_{ln.id}", "") for ln in po.lines},
                      comment=form.get("comment", ""),
                      line_comments={ln.id: form.get(f"comment_{ln.id}", "") for ln in po.lines},
                      comment_lines=form.get("comment_lines", "").splitlines())
    return batches.load_batch(batch_id)


@bp.route("/goods-batches")
@require()
def batch_list():
    kind = request.args.get("kind", "")
    status = request.args.get("status", "")
    return render_template("purchase_order/batches.html", page=paginate(batches.batch_list(kind, status)),
                           kind=kind, status=status, kinds=BATCH_KINDS, enabled=options.batch_entry)


@bp.route("/goods-batches/new", methods=["POST"])
@require(*PURCHASING)
def batch_new():
    try:
        batch = _attempt(batches.open_batch, request.form.get("kind", ""), user_id=_uid(),
                         comment=request.form.get("comment", ""))
    except ValidationError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".batch_list"))
    flash(f"Batch {batch.number} opened.", "success")
    return redirect(url_for(".batch_view", batch_id=batch.id))


@bp.route("/goods-batches/<int:batch_id>")
@require()
def batch_view(batch_id: int):
    return render_template("purchase_order/batch.html", batch=_load(batch_id))


@bp.route("/goods-batches/<int:batch_id>/register")
@require()
def batch_register(batch_id: int):
    return render_template("purchase_order/batch_register.html", batch=_load(batch_id),
                           po_comments=options.print_comments_on_registers)


def _batch_action(batch_id: int, action, done: str):
    _load(batch_id)
    return button(action, done, url_for(".batch_view", batch_id=batch_id))


@bp.route("/goods-batches/<int:batch_id>/post", methods=["POST"])
@require(*PURCHASING)
def batch_post(batch_id: int):
    return _batch_action(batch_id, lambda: len(batches.post_batch(batch_id, user_id=_uid())),
                         "Batch posted: {result} document(s).")


@bp.route("/goods-batches/<int:batch_id>/entries/<int:entry_id>/remove", methods=["POST"])
@require(*PURCHASING)
def batch_remove_entry(batch_id: int, entry_id: int):
    return _batch_action(batch_id, lambda: batches.remove_entry(batch_id, entry_id), "Entry removed.")


@bp.route("/goods-batches/<int:batch_id>/delete", methods=["POST"])
@require(*PURCHASING)
def batch_delete(batch_id: int):
    _load(batch_id)
    try:
        number = _attempt(batches.delete_batch, batch_id)
    except ValidationError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".batch_view", batch_id=batch_id))
    flash(f"Batch {number} deleted.", "success")
    return redirect(url_for(".batch_list"))
