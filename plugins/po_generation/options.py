"""The Generate tab of Sage 100's Purchase Order Options (plus *Include All Drop Ship
Line Items* from its Line Entry tab), declared once. Help texts are the seed's wording.

COGS Accounts for Drop Ship Lines is out of scope (no general ledger) and is not declared.
*Carry the alias item number* is said in OrderBridge's words.
"""

from __future__ import annotations

from core.options import Option

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

OPTIONS = [
    Option("combine_by_vendor", "bool", False, "Combine Sales Orders by Vendor", tab=GEN,
           help="Select this check box to combine multiple sales orders for a vendor into one purchase order. If "
                "this check box is selected, the item lines on multiple sales orders that contain the same vendor "
                "number will be generated into one purchase order. Note: This applies only to item lines that are "
                "not drop shipped."),
    Option("use_so_number", "bool", True, "Use Sales Order Number as Purchase Order Number", tab=GEN,
           available_if=NOT_COMBINING,
           help="Select this check box to use the sales order number as the purchase order number when "
                "automatically generating purchase orders from sales orders. If this check box is cleared, the next "
                "automatic purchase order number is used. This field is available only if the Combine Sales Orders "
                "by Vendor check box is cleared."),
    Option("increment_at", "choice", "beginning", "Apply Incremental Value to Purchase Order No. At", tab=GEN,
           choices=INCREMENT_CHOICES, available_if={"use_so_number": True},
           help="Select Beginning to replace the leading zero of the order number with a numeric character "
                "1 through 9, and then alpha characters (A through Z) (a number without a leading zero is prefixed "
                "by 0 through 9, then A through Z). Select End to remove the leading zero of the order number and "
                "apply an alpha character (A through Z) to the end. When the values run out, the next automatic "
                "purchase order number is used. Available only if Use Sales Order Number as Purchase Order Number "
                "is selected."),
    Option("header_date", "choice", "so_ship_date", "Base PO Header Required Date On", tab=GEN,
           choices=HEADER_DATE_CHOICES,
           help="Select an option to use for the required date on the purchase order header: the "
                "sales order ship date, the sales order order date, the purchasing date (purchase order options), the system "
                "date, or Prompt to be prompted to select a required date when generating the purchase orders."),
    Option("line_date", "choice", "so_promise_date", "Base PO Lines Required Date On", tab=GEN,
           choices=LINE_DATE_CHOICES,
           help="Select an option to use for the required date on the lines: the sales order promise date, the "
                "purchasing date (purchase order options), the system date, or Prompt to be prompted to select a required date "
                "when generating the purchase orders."),
    Option("print_listing_by_customer", "bool", True, "Print Auto Generate Listing Sorted by Customer Number",
           tab=GEN, help="Select this check box to print the Auto Generate from Sales Order Listing sorted by "
                         "customer number. Clear this check box if you want to print the listing sorted by vendor "
                         "number."),
    Option("print_number_assignment", "bool", True, "Print Purchase Order Number Assignment Listing", tab=GEN,
           help="Select this check box to print the Purchase Order Number Assignment Listing after generating the "
                "purchase orders. Clear this check box if you do not want to print the listing."),
    Option("access_po_entry", "bool", False, "Open the Purchase Orders After Generation", tab=GEN,
           help="Select this check box to open the generated purchase orders after generating them from sales "
                "orders (for users whose role may change purchase orders)."),
    Option("print_after", "bool", False, "Print Purchase Orders After Generation", tab=GEN,
           available_if={"access_po_entry": False},
           help="Select this check box to be prompted to print the purchase orders after generating them from sales "
                "orders. This field is available only if the Open the Purchase Orders After Generation check box "
                "is cleared."),
    Option("enable_in_entry", "bool", True, "Enable Purchase Order Generation During Sales Order Entry", tab=GEN,
           help="Select this check box to enable purchase order generation in sales order entry. If this check box "
                "is selected, the Generate PO button is enabled in sales order entry to generate one or multiple "
                "purchase orders for the selected sales order."),
    Option("prompt_on_new", "bool", True, "Prompt to Generate Purchase Order on New Sales Orders", tab=GEN,
           available_if={"enable_in_entry": True},
           help="Select this check box to be prompted to generate purchase orders after the new sales order is "
                "created in sales order entry. This field is available only if the Enable Purchase Order Generation "
                "During Sales Order Entry check box is selected."),
    Option("generate_on_save", "bool", False, "Generate Automatically When a Sales Order Is Saved", tab=GEN,
           help="Select this check box to generate the purchase orders a sales order needs every time it is saved, "
                "in the same transaction (saving twice orders nothing twice)."),
    Option("sort_lines", "choice", "so_line", "Sort Purchase Order Lines By", tab=GEN, choices=SORT_CHOICES,
           available_if=NOT_COMBINING,
           help="Select an option for sorting the purchase order lines. The sort option determines the order in "
                "which the lines appear on the purchase order and on the Auto Generate from Sales "
                "Orders Listing. This field is available only if the Combine Sales Orders by Vendor check box is "
                "cleared."),
    Option("ship_to", "choice", "drop_ship", "Ship-To Address", tab=GEN, choices=SCOPE_CHOICES,
           available_if=NOT_COMBINING,
           help="Select Drop Ship Only to use the sales order ship-to address information for drop-shipped purchase "
                "orders only. Select All Purchase Orders to use the sales order ship-to address information for "
                "drop-shipped and standard purchase orders."),
    Option("ship_via", "choice", "drop_ship", "Ship Via", tab=GEN, choices=SCOPE_CHOICES,
           available_if=NOT_COMBINING,
           help="Select Drop Ship Only to use the sales order ship via information for drop-shipped purchase orders "
                "only. Select All Purchase Orders to use it for drop-shipped and standard purchase orders."),
    Option("fob", "choice", "drop_ship", "FOB", tab=GEN, choices=SCOPE_CHOICES, available_if=NOT_COMBINING,
           help="Select Drop Ship Only to use the sales order FOB information for drop-shipped purchase orders only. "
                "Select All Purchase Orders to use it for drop-shipped and standard purchase orders."),
    Option("confirm_to", "choice", "drop_ship", "Confirm To", tab=GEN, choices=YES_NO_DS_CHOICES,
           help="Select Yes to include the sales order confirm-to information (Yes is available only if the "
                "Combine Sales Orders by Vendor check box is cleared; when combining it acts as Drop Ship Only). "
                "Select No to exclude it. Select Drop Ship Only to include it for drop-shipped purchase orders "
                "only."),
    Option("email", "choice", "drop_ship", "E-mail Address", tab=GEN, choices=YES_NO_DS_CHOICES,
           help="Select Yes to include the sales order e-mail address (Yes is available only if the Combine Sales "
                "Orders by Vendor check box is cleared). Select No to exclude it. Select Drop Ship Only to include "
                "it for drop-shipped purchase orders only."),
    Option("alias_item_number", "bool", False, "Carry the alias item number to purchase order lines", tab=GEN,
           help="When selected, the alias item number typed on a sales order line (the customer's own number for "
                "the item, or another alternate number) is copied to the purchase order line generated for it, "
                "and printed on the purchase order beside our item code. When cleared, purchase order lines "
                "carry no alias. Item numbers only matter when inventory is integrated, as it always is here."),
    Option("include_all_drop_ship", "choice", "vendor", "Include All Drop Ship Line Items", tab="Line Entry",
           choices=INCLUDE_CHOICES,
           help="Select whether to include all drop ship line items on the purchase order form. Only for PO Vendor: "
                "only drop ship line items from the sales order whose vendor matches the purchase order vendor. "
                "Yes: all drop ship line items from the sales order, regardless of the vendor on the sales order "
                "lines. Prompt: be asked, when a drop ship line item is entered, whether to include all drop ship "
                "line items or only those that match the purchase order vendor."),
]
