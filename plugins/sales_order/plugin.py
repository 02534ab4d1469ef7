"""Sales orders (SYSPRO Sales Order Setup): manifest and hook implementations only."""

from __future__ import annotations

from pathlib import Path

from core.hookspecs import hookimpl
from core.plugins import Manifest, MenuItem

from . import (  # noqa: F401
    PLUGIN,
    hookspecs,  # this plugin's own hooks: the host adds them (core.hookspecs)
    models,  # tables registered with the metadata at start-up
)

manifest = Manifest(
    name=PLUGIN,
    title="Sales orders",
    version="0.1.0",
    description="Sales order entry, back orders, credit and margin checks, pricing, numbering and purge "
                "(SYSPRO Sales Order Setup options).",
    table_prefix="so_",
)


@hookimpl
def register_blueprints():
    from .code_views import bp as codes
    from .views import bp

    return [bp, codes]


@hookimpl
def api_blueprints():
    from .api import bp

    return [bp]


@hookimpl
def setup_options():
    from .options import OPTIONS

    return OPTIONS


@hookimpl
def menu_items():
    return [
        MenuItem("Sales orders", "sales_order.index", order=10),
        MenuItem("Back orders", "sales_order.backorders", order=11),
        MenuItem("Sales order codes", "sales_order_codes.home", section="admin", order=12),
    ]


@hookimpl
def migrations_dir():
    return str(Path(__file__).parent / "migrations")


@hookimpl
def register_commands(cli):
    from .cli import register

    register(cli)


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
def demo_data(session):
    from .demo import add_demo_orders

    add_demo_orders(session)
