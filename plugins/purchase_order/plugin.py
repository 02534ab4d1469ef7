"""Purchase orders: entry, sending, receipts and returns, period end, history and reason codes,
with the Sage 100 Purchase Order Options (all tabs but Generate)."""

from __future__ import annotations

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
    description="Purchase orders, receipts and returns, period end, purchase history and the purchasing setup options.",
    table_prefix="po_",
    menu=(
        MenuItem("Purchase orders", "purchase_order.index", order=30, group="Purchasing"),
        MenuItem("Receipts", "purchase_order.receipts", order=31, group="Purchasing"),
        MenuItem("Returns", "purchase_order.returns", order=31, group="Purchasing"),
        MenuItem("Receipt batches", "purchase_order.batch_list", order=31, group="Purchasing"),
        MenuItem("Deleted POs", "purchase_order.deleted_orders", order=33, group="Purchasing"),
        MenuItem("Purchase history", "purchase_order.purchase_history", order=32, group="Purchasing"),
        MenuItem("Back order fill report", "purchase_order.fill_report", order=38, group="Purchasing"),
        MenuItem("PO period end", "purchase_order.period_end", section="admin", roles=("admin", "purchasing"),
                 order=60, group="Purchasing"),
        MenuItem("PO line statuses", "purchase_order.line_statuses", section="admin", roles=("admin",), order=61),
        MenuItem("Cancel/reason codes", "purchase_order.reason_codes", section="admin", roles=("admin",),
                 order=62),
    ),
)


@hookimpl
def dashboard_figures():
    from .dashboard import figures

    return figures()


@hookimpl
def api_blueprints():
    from .api import bp, docs_bp

    return [bp, docs_bp]


@hookimpl
def demo_data(session):
    from .demo import add_demo

    add_demo(session)
