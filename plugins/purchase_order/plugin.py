"""Purchase orders: entry, sending, receipts and returns, period end, history and reason codes,
with the Sage 100 Purchase Order Options (all tabs but Generate)."""

from __future__ import annotations

from pathlib import Path

from core.hookspecs import hookimpl
from core.plugins import Manifest, MenuItem

from . import (  # noqa: F401
    hookspecs,  # this plugin's own hooks: the host adds them (core.hookspecs)
    models,  # tables known to migrations
)
from .options import PLUGIN

manifest = Manifest(
    name=PLUGIN,
    title="Purchase orders",
    version="0.1.0",
    description="Purchase orders, receipts and returns, period end, purchase history and the Sage 100 PO options.",
    table_prefix="po_",
)


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def api_blueprints():
    from .api import bp, docs_bp

    return [bp, docs_bp]


@hookimpl
def setup_options():
    from .options import OPTIONS

    return OPTIONS


@hookimpl
def menu_items():
    return [
        MenuItem("Purchase orders", "purchase_order.index", order=30),
        MenuItem("Receipts", "purchase_order.receipts", order=31),
        MenuItem("Deleted POs", "purchase_order.deleted_orders", order=33),
        MenuItem("Purchase history", "purchase_order.purchase_history", order=32),
        MenuItem("PO period end", "purchase_order.period_end", section="admin", roles=("admin", "purchasing"),
                 order=60),
        MenuItem("PO line statuses", "purchase_order.line_statuses", section="admin", roles=("admin",), order=61),
        MenuItem("Cancel/reason codes", "purchase_order.reason_codes", section="admin", roles=("admin",),
                 order=62),
    ]


@hookimpl
def migrations_dir():
    return str(Path(__file__).parent / "migrations")


@hookimpl
def register_commands(cli):
    from .cli import register

    register(cli)


@hookimpl
def demo_data(session):
    from .demo import add_demo

    add_demo(session)
