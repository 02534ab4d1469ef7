"""The plugin's setup options, declared once. Help texts say in OrderBridge's words what each option does (seed 001)."""

from __future__ import annotations

from core.options import OptionTab

from . import PLUGIN

TAB = "Allocation"

allocation = OptionTab(TAB)

OPTIONS = [
    allocation.flag("allocate_on_entry", "Allocate Existing Purchase Orders to New Sales Orders",
                    "When on, a new sales order line that waits on back order is linked to an open "
                    "purchase order line of the same item with quantity not yet promised to other "
                    "orders. A line the open purchase orders cannot cover in full is left for a buyer "
                    "to order and assign by hand.", default=True),
    allocation.flag("allocate_on_import", "Also Allocate Imported and API Sales Orders",
                    "When on, sales orders imported from a file or created through the API are linked "
                    "the same way. Only when new sales orders are linked.", default=True, available_if={"allocate_on_entry": True}),
    allocation.text("default_line_status", "", "Default PO Line Status",
                    "The purchase order line status (code, see PO line statuses) set on a purchase order line when a "
                    "sales order is allocated to it. If that status has a BACK ORDER email template, an email to the "
                    "customer is added to the pending emails. Leave blank to keep the line's status."),
]

__all__ = ["OPTIONS", "PLUGIN"]
