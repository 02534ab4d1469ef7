"""Administrator pages: modules, the generic setup-options page, users; and the home page."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from wtforms import BooleanField, DateField, FileField, SelectField
from wtforms import ValidationError as FieldError
from wtforms.validators import DataRequired, Length, Optional

from .auth import require
from .db import db
from .errors import ValidationError
from .fields import (
    BoundedDecimalField,
    BoundedIntegerField,
    PasswordField,
    SafeForm,
    TextField,
    redisplay_data,
)
from .forms import Email
from .lifecycle import attach_errors, form_page, record_or_404
from .models import ROLES, OptionAudit, User
from .options import (
    DocumentError,
    Option,
    OptionError,
    apply_changes,
    coerce,
    export_all,
    import_all,
    is_available,
    load_document,
    ref_choices,
    registry,
)
from .plugins import DependencyError, host_of

home_bp = Blueprint("core", __name__)
bp = Blueprint("admin", __name__, url_prefix="/admin")


@home_bp.route("/")
@require()
def home():
    from .dashboard import amount, bar_chart, collect

    return render_template("core/home.html", dash=collect(), bar_chart=bar_chart, amount=amount)


# -- modules -------------------------------------------------------------------------


class EmptyForm(SafeForm):
    """CSRF token only: for buttons that POST."""


@bp.route("/modules")
@require("admin")
def modules():
    host = host_of(current_app)
    rows = host.state_rows()
    for row in rows:
        row["enable_plan"] = [] if row["enabled"] else host.plan_enable(row["name"])
        row["disable_plan"] = host.plan_disable(row["name"]) if row["enabled"] else []
    dist = {name: p.source for name, p in host.plugins.items()}
    return render_template("core/modules.html", rows=rows, failed=host.failed, dist=dist, form=EmptyForm())


@bp.route("/modules/<name>/<action>", methods=["POST"])
@require("admin")
def module_toggle(name: str, action: str):
    host = host_of(current_app)
    form = EmptyForm()
    if not form.validate_on_submit() or action not in ("enable", "disable"):
        abort(400)
    cascade = request.form.get("cascade") == "yes"
    try:
        if action == "disable" and not cascade:
            dependants = host.plan_disable(name)
            if dependants:
                return render_template("core/modules_confirm.html", name=name, dependants=dependants, form=form)
        changed = host.set_enabled(name, action == "enable", cascade=cascade, user_id=current_user.id)
    except DependencyError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".modules"))
    others = [n for n in changed if n != name]
    verb = "enabled" if action == "enable" else "disabled"
    msg = f"Module '{name}' {verb}."
    if others:
        msg += f" Also {verb}: {', '.join(others)}."
    flash(msg, "success")
    for error in host.last_event_errors:
        flash(error, "warning")
    return redirect(url_for(".modules"))


# -- setup options --------------------------------------------------------------------


def _field_for(opt: Option) -> Any:
    kw: dict[str, Any] = {"label": opt.label, "description": opt.help}
    if opt.type == "bool":
        return BooleanField(**kw)
    if opt.is_code:
        return TextField(validators=[_option_validator(opt)], **kw)
    if opt.type in ("int", "sequence"):
        return BoundedIntegerField(validators=[_option_validator(opt)], **kw)
    if opt.type == "decimal":
        return BoundedDecimalField(column_type=sa.Numeric(18, opt.places), places=None,
                                   validators=[_option_validator(opt)], **kw)
    if opt.type == "choice":
        return SelectField(choices=list(opt.choices), validators=[_option_validator(opt)], **kw)
    if opt.type == "date":
        return DateField(validators=[Optional()], **kw)
    if opt.type == "ref":
        return SelectField(choices=[], validate_choice=False, validators=[_option_validator(opt)], **kw)
    return TextField(validators=[Length(max=500)], **kw)


def _option_validator(opt: Option):
    def check(_form, field) -> None:
        if field.data is None and field.raw_data and field.raw_data[0] != "":
            return  # the field's own type error is already there
        try:
            coerce(opt, field.data)
        except OptionError as exc:
            raise FieldError(exc.message) from None

    return check


def options_form(plugin: str, formdata=None) -> SafeForm:
    declared = registry().declared[plugin]
    attrs = {key: _field_for(opt) for key, opt in declared.items()}
    form_cls = type(f"{plugin.title()}OptionsForm", (SafeForm,), attrs)
    form = form_cls(formdata=formdata, data=registry().current(plugin))
    for key, opt in declared.items():
        if opt.type == "ref":
            form[key].choices = ref_choices(opt.ref or "")
    return form


@bp.route("/options")
@require("admin")
def options_index():
    host = host_of(current_app)
    enabled = host.enabled()
    plugins = [(n, host.plugins[n].manifest) for n in host.order() if n in registry().declared and n in enabled]
    return render_template("core/options_index.html", plugins=plugins, form=EmptyForm())


def _check_options_plugin(plugin: str) -> None:
    host = host_of(current_app)
    if plugin not in registry().declared or plugin not in host.enabled():
        abort(404)


@bp.route("/options/<plugin>", methods=["GET", "POST"])
@require("admin")
def options(plugin: str):
    _check_options_plugin(plugin)
    reg = registry()
    declared = reg.declared[plugin]
    form = options_form(plugin, formdata=request.form if request.method == "POST" else redisplay_data())
    current = reg.current(plugin)
    if request.method == "POST":
        submitted = {k: form[k].data for k in declared}
        merged = {**current, **submitted}
        available = {k for k, opt in declared.items() if is_available(opt, merged, declared)}
        valid = form.csrf_token.validate(form)
        for key in declared:
            if key in available:
                valid = form[key].validate(form) and valid
            else:
                # an unavailable option keeps its stored value (browsers do not post disabled fields)
                form[key].errors = []
                form[key].data, form[key].raw_data = current[key], []
                merged[key] = current[key]
        if valid:
            values = {}
            for key in available:
                values[key] = coerce(declared[key], form[key].data)
            try:
                changes = apply_changes(plugin, values, user_id=current_user.id, source="page")
            except ValidationError as exc:  # a plugin's hook refused the change (HookError)
                reg.forget_cache()
                for message in attach_errors(form, exc):
                    flash(message, "error")
            else:
                flash(f"Saved {len(changes)} change(s)." if changes else "No changes.", "success")
                return redirect(url_for(".options", plugin=plugin, tab=request.form.get("_tab") or None))
        else:
            flash("Some options are not valid; see the messages beside them. Nothing was saved.", "error")
        current = merged
    availability = {k: is_available(opt, current, declared) for k, opt in declared.items()}
    audit = db.session.execute(
        sa.select(OptionAudit, User.username)
        .outerjoin(User, User.id == OptionAudit.user_id)
        .where(OptionAudit.plugin == plugin)
        .order_by(OptionAudit.changed_at.desc(), OptionAudit.id.desc())
        .limit(50)
    ).all()
    manifest = host_of(current_app).plugins[plugin].manifest
    return render_template(
        "core/options.html", plugin=plugin, manifest=manifest, form=form, tabs=reg.tabs(plugin),
        availability=availability, audit=audit, declared=declared, audit_value=audit_value,
        active_tab=request.values.get("_tab") or request.args.get("tab"),
    ), (422 if form.errors or request.method == "POST" else 200)


@bp.route("/options/export.json")
@require("admin")
def options_export():
    body = json.dumps(export_all(), indent=2, sort_keys=True)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=orderbridge-options.json"})


class ImportForm(SafeForm):
    document = FileField("Options file (JSON)")


@bp.route("/options/import", methods=["GET", "POST"])
@require("admin")
def options_import():
    form = ImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        upload = request.files.get("document")
        try:
            document = load_document(upload.read() if upload else b"")
        except DocumentError as exc:
            errors = [str(exc)]
        else:
            try:
                changed, errors = import_all(document, user_id=current_user.id)
            except ValidationError as exc:  # a plugin's hook refused the change (HookError)
                errors = [message for _field, message in exc.errors]
            if not errors:
                total = sum(len(c) for c in changed.values())
                flash(f"Imported options: {total} change(s).", "success")
                return redirect(url_for(".options_index"))
    return render_template("core/options_import.html", form=form, errors=errors), (422 if errors else 200)


def audit_value(opt: Option | None, raw: str | None) -> str:
    """An audited value in words: ``Yes``/``No``, a choice's name, text without JSON quotes."""
    if raw is None:
        return "—"
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if opt is not None and opt.choices:
        return dict(opt.choices).get(value, str(value))
    return str(value)


