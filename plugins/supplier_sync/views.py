"""Supplier sync pages: syncing notifications, vendor connections, Refresh and Auto-sync
actions, and the panels shown on the PO and vendor pages (thin: rules live in services)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DecimalField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FieldError

from core.auth import require, user_can
from core.db import db
from core.models import Partner
from core.parsing import has_nul, parse_id
from core.plugins import Action, Panel
from core.web import paginate

from . import jobs, services
from .connectors import check_base_url
from .models import NOTIFICATION_KINDS, SupplierConnection, SyncNotification

bp = Blueprint("supplier_sync", __name__, template_folder="templates")
BUYERS = ("purchasing",)


# -- syncing notifications --------------------------------------------------------------------


@bp.route("/supplier-sync/notifications")
@require()
def notifications():
    a = request.args
    f = {k: a.get(k, "").strip()[:60] for k in ("state", "vendor", "kind", "q")}
    f["state"] = f["state"] if f["state"] in ("open", "resolved", "all") else "open"
    f["kind"] = f["kind"] if f["kind"] in NOTIFICATION_KINDS else ""
    f["q"] = "" if has_nul(f["q"]) else f["q"]
    stmt = services.notifications_query(state=f["state"], vendor_id=parse_id(f["vendor"]), kind=f["kind"],
                                        text=f["q"])
    return render_template("supplier_sync/notifications.html", page=paginate(stmt), f=f,
                           kinds=NOTIFICATION_KINDS, vendors=services.vendors_with_connection())


@bp.route("/supplier-sync/notifications/<int:note_id>/resolve", methods=["POST"])
@require(*BUYERS)
def resolve(note_id: int):
    note = db.session.get(SyncNotification, note_id)
    if note is None:
        abort(404)
    services.resolve_notification(note, user_id=current_user.id)
    back = request.form.get("back", "")
    return redirect(back if back.startswith("/") and not back.startswith("//") else url_for(".notifications"))


# -- purchase order actions --------------------------------------------------------------------


@bp.route("/supplier-sync/po/<int:po_id>/refresh", methods=["POST"])
@require(*BUYERS)
def refresh(po_id: int):
    services.check_refreshable(po_id)
    jobs.enqueue_refresh(po_id)
    flash("The purchase order is being synced with the supplier's order.", "info")
    return redirect(url_for("purchase_order.view", po_id=po_id))


@bp.route("/supplier-sync/po/<int:po_id>/auto-sync", methods=["POST"])
@require(*BUYERS)
def po_auto_sync(po_id: int):
    on = request.args.get("on") == "1"
    services.set_po_auto_sync(po_id, on)
    flash("Auto-sync is on for this purchase order." if on else "Auto-sync is off for this purchase order.",
          "success")
    return redirect(url_for("purchase_order.view", po_id=po_id))


# -- vendor connections (administrators) -----------------------------------------------------------


class ConnectionForm(FlaskForm):
    connector = SelectField("Connector")
    base_url = StringField("Supplier address (base URL)", validators=[DataRequired(), Length(max=300)],
                           description="Set here only: a notification never changes where OrderBridge calls.")
    api_key = StringField("API key", validators=[Length(max=200)])
    webhook_secret = StringField("Webhook secret", validators=[DataRequired(), Length(max=200)],
                                 description="The secret the supplier signs notifications with (whsec_…).")
    previous_webhook_secret = StringField("Previous webhook secret (during a rotation)",
                                          validators=[Optional(), Length(max=200)])
    timeout_seconds = DecimalField("Timeout (seconds)", places=2, default=10,
                                   validators=[DataRequired(), NumberRange(0.1, 120)])

    def validate_base_url(self, field) -> None:
        problem = check_base_url(field.data or "")
        if problem:
            raise FieldError(problem)

    def validate_webhook_secret(self, field) -> None:
        if not services.secret_is_usable(field.data):
            raise FieldError("Enter a secret like whsec_ followed by base64 text.")

    def validate_previous_webhook_secret(self, field) -> None:
        if field.data and not services.secret_is_usable(field.data):
            raise FieldError("Enter a secret like whsec_ followed by base64 text.")


@bp.route("/supplier-sync/vendors")
@require("admin")
def connections():
    q = request.args.get("q", "").strip()
    page = paginate(services.vendor_statement(q))  # a page of vendors at a time, however many there are
    return render_template("supplier_sync/connections.html", rows=services.connection_rows(page.items), page=page,
                           q=q)


@bp.route("/supplier-sync/vendors/<int:vendor_id>", methods=["GET", "POST"])
@require("admin")
def connection(vendor_id: int):
    vendor = db.session.get(Partner, vendor_id)
    if vendor is None or not vendor.is_vendor:
        abort(404)
    conn = db.session.get(SupplierConnection, vendor_id)
    form = ConnectionForm(obj=conn)
    form.connector.choices = [(c.name, c.title) for c in services.connectors().values()]
    if form.validate_on_submit():
        services.save_connection(vendor_id, {k: form[k].data for k in (
            "connector", "base_url", "api_key", "webhook_secret", "previous_webhook_secret", "timeout_seconds")})
        flash(f"Supplier connection of {vendor.name} saved.", "success")
        return redirect(url_for(".connections"))
    webhook_url = url_for("supplier_sync_webhook.webhook", vendor_id=vendor_id, _external=True)
    return render_template("supplier_sync/connection_form.html", form=form, vendor=vendor, conn=conn,
                           webhook_url=webhook_url), (422 if form.errors else 200)


# -- panels and buttons on other plugins' pages --------------------------------------------------------


def po_panels(po) -> list[Panel]:
    view = services.po_view(po)
    if view is None:
        return []
    html = render_template("supplier_sync/po_panel.html", v=view, po=po)
    return [Panel("Supplier sync", Markup(html), order=10)]


def po_actions(po) -> list[Action]:
    view = services.po_view(po)
    if view is None or not po.is_open:
        return []
    out = []
    if view.state is not None and view.state.supplier_ref:
        out.append(Action("Refresh from supplier", url_for("supplier_sync.refresh", po_id=po.id), method="post",
                          roles=BUYERS, style="secondary"))
    on = view.state.auto_sync if view.state is not None else view.conn.auto_sync
    out.append(Action("Turn auto-sync off" if on else "Turn auto-sync on",
                      url_for("supplier_sync.po_auto_sync", po_id=po.id) + ("" if on else "?on=1"),
                      method="post", roles=BUYERS))
    return out


def partner_panels(partner) -> list[Panel]:
    if not partner.is_vendor or not user_can("admin"):
        return []
    conn = db.session.get(SupplierConnection, partner.id)
    html = render_template("supplier_sync/partner_panel.html", conn=conn, partner=partner)
    return [Panel("Supplier connection", Markup(html), order=50)]
