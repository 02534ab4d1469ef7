"""PO allocation: existing purchase order quantity allocated to new sales orders (seed 001).

A bridge of sales_order and purchase_order, off by default. Its links live in its own
tables; other plugins' pages show them through ``page_panels``.
"""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import Manifest, MenuItem

manifest = Manifest(
    name="po_allocation",
    title="PO allocation",
    version="0.1.0",
    description="Links the back orders of new sales orders to open, undelivered purchase order quantity "
                "(all or nothing per line), sets the PO line status, releases the back orders on receipt "
                "and answers the Back Order Fill Report.",
    depends=("sales_order", "purchase_order"),
    default_enabled=False,
    table_prefix="pa_",
    menu=(
        MenuItem("Back orders to allocate", "po_allocation.skipped", roles=("purchasing", "sales"), order=37, group="Purchasing"),
    ),
)


@hookimpl
def api_blueprints():
    from .api import bp, lines_bp

    return [bp, lines_bp]


@hookimpl
def on_options_changed(plugin, changes):
    if plugin == "po_allocation" and "default_line_status" in changes:
        from .services import check_status_code

        check_status_code(changes["default_line_status"][1])


# tryfirst: the allocation is made before po_generation's generate-on-save runs in the same
# save, so generation sees the quantity already supplied (never both)
@hookimpl(tryfirst=True)
def on_sales_order_saved(order, created, changes):
    from . import services

    services.on_order_saved(order, created, changes)


@hookimpl
def on_sales_order_cancelled(order):
    from . import services

    services.on_order_cancelled(order)


@hookimpl
def on_purchase_order_cancelled(po):
    from . import services

    services.on_po_cancelled(po)


@hookimpl
def on_purchase_order_saved(po, created):
    if not created:
        from . import services

        services.on_po_saved(po)


@hookimpl
def on_receipt(receipt):
    from . import services

    services.on_receipt(receipt)


@hookimpl
def on_return(return_):
    from . import services

    services.on_return(return_)


@hookimpl
def page_panels(page, obj):
    from .views import panels_for

    return panels_for(page, obj)


# Questions the plugins we depend on ask of bridges: sales_order asks what supplies a line,
# purchase_order who waits for a PO line.


@hookimpl
def sales_order_line_supply(lines):
    from . import services

    return services.supply_words(line.id for line in lines)


@hookimpl
def purchase_line_demand(po_line_ids):
    from . import services

    return services.purchase_line_demand(po_line_ids)


@hookimpl
def back_order_fills(scope):
    from plugins.sales_order.fills import back_order_fills as fills_of

    from .models import PaFill, PaLink

    return fills_of(PaLink, PaFill, scope)
