"""PO allocation: link new sales orders' back orders to open PO quantity (seed 001, off by default)."""

from core.options import PluginOptions

PLUGIN = "po_allocation"
# The option declarations (submodule ``options``) load first: importing a submodule binds its
# name on the package, and ``options`` below must stay the bound accessor.
from . import options as _declarations  # noqa: E402,F401

options = PluginOptions(PLUGIN)
