"""Pages: templates (editor with variables and preview), Pending Emails, mail settings, Mailbox."""

from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from core.auth import require, safe_next
from core.db import db
from core.errors import ValidationError
from core.lifecycle import attach_errors, rollback_request
from core.mailsink import mailbox_path, read_messages
from core.parsing import parse_date, parse_id
from core.web import paginate

from . import outbox, pdf
from .acknowledgement import ack_template
from .documents import real_context
from .forms import PasswordForm, TemplateForm, TestMessageForm
from .models import STATE_LABELS, EmailTemplate, OutboxEmail
from .secrets_store import UNREADABLE_TEXT
from .smtp import password_state, send_test_message, set_password, settings
from .templating import preview, save_template
from .types import all_types, type_choices

bp = Blueprint("email_templates", __name__, url_prefix="/email", template_folder="templates")
bp.add_url_rule("/documents/<kind>/<int:doc_id>.pdf", "document_pdf", pdf.document_pdf)


# -- templates ---------------------------------------------------------------------------------


@bp.route("/templates")
@require("admin")
def templates():
    rows = db.session.scalars(sa.select(EmailTemplate).order_by(EmailTemplate.type, EmailTemplate.name)).all()
    return render_template("email_templates/templates.html", rows=rows, types=all_types())


@bp.route("/templates/new", methods=["GET", "POST"])
@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@require("admin")
def template_form(template_id: int | None = None):
    row = db.session.get(EmailTemplate, template_id) if template_id else None
    if template_id and row is None:
        abort(404)
    form = TemplateForm(obj=row)
    form.type.choices = type_choices()
    top: list[str] = []
    shown = None
    status = 200
    if request.method == "POST" and form.validate():
        data = {k: form[k].data for k in ("name", "type", "subject", "body_html", "body_text", "active")}
        try:
            if "preview" in request.form:
                context = real_context(data["type"], form.preview_po.data or "")
                shown, problems = preview(data, context)
                top += problems
                rollback_request()  # a preview changes nothing
            else:
                saved = save_template(row, data)
                flash(f"Template {saved.name} saved.", "success")
                return redirect(url_for(".template_form", template_id=saved.id))
        except ValidationError as exc:
            top += attach_errors(form, exc)
            status = 422
    elif request.method == "POST":
        status = 422
    ttype = all_types().get(form.type.data or (row.type if row else ""))
    return render_template("email_templates/template_form.html", form=form, row=row, top=top, shown=shown,
                           ttype=ttype, types=all_types()), status


# -- Pending Emails --------------------------------------------------------------------------------


def _filtered(args) -> sa.Select:
    stmt = sa.select(OutboxEmail).order_by(OutboxEmail.id.desc())
    if args.get("state") in STATE_LABELS:
        stmt = stmt.where(OutboxEmail.status == args["state"])
    if args.get("type"):
        stmt = stmt.where(OutboxEmail.type == args["type"][:40])
    if args.get("document"):
        stmt = stmt.where(OutboxEmail.document.contains(args["document"][:80], autoescape=True))
    for key, op in (("date_from", ">="), ("date_to", "<=")):
        day = parse_date(args.get(key))
        if day:
            bound = datetime.combine(day, time.min if op == ">=" else time.max)
            stmt = stmt.where(OutboxEmail.created_at >= bound if op == ">=" else OutboxEmail.created_at <= bound)
    return stmt


@bp.route("/pending")
@require("purchasing", "sales")
def pending():
    page = paginate(_filtered(request.args))
    ack = ack_template()
    return render_template("email_templates/pending.html", page=page, states=STATE_LABELS, types=all_types(),
                           args=request.args, automatic=outbox.options.send_automatically,
                           acknowledging=ack.name if ack else "")


@bp.route("/pending/<int:email_id>")
@require("purchasing", "sales")
def pending_view(email_id: int):
    row = db.session.get(OutboxEmail, email_id)
    if row is None:
        abort(404)
    return render_template("email_templates/pending_view.html", row=row)


def _selected() -> list[int]:
    ids = [parse_id(v) for v in request.form.getlist("ids")]
    return [i for i in ids if i is not None]


@bp.route("/pending/action", methods=["POST"])
@require("purchasing", "sales")
def pending_action():
    ids = _selected()
    action = request.form.get("action", "")
    back = safe_next(request.form.get("next")) or url_for(".pending")
    if not ids:
        flash("Select at least one email.", "error")
        return redirect(back)
    if action == "send":
        result = outbox.send_pending(ids=ids)
        flash(f"Send now: {result.summary()}.", "success" if not result.errors else "warning")
        for text in result.errors[:5]:
            flash(text, "error")
    elif action == "requeue":
        flash(f"{outbox.requeue(ids)} email(s) put back in the queue.", "success")
    elif action == "cancel":
        flash(f"{outbox.cancel(ids)} email(s) cancelled.", "success")
    else:
        flash("Unknown action.", "error")
    return redirect(back)


# -- mail settings and Mailbox --------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"], endpoint="settings")
@require("admin")
def settings_page():
    pw_form, test_form = PasswordForm(prefix="pw"), TestMessageForm(prefix="test")
    answer = None
    if request.method == "POST" and "pw-submit" in request.form and pw_form.validate():
        set_password(pw_form.password.data or "")
        flash("SMTP password saved." if pw_form.password.data else "SMTP password removed.", "success")
        return redirect(url_for(".settings"))
    if request.method == "POST" and "test-submit" in request.form:
        if test_form.validate():
            answer = send_test_message(test_form.to.data.strip())
    return render_template("email_templates/settings.html", pw_form=pw_form, test_form=test_form, answer=answer,
                           s=settings(), password=password_state(), unreadable_text=UNREADABLE_TEXT)


@bp.route("/mailbox")
@require("admin")
def mailbox():
    messages = read_messages(mailbox_path(current_app.instance_path))
    chosen = request.args.get("m")
    current = next((m for m in messages if m.key == chosen), messages[0] if messages else None)
    return render_template("email_templates/mailbox.html", messages=messages, current=current,
                           using_sink=settings().uses_sink)