# -- users -----------------------------------------------------------------------------


class UserForm(SafeForm):
    username = TextField("User name", validators=[DataRequired(), Length(max=64)])
    full_name = TextField("Full name", validators=[Length(max=120)])
    email = TextField("E-mail", validators=[Optional(), Email(), Length(max=254)])
    role = SelectField("Role", choices=list(ROLES.items()))
    active = BooleanField("Active", default=True)
    password = PasswordField("Password", validators=[Optional(), Length(min=8, max=200)],
                             description="At least 8 characters. Leave empty to keep the current password.")


@bp.route("/users")
@require("admin")
def users():
    rows = db.session.scalars(sa.select(User).order_by(User.username)).all()
    return render_template("core/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require("admin")
def user_edit(user_id: int | None = None):
    user = record_or_404(User, user_id)
    form = UserForm(obj=user)
    # a new user needs a password; only an existing one keeps theirs when it is left empty
    form.password.description = ("At least 8 characters. Leave empty to keep the current password." if user
                                 else "At least 8 characters. The user signs in with it and can be told to change it.")
    return form_page(form, lambda: save_user(user, form), lambda: f"User {form.username.data.strip()} saved.",
                     url_for(".users"), "core/user_form.html", user=user)


def save_user(user: User | None, form: UserForm) -> User:
    """Create or change a user from a validated form. Raises ValidationError.

    A new password signs the user out everywhere (their session token changes); when
    administrators change their own, this session is signed in again with the new token.
    """
    clash = db.session.scalar(sa.select(User).where(User.username == form.username.data.strip(),
                                                    User.id != (user.id if user else -1)))
    if clash:
        raise ValidationError("username", "This user name is taken.")
    if user is None and not form.password.data:
        raise ValidationError("password", "A new user needs a password.")
    if user is not None and user.id == current_user.id and (form.role.data != "admin" or not form.active.data):
        raise ValidationError("role", "You cannot remove your own administrator rights.")
    user = user or User()
    user.username = form.username.data.strip()
    user.full_name, user.email = form.full_name.data or "", form.email.data or ""
    user.role, user.active = form.role.data, form.active.data
    if form.password.data:
        user.set_password(form.password.data)
    db.session.add(user)
    db.session.flush()
    if form.password.data and user.id == current_user.id:
        login_user(user)
    return user
