"""PO generation: purchase orders from sales orders (bridge of sales_order and purchase_order)."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import Manifest, MenuItem

from . import PLUGIN

manifest = Manifest(
    name=PLUGIN,
    title="PO generation",
    version="0.1.0",
    description="Purchase orders from sales orders on save and in batches, "
                "SO-number PO numbering, drop ship, reset purchase orders and the missing-PO check.",
    depends=("sales_order", "purchase_order"),
    default_enabled=True,
    table_prefix="pogen_",
    menu=(
        MenuItem("Auto generate POs", "po_generation.auto", roles=("purchasing",), order=35, group="Purchasing"),
        MenuItem("Orders missing POs", "po_generation.missing", roles=("purchasing", "sales"), order=36, group="Purchasing"),
    ),
)


@hookimpl
def api_blueprints():
    from .api import bp

    return [bp]


@hookimpl
def on_sales_order_saved(order, created, changes):
    from .changes import on_order_saved

    on_order_saved(order, created, changes)


@hookimpl
def on_sales_order_cancelled(order):
    from .changes import on_order_cancelled

    on_order_cancelled(order)


@hookimpl
def on_sales_order_completed(order):
    from .changes import on_order_completed

    on_order_completed(order)


@hookimpl
def sales_order_line_supply(lines):
    from .links import supply_of_lines

    return supply_of_lines(line.id for line in lines)


@hookimpl
def on_purchase_order_cancelled(po):
    from .changes import record_po_deleted

    record_po_deleted(po.id, po.number)


@hookimpl
def page_actions(page, obj):
    from .panels import actions_for

    return actions_for(page, obj)


@hookimpl
def page_panels(page, obj):
    from .panels import panels_for

    return panels_for(page, obj)


@hookimpl
def purchase_line_demand(po_line_ids):
    from .demand import purchase_line_demand as demand

    return demand(po_line_ids)


@hookimpl
def back_order_fills(scope):
    from plugins.sales_order.fills import back_order_fills as fills_of

    from .models import PoGenFill, PoGenLink

    return fills_of(PoGenLink, PoGenFill, scope)


@hookimpl
def on_receipt(receipt):
    from .receipts import on_receipt as release

    release(receipt)


@hookimpl
def on_return(return_):
    from .receipts import on_return as undo

    undo(return_)
