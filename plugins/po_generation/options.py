"""The Generate tab of Sage 100's Purchase Order Options (plus *Include All Drop Ship
Line Items* from its Line Entry tab), declared once. Help texts say in OrderBridge's words what each option does.

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
                  "When on, generation puts the lines of several sales orders that go to the same "
                  "vendor on one purchase order (one per vendor and warehouse), adding to an open "
                  "purchase order of that vendor not yet sent. Drop-shipped lines always get a "
                  "purchase order of their own."),
    generate.flag("use_so_number", "Use Sales Order Number as Purchase Order Number",
                  "When on, a generated purchase order takes its sales order's number; when that "
                  "number is taken, the increment below makes it unique. When off, it takes the next "
                  "automatic purchase order number. Only without combining.", default=True, available_if=NOT_COMBINING),
    generate.choice("increment_at", "beginning", "Apply Incremental Value to Purchase Order No. At",
                    INCREMENT_CHOICES,
                    "How a sales order number is made unique when its purchase order number is taken. "
                    "Beginning: the leading zero becomes 1 to 9, then A to Z (a number without a "
                    "leading zero gets 0 to 9, then A to Z in front). End: the leading zero is "
                    "dropped and A to Z is added at the end. When these run out, the next automatic "
                    "number is used. Only when the sales order number is used.", available_if={"use_so_number": True}),
    generate.choice("header_date", "so_ship_date", "Base PO Header Required Date On", HEADER_DATE_CHOICES,
                    "The required date of a generated purchase order: the sales order's ship date or "
                    "order date, the purchasing date (purchase order options), today, or Prompt to "
                    "type a date when generating."),
    generate.choice("line_date", "so_promise_date", "Base PO Lines Required Date On", LINE_DATE_CHOICES,
                    "The required date of each generated purchase order line: the sales order line's "
                    "promise date, the purchasing date (purchase order options), today, or Prompt to "
                    "type a date when generating."),
    generate.flag("print_listing_by_customer", "Print Auto Generate Listing Sorted by Customer Number",
                  "The Auto Generate from Sales Orders Listing shown after a generation is sorted by "
                  "customer number when on, by vendor number when off.", default=True),
    generate.flag("print_number_assignment", "Print Purchase Order Number Assignment Listing",
                  "When on, the Purchase Order Number Assignment Listing (which sales order got which "
                  "purchase order number) is shown after a generation.",
                  default=True),
    generate.flag("access_po_entry", "Open the Purchase Orders After Generation",
                  "When on, the generated purchase orders open after a generation, for users whose "
                  "role may change purchase orders."),
    generate.flag("print_after", "Print Purchase Orders After Generation",
                  "When on, you are asked whether to print the generated purchase orders after a "
                  "generation. Only when they do not open after generation.", available_if={"access_po_entry": False}),
    generate.flag("enable_in_entry", "Enable Purchase Order Generation During Sales Order Entry",
                  "When on, the sales order page has a Generate POs button that makes the purchase "
                  "orders the order still needs. When off, purchase orders are generated from the "
                  "Auto generate POs page or the command line only.", default=True),
    generate.flag("prompt_on_new", "Prompt to Generate Purchase Order on New Sales Orders",
                  "When on, saving a new sales order that needs something bought asks whether to "
                  "generate its purchase orders now. Only when generation from the sales order page "
                  "is on.",
                  default=True, available_if={"enable_in_entry": True}),
    generate.flag("generate_on_save", "Generate Automatically When a Sales Order Is Saved",
                  "When on, every save of a sales order generates the purchase orders it needs, in "
                  "the same transaction: saving twice never orders a line twice."),
    generate.choice("sort_lines", "so_line", "Sort Purchase Order Lines By", SORT_CHOICES,
                    "The order of the lines on a generated purchase order and on the Auto Generate "
                    "from Sales Orders Listing. Only without combining.", available_if=NOT_COMBINING),
    generate.choice("ship_to", "drop_ship", "Ship-To Address", SCOPE_CHOICES,
                    "Drop Ship Only: a drop-ship purchase order takes the sales order's ship-to "
                    "address, a standard one the warehouse's. All Purchase Orders: every generated "
                    "purchase order takes the sales order's ship-to address.", available_if=NOT_COMBINING),
    generate.choice("ship_via", "drop_ship", "Ship Via", SCOPE_CHOICES,
                    "Drop Ship Only: only drop-ship purchase orders take the sales order's ship via. "
                    "All Purchase Orders: every generated purchase order takes it.",
                    available_if=NOT_COMBINING),
    generate.choice("fob", "drop_ship", "FOB", SCOPE_CHOICES,
                    "Drop Ship Only: only drop-ship purchase orders take the sales order's FOB. All "
                    "Purchase Orders: every generated purchase order takes it.",
                    available_if=NOT_COMBINING),
    generate.choice("confirm_to", "drop_ship", "Confirm To", YES_NO_DS_CHOICES,
                    "Whether a generated purchase order takes the sales order's confirm-to name. Yes: "
                    "always (when combining, drop-ship orders only). No: never. Drop Ship Only: "
                    "drop-ship purchase orders only."),
    generate.choice("email", "drop_ship", "E-mail Address", YES_NO_DS_CHOICES,
                    "Whether a generated purchase order takes the sales order's e-mail address. Yes: "
                    "always (when combining, drop-ship orders only). No: never. Drop Ship Only: "
                    "drop-ship purchase orders only."),
    generate.flag("alias_item_number", "Carry the alias item number to purchase order lines",
                  "When selected, the alias item number typed on a sales order line (the customer's own number for "
                  "the item, or another alternate number) is copied to the purchase order line generated for it, "
                  "and printed on the purchase order beside our item code. When cleared, purchase order lines "
                  "carry no alias. Item numbers only matter when inventory is integrated, as it always is here."),
    line_entry.choice("include_all_drop_ship", "vendor", "Include All Drop Ship Line Items", INCLUDE_CHOICES,
                      "Which drop-ship lines of the sales order go on a drop-ship purchase order made "
                      "by hand. Only for PO Vendor: the lines whose vendor is the purchase order's "
                      "vendor. Yes: every drop-ship line, whatever its vendor. Prompt: the page asks "
                      "each time."),
]
