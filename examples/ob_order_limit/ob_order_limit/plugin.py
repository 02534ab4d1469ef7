"""Order limit: refuses sales orders whose total is above an amount set in its own options.

A third-party plugin in its own distribution, found through the ``orderbridge.plugins``
entry point. It shows the whole contract from outside the project: a manifest, setup
options, a validation hook and a save hook (both declared by ``sales_order``, which it
depends on), and its own tests (``tests/``) using the ``orderbridge.testing`` fixtures.
Off on a fresh install.
"""

from __future__ import annotations

from decimal import Decimal

from core.hookspecs import hookimpl
from core.options import Option, options_for
from core.plugins import Manifest, Message

manifest = Manifest(
    name="order_limit",
    title="Order limit (example)",
    version="0.1.0",
    description="Example third-party plugin: stops sales orders above a set amount.",
    depends=("sales_order",),
    default_enabled=False,  # its "Testing" tab can make saves fail on purpose: an administrator switches it on
    table_prefix="orderlimit_",
)


@hookimpl
def setup_options():
    return [
        Option("max_order_total", "decimal", Decimal("100000"), "Maximum order total", tab="Limits",
               help="Sales orders whose total is above this amount are refused.", min=Decimal("0")),
        Option("fail_on_save_marker", "text", "", "Fail when the notes contain", tab="Testing",
               help="Raise an error during the save when the order's notes contain this text "
                    "(shows that a plugin's failure rolls the whole save back)."),
    ]


@hookimpl
def validate_sales_order(order):
    limit = options_for("order_limit")["max_order_total"]
    total = order.total
    if total > limit:
        return [Message("error", f"Order total {total:,.2f} is above the limit of {limit:,.2f}.", plugin="order_limit")]
    return []


@hookimpl
def on_sales_order_saved(order, created, changes):
    marker = options_for("order_limit")["fail_on_save_marker"]
    if marker and marker in (order.notes or ""):
        raise RuntimeError(f"order notes contain {marker!r}")
