"""Sales orders (SYSPRO Sales Order Setup): manifest and hook implementations only."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import Manifest, MenuItem

from . import (  # noqa: F401
    PLUGIN,
    history,  # the activity log's status-change listener
    hookspecs,  # this plugin's own hooks: the host adds them (core.hookspecs)
    models,  # tables registered with the metadata at start-up
)

manifest = Manifest(
    name=PLUGIN,
    title="Sales orders",
    version="0.1.0",
    description="Sales order entry, back orders, credit and margin checks, pricing, numbering, purge "
                "and their setup options.",
    table_prefix="so_",
    blueprints=("views:bp", "code_views:bp", "ready_views:bp"),
    menu=(
        MenuItem("Sales orders", "sales_order.index", order=10, group="Sales"),
        MenuItem("Back orders", "sales_order.backorders", order=11, group="Sales"),
        MenuItem("Ready to release", "sales_order_ready.index", order=11, group="Sales"),
        MenuItem("Sales order codes", "sales_order_codes.home", section="admin", order=12),
    ),
)


@hookimpl
def api_blueprints():
    from .api import bp

    return [bp]


@hookimpl
def on_partner_saved(partner, created):
    if not created and partner.is_customer:
        from .services import follow_customer_address

        follow_customer_address(partner)


@hookimpl
def on_options_changed(plugin, changes):
    # the seed asks the clerk to rerun the scheduled allocation after changing the window;
    # we do it in the same transaction, so forward orders never disagree with the option
    if plugin == PLUGIN and "scheduled_days" in changes:
        from .allocation import allocate_scheduled

        allocate_scheduled()


@hookimpl
def dashboard_figures():
    from .dashboard import figures

    return figures()


@hookimpl
def demo_data(session):
    from .demo import add_demo_orders

    add_demo_orders(session)
