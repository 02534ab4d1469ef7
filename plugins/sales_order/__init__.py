"""Sales orders (SYSPRO Sales Order Setup, seed 004).

The plugin's name, its option access and its role sets are bound here once; every
module of the plugin imports them from this package.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from core.options import PluginOptions
from core.plugins import host_of

PLUGIN = "sales_order"
# The option declarations (submodule ``options``) load first: importing a submodule binds its
# name on the package, and ``options`` below must stay the bound accessor.
from . import options as _declarations  # noqa: E402,F401

options = PluginOptions(PLUGIN)

WRITERS = ("sales",)  # enter, change, ship and release orders (admin always passes)
CREDIT_ROLES = ("admin",)  # authorise an order held in suspense (credit)
PURGERS = ("admin",)  # run the Order Purge from the list page


def hook() -> Any:
    """The enabled plugins' hook callers: ``hook().on_sales_order_saved(order=..., ...)``."""
    return host_of(current_app).hook
