"""The Generate tab of Sage 100's Purchase Order Options (plus *Include All Drop Ship
Line Items* from its Line Entry tab), declared once. Help texts are the seed's wording.

COGS Accounts for Drop Ship Lines is out of scope (no general ledger) and is not declared.
*Carry the alias item number* is said in OrderBridge's words.
"""

from __future__ import annotations

from core.options import OptionTab

from .choices import (
    HEADER_DATE_CHOICES,
    INCLUDE_CHOICES,
    INCREMENT_CHOICES,
    LINE_DATE_CHOICES,
    SCOPE_CHOICES,
    SORT_CHOICES,
    YES_NO_DS_CHOICES,
)

GEN = "Generate"
NOT_COMBINING = {"combine_by_vendor": False}

generate = OptionTab(GEN)
line_entry = OptionTab("Line Entry")

OPTIONS = [
    generate.flag("combine_by_vendor", "Combine Sales Orders by Vendor",
                  "Select this check box to combine multiple sales orders for a vendor into one purchase order. If "
                  "this check box is selected, the item lines on multiple sales orders that contain the same vendor "
                  "number will be generated into one purchase order. Note: This applies only to item lines that are "
                  "not drop shipped."),
    generate.flag("use_so_number", "Use Sales Order Number as Purchase Order Number",
                  "Select this check box to use the sales order number as the purchase order number when "
                  "automatically generating purchase orders from sales orders. If this check box is cleared, the next "
                  "automatic purchase order number is used. This field is available only if the Combine Sales Orders "
                  "by Vendor check box is cleared.", default=True, available_if=NOT_COMBINING),
    generate.choice("increment_at", "beginning", "Apply Incremental Value to Purchase Order No. At",
                    INCREMENT_CHOICES,
                    "Select Beginning to replace the leading zero of the order number with a numeric character "
                    "1 through 9, and then alpha characters (A through Z) (a number without a leading zero is prefixed "
                    "by 0 through 9, then A through Z). Select End to remove the leading zero of the order number and "
                    "apply an alpha character (A through Z) to the end. When the values run out, the next automatic "
                    "purchase order number is used. Available only if Use Sales Order Number as Purchase Order Number "
                    "is selected.", available_if={"use_so_number": True}),
    generate.choice("header_date", "so_ship_date", "Base PO Header Required Date On", HEADER_DATE_CHOICES,
                    "Select an option to use for the required date on the purchase order header: the "
                    "sales order ship date, the sales order order date, the purchasing date (purchase order options), the system "
                    "date, or Prompt to be prompted to select a required date when generating the purchase orders."),
    generate.choice("line_date", "so_promise_date", "Base PO Lines Required Date On", LINE_DATE_CHOICES,
                    "Select an option to use for the required date on the lines: the sales order promise date, the "
                    "purchasing date (purchase order options), the system date, or Prompt to be prompted to select a required date "
                    "when generating the purchase orders."),
    generate.flag("print_listing_by_customer", "Print Auto Generate Listing Sorted by Customer Number",
                  "Select this check box to print the Auto Generate from Sales Order Listing sorted by "
                  "customer number. Clear this check box if you want to print the listing sorted by vendor "
                  "number.", default=True),
    generate.flag("print_number_assignment", "Print Purchase Order Number Assignment Listing",
                  "Select this check box to print the Purchase Order Number Assignment Listing after generating the "
                  "purchase orders. Clear this check box if you do not want to print the listing.",
                  default=True),
    generate.flag("access_po_entry", "Open the Purchase Orders After Generation",
                  "Select this check box to open the generated purchase orders after generating them from sales "
                  "orders (for users whose role may change purchase orders)."),
    generate.flag("print_after", "Print Purchase Orders After Generation",
                  "Select this check box to be prompted to print the purchase orders after generating them from sales "
                  "orders. This field is available only if the Open the Purchase Orders After Generation check box "
                  "is cleared.", available_if={"access_po_entry": False}),
    generate.flag("enable_in_entry", "Enable Purchase Order Generation During Sales Order Entry",
                  "Select this check box to enable purchase order generation in sales order entry. If this check box "
                  "is selected, the Generate PO button is enabled in sales order entry to generate one or multiple "
                  "purchase orders for the selected sales order.", default=True),
    generate.flag("prompt_on_new", "Prompt to Generate Purchase Order on New Sales Orders",
                  "Select this check box to be prompted to generate purchase orders after the new sales order is "
                  "created in sales order entry. This field is available only if the Enable Purchase Order Generation "
                  "During Sales Order Entry check box is selected.",
                  default=True, available_if={"enable_in_entry": True}),
    generate.flag("generate_on_save", "Generate Automatically When a Sales Order Is Saved",
                  "Select this check box to generate the purchase orders a sales order needs every time it is saved, "
                  "in the same transaction (saving twice orders nothing twice)."),
    generate.choice("sort_lines", "so_line", "Sort Purchase Order Lines By", SORT_CHOICES,
                    "Select an option for sorting the purchase order lines. The sort option determines the order in "
                    "which the lines appear on the purchase order and on the Auto Generate from Sales "
                    "Orders Listing. This field is available only if the Combine Sales Orders by Vendor check box is "
                    "cleared.", available_if=NOT_COMBINING),
    generate.choice("ship_to", "drop_ship", "Ship-To Address", SCOPE_CHOICES,
                    "Select Drop Ship Only to use the sales order ship-to address information for drop-shipped purchase "
                    "orders only. Select All Purchase Orders to use the sales order ship-to address information for "
                    "drop-shipped and standard purchase orders.", available_if=NOT_COMBINING),
    generate.choice("ship_via", "drop_ship", "Ship Via", SCOPE_CHOICES,
                    "Select Drop Ship Only to use the sales order ship via information for drop-shipped purchase orders "
                    "only. Select All Purchase Orders to use it for drop-shipped and standard purchase orders.",
                    available_if=NOT_COMBINING),
    generate.choice("fob", "drop_ship", "FOB", SCOPE_CHOICES,
                    "Select Drop Ship Only to use the sales order FOB information for drop-shipped purchase orders only. "
                    "Select All Purchase Orders to use it for drop-shipped and standard purchase orders.",
                    available_if=NOT_COMBINING),
    generate.choice("confirm_to", "drop_ship", "Confirm To", YES_NO_DS_CHOICES,
                    "Select Yes to include the sales order confirm-to information (Yes is available only if the "
                    "Combine Sales Orders by Vendor check box is cleared; when combining it acts as Drop Ship Only). "
                    "Select No to exclude it. Select Drop Ship Only to include it for drop-shipped purchase orders "
                    "only."),
    generate.choice("email", "drop_ship", "E-mail Address", YES_NO_DS_CHOICES,
                    "Select Yes to include the sales order e-mail address (Yes is available only if the Combine Sales "
                    "Orders by Vendor check box is cleared). Select No to exclude it. Select Drop Ship Only to include "
                    "it for drop-shipped purchase orders only."),
    generate.flag("alias_item_number", "Carry the alias item number to purchase order lines",
                  "When selected, the alias item number typed on a sales order line (the customer's own number for "
                  "the item, or another alternate number) is copied to the purchase order line generated for it, "
                  "and printed on the purchase order beside our item code. When cleared, purchase order lines "
                  "carry no alias. Item numbers only matter when inventory is integrated, as it always is here."),
    line_entry.choice("include_all_drop_ship", "vendor", "Include All Drop Ship Line Items", INCLUDE_CHOICES,
                      "Select whether to include all drop ship line items on the purchase order form. Only for PO Vendor: "
                      "only drop ship line items from the sales order whose vendor matches the purchase order vendor. "
                      "Yes: all drop ship line items from the sales order, regardless of the vendor on the sales order "
                      "lines. Prompt: be asked, when a drop ship line item is entered, whether to include all drop ship "
                      "line items or only those that match the purchase order vendor."),
]
