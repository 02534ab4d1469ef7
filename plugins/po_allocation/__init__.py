"""PO allocation: link new sales orders' back orders to open PO quantity (seed 001, off by default)."""

from core.options import PluginOptions

PLUGIN = "po_allocation"
options = PluginOptions(PLUGIN)
