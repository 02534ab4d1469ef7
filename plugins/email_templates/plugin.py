"""Email templates, Pending Emails and SMTP sending (seed 001: BACK ORDER emails by PO line status)."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import Manifest, MenuItem

from . import (
    hookspecs,  # noqa: F401  (this plugin's own hooks: the host adds them, core.hookspecs)
    models,  # noqa: F401  (tables known to migrations)
)

manifest = Manifest(
    name="email_templates",
    title="Email templates",
    version="0.1.0",
    description="Email templates (BACK ORDER, PO TO VENDOR, ORDER ACKNOWLEDGEMENT), the Pending Emails outbox, "
                "SMTP sending by hand or by the background worker, and the local Mailbox.",
    depends=("purchase_order", "sales_order"),
    default_enabled=True,
    table_prefix="em_",
    options="option_list:OPTIONS",
    menu=(
        MenuItem("Pending emails", "email_templates.pending", roles=("purchasing", "sales"), order=60, group="Sales"),
        MenuItem("Email templates", "email_templates.templates", section="admin", roles=("admin",), order=70),
        MenuItem("Mail settings", "email_templates.settings", section="admin", roles=("admin",), order=71),
        MenuItem("Mailbox", "email_templates.mailbox", section="admin", roles=("admin",), order=72),
    ),
)


@hookimpl
def page_actions(page, obj):
    from .pdf import pdf_actions

    return pdf_actions(page, obj)


@hookimpl
def dashboard_figures():
    from .dashboard import figures

    return figures()


@hookimpl
def api_blueprints():
    from .api import bp

    return [bp]


@hookimpl
def background_jobs():
    from core.jobs import Job

    from .outbox import send_pending_job, sweep_job

    return [Job("send_pending", send_pending_job), Job("sweep", sweep_job, every_minutes=1)]


@hookimpl
def extend_form(form_name, obj):
    if form_name != "po_line_status":
        return None
    from .status_link import template_field

    return {"em_template_id": template_field(obj)}


@hookimpl
def on_po_line_status_saved(status, form_data):
    from .status_link import save_link

    if "em_template_id" in form_data:
        save_link(status.id, form_data["em_template_id"])


@hookimpl
def on_po_line_status_changed(po_line, old, new):
    from .backorder import on_status_changed

    on_status_changed(po_line, old, new)


@hookimpl
def on_purchase_order_sent(po):
    from .vendor import on_po_sent

    on_po_sent(po)


@hookimpl
def page_panels(page, obj):
    # the order page lists the emails written about the order, per line
    if page != "sales_order.view" or getattr(obj, "id", None) is None:
        return []
    from flask import render_template
    from markupsafe import Markup

    from core.plugins import Panel

    from .order_emails import emails_for_order

    html = render_template("email_templates/_order_emails.html", rows=emails_for_order(obj))
    return [Panel("Emails", Markup(html), order=60)]


@hookimpl
def on_sales_order_saved(order, created, changes):
    from .acknowledgement import on_order_saved

    on_order_saved(order, created)
