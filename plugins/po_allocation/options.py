"""The plugin's setup options, declared once. Help texts follow the seed's wording (001)."""

from __future__ import annotations

from core.options import OptionTab

from . import PLUGIN

TAB = "Allocation"

allocation = OptionTab(TAB)

OPTIONS = [
    allocation.flag("allocate_on_entry", "Allocate Existing Purchase Orders to New Sales Orders",
                    "Select this check box to create back order associations for newly created sales orders to "
                    "existing purchase orders. If there is not enough outstanding stock on the purchase orders to "
                    "fulfil the full quantity of a line, the line is skipped and has to be ordered and assigned "
                    "manually.", default=True),
    allocation.flag("allocate_on_import", "Also Allocate Imported and API Sales Orders",
                    "Select this check box to create the same back order associations for sales orders imported from "
                    "a file or created through the API. Available only if Allocate Existing Purchase Orders to New "
                    "Sales Orders is selected.", default=True, available_if={"allocate_on_entry": True}),
    allocation.text("default_line_status", "", "Default PO Line Status",
                    "The purchase order line status (code, see PO line statuses) set on a purchase order line when a "
                    "sales order is allocated to it. If that status has a BACK ORDER email template, an email to the "
                    "customer is added to the pending emails. Leave blank to keep the line's status."),
]

__all__ = ["OPTIONS", "PLUGIN"]
