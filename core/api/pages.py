"""The user's own API keys page: make a key (shown once), see last use, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.validators import DataRequired, Length, Optional

from ..auth import require
from ..fields import BoundedIntegerField, SafeForm, TextField
from ..lifecycle import attach_errors
from ..models import utcnow
from .keys import MAX_EXPIRY_DAYS, create_key, keys_of, revoke_key

bp = Blueprint("api_keys", __name__, url_prefix="/account/api-keys")


class KeyForm(SafeForm):
    name = TextField("Name", validators=[DataRequired(), Length(max=80)],
                     description="What uses the key, e.g. the web shop.")
    expires_days = BoundedIntegerField("Expires after (days)", low=1, high=MAX_EXPIRY_DAYS, default=90,
                                       validators=[Optional()], description="Empty: never expires.")


class RevokeForm(SafeForm):
    """CSRF token only."""


@bp.route("", methods=["GET", "POST"])
@require()
def index():
    form = KeyForm()
    shown = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            from ..errors import ValidationError

            try:
                row, shown = create_key(current_user, form.name.data, form.expires_days.data)
            except ValidationError as exc:
                attach_errors(form, exc)
                status = 422
            else:
                flash(f"API key {row.name} made. Copy it now: it is not shown again.", "success")
                form = KeyForm(formdata=None)
        else:
            status = 422
    return render_template("core/api_keys.html", form=form, keys=keys_of(current_user.id), shown=shown,
                           revoke=RevokeForm(), now=utcnow()), status


@bp.route("/<int:key_id>/revoke", methods=["POST"])
@require()
def revoke(key_id: int):
    if not RevokeForm().validate_on_submit():
        abort(400)
    row = revoke_key(current_user, key_id)
    if row is None:
        abort(404)
    flash(f"API key {row.name} revoked: it no longer works.", "success")
    return redirect(url_for(".index"))
