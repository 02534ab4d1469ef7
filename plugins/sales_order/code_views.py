"""Pages of the sales order code lists (reason codes, ship-via codes): list, new, edit."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from wtforms import BooleanField
from wtforms.validators import DataRequired, Length

from core.auth import require
from core.db import db
from core.errors import ValidationError
from core.fields import SafeForm, TextField
from core.lifecycle import attach_errors

from .codes import KINDS, CodeKind, save_code

bp = Blueprint("sales_order_codes", __name__, template_folder="templates", url_prefix="/sales-orders/codes")


def _kind(slug: str) -> CodeKind:
    kind = KINDS.get(slug)
    if kind is None:
        abort(404)
    return kind


def _form(kind: CodeKind, record) -> SafeForm:
    class CodeForm(SafeForm):
        code = TextField("Code", validators=[DataRequired(), Length(max=10)])
        description = TextField(kind.text_label, validators=[DataRequired(), Length(max=kind.text_max)])
        active = BooleanField("Active", default=True)

    return CodeForm(obj=record)


@bp.route("")
@require()
def home():
    return redirect(url_for(".index", slug="reason-codes"))


@bp.route("/<slug>")
@require()
def index(slug: str):
    kind = _kind(slug)
    rows = db.session.scalars(sa.select(kind.model).order_by(kind.model.code)).all()
    return render_template("sales_order/codes.html", kind=kind, rows=rows, kinds=KINDS)


@bp.route("/<slug>/new", methods=["GET", "POST"])
@bp.route("/<slug>/<int:code_id>", methods=["GET", "POST"])
@require("admin")
def edit(slug: str, code_id: int | None = None):
    kind = _kind(slug)
    record = db.session.get(kind.model, code_id) if code_id else None
    if code_id and record is None:
        abort(404)
    form = _form(kind, record)
    loose: list[str] = []
    if form.validate_on_submit():
        try:
            record = save_code(kind, record, form.code.data, form.description.data, bool(form.active.data))
        except ValidationError as exc:
            loose = attach_errors(form, exc)
        else:
            flash(f"Saved {kind.noun} {record.code}.", "success")
            return redirect(url_for(".index", slug=slug))
    status = 422 if request.method == "POST" else 200
    return render_template("sales_order/code_form.html", kind=kind, form=form, record=record, loose=loose), status
