"""The plugin's setup options, declared once. Help texts follow the seed's wording (001)."""

from __future__ import annotations

from core.options import Option

from . import PLUGIN

TAB = "Allocation"

OPTIONS = [
    Option("allocate_on_entry", "bool", True, "Allocate Existing Purchase Orders to New Sales Orders", tab=TAB,
           help="Select this check box to create back order associations for newly created sales orders to "
                "existing purchase orders. If there is not enough outstanding stock on the purchase orders to "
                "fulfil the full quantity of a line, the line is skipped and has to be ordered and assigned "
                "manually."),
    Option("allocate_on_import", "bool", True, "Also Allocate Imported and API Sales Orders", tab=TAB,
           available_if={"allocate_on_entry": True},
           help="Select this check box to create the same back order associations for sales orders imported from "
                "a file or created through the API. Available only if Allocate Existing Purchase Orders to New "
                "Sales Orders is selected."),
    Option("default_line_status", "text", "", "Default PO Line Status", tab=TAB,
           help="The purchase order line status (code, see PO line statuses) set on a purchase order line when a "
                "sales order is allocated to it. If that status has a BACK ORDER email template, an email to the "
                "customer is added to the pending emails. Leave blank to keep the line's status."),
]

__all__ = ["OPTIONS", "PLUGIN"]
