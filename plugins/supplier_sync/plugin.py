"""Supplier sync: purchase orders that stay in step with the supplier's order (seed 003)."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import Manifest, MenuItem

from . import (
    hookspecs,  # noqa: F401  (this plugin's own hooks: the host adds them, core.hookspecs)
    models,  # noqa: F401  (tables known to migrations)
)

manifest = Manifest(
    name="supplier_sync",
    title="Supplier sync",
    version="0.1.0",
    description="Supplier connectors, signed change notifications, auto-sync of purchase orders, "
                "catalog look-up and syncing notifications.",
    depends=("purchase_order",),
    default_enabled=True,
    table_prefix="ss_",
    blueprints=("views:bp", "webhook:bp"),
    menu=(
        MenuItem("Syncing notifications", "supplier_sync.notifications", order=33, group="Purchasing"),
        MenuItem("Supplier connections", "supplier_sync.connections", section="admin", roles=("admin",), order=63),
    ),
)


@hookimpl
def dashboard_figures():
    from .dashboard import figures

    return figures()


@hookimpl
def api_blueprints():
    from .api import bp, po_bp

    return [bp, po_bp]


@hookimpl
def background_jobs():
    from .jobs import background_jobs as jobs

    return jobs()


@hookimpl
def supplier_connectors():
    from .connectors import REFERENCE

    return [REFERENCE]


@hookimpl
def supplier_catalog_lookup(conn, vendor_item_code):
    from .connectors import REFERENCE

    if conn.connector != REFERENCE.name:
        return None
    return REFERENCE.lookup_item(conn, vendor_item_code)


@hookimpl
def extend_form(form_name, obj):
    from . import vendor_form

    if form_name == "partner" and obj is not None:
        return vendor_form.fields_for(obj)
    if form_name == "purchase_order":
        return vendor_form.po_fields(obj)
    return None


@hookimpl
def on_partner_saved(partner, created, form_data):
    from .vendor_form import saved

    saved(partner, form_data)


@hookimpl
def on_purchase_order_saved(po, created, form_data):
    from . import services

    if created:
        services.on_po_created(po, form_data.get("ss_auto_sync"))
    else:
        services.po_box_saved(po, form_data)
        services.check_synced_fields(po)


@hookimpl
def purchase_order_line_marks(po):
    from . import services

    return services.line_marks(po)


@hookimpl
def on_purchase_order_sent(po):
    from . import services

    services.on_po_sent(po)


@hookimpl
def page_panels(page, obj):
    from . import views

    if page == "purchase_order.view":
        return views.po_panels(obj)
    if page == "masterdata.partner":
        return views.partner_panels(obj)
    return []


@hookimpl
def page_actions(page, obj):
    from . import views

    return views.po_actions(obj) if page == "purchase_order.view" else []


@hookimpl
def demo_data(session):
    from .demo import add_demo

    add_demo(session)
