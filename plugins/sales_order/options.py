"""The sales order setup options (SYSPRO Sales Order Setup, seed 004), declared once."""

from __future__ import annotations

from decimal import Decimal

from core.options import Option, OptionTab

general = OptionTab("General")
credit = OptionTab("Credit")
margins = OptionTab("Margins")
pricing = OptionTab("Pricing")
numbering = OptionTab("Numbering")
history = OptionTab("History")
entry = OptionTab("Entry")
back_orders = OptionTab("Back orders")

# the order statuses whose prices the order purge may bring up to date, one option each
PURGE_PRICE_STATUSES = (("1", "open order"), ("2", "open back order"), ("3", "released back order"),
                        ("4", "in warehouse"), ("8", "ready to invoice"), ("F", "forward order"))
PURGE_PRICES_HELP = ("One of the order statuses the order purge looks at to bring line prices up to date: the "
                     "unshipped lines of stocked items on orders in the statuses selected take the item's current "
                     "list price (and their values are worked out again).")

OPTIONS: list[Option] = [
    # -- General --------------------------------------------------------------------
    general.flag("allow_negative_qty", "Allow negative quantities for sales orders",
                 "Select this to be able to enter negative quantities for stocked and non-stocked lines "
                 "when capturing orders."),
    general.flag("cancel_invoiced", "Cancel open order previously invoiced",
                 "Select this to be able to cancel orders in a status of 2 (i.e. open back order) without having "
                 "to first mark them as complete. If you do not select this option, then any order that has "
                 "previously been invoiced (irrespective of its status) cannot be cancelled, but has to be set "
                 "to complete."),
    general.flag("fix_ship_address", "Fix ship address at time of order entry",
                 "If you enable this option, then the order header Ship to address on an order which is still in "
                 "progress is not changed when you change the ship address against the customer. If you do not "
                 "enable this option, then the latest Ship to Address against the customer is used for the order "
                 "header."),
    general.flag("ignore_zero_cost", "Ignore warning if item has zero cost in order entry",
                 "Select this to suppress the warning shown in sales order entry when saving a line "
                 "for a stocked or non-stocked item that has a zero cost."),
    general.flag("display_costs", "Display costs and gross profit in order totals",
                 "Select this to show cost and gross profit on the sales order page and the order entry form, "
                 "for the entire order and for each line."),
    general.choice("dup_po_validation", "none", "Validation of duplicate customer p/order numbers",
                   (("none", "No validation"), ("customer", "By customer"), ("company", "By company")),
                   "No validation: customer purchase order numbers need not be unique. By customer: a customer's "
                   "purchase order number may not be used more than once for the same customer. By company: "
                   "customer purchase order numbers must be unique for the company."),
    general.choice("dup_po_action", "warning", "Duplicate customer p/order number",
                   (("warning", "Warning"), ("prevent", "Prevent")),
                   "Warning: be notified when a customer purchase order number is entered that has already been "
                   "used for the same customer or company. Prevent: prevent an order from being captured if the "
                   "customer purchase order number has already been used.",
                   available_if={"dup_po_validation": ("customer", "company")}),
    general.choice("back_orders", "manual", "Back orders",
                   (("not_required", "Not required"), ("manual", "Manual"), ("automatic", "Automatic")),
                   "Not required: the sales order status is set to complete (status 9) once the invoice is printed; "
                   "the order quantity which could not be shipped is ignored. Manual: after an invoice for a partial "
                   "shipment, move the quantity from back order into ship yourself (or use Back Order Release). "
                   "Automatic: move the back order quantity to ship automatically after the invoice is printed, if "
                   "there is sufficient stock on hand."),
    general.choice("non_stocked_action", "always", "Non-stocked action",
                   (("always", "Always"), ("never", "Never"), ("if_unattached", "If unattached")),
                   "Always: automatically release non-stocked items that are on back order. Never: never "
                   "automatically release them; they must be released manually. If unattached: release them "
                   "automatically providing they are not attached to purchase orders, requisitions or jobs. "
                   "These options are available only if you selected Automatic at the Back orders option.",
                   available_if={"back_orders": "automatic"}),
    general.number("scheduled_days", 15, "Number of days within which scheduled orders will be allocated",
                   (1, 99999),
                   "Stock is automatically allocated (providing there is enough quantity available) when the "
                   "difference between the ship date and document date is less than the number of days specified "
                   "here. Otherwise use Allocate scheduled orders on the Back orders page to allocate the stock. "
                   "The maximum number of days that can be specified is 99999."),
    # -- Credit ---------------------------------------------------------------------
    credit.flag("check_credit_limit", "Check customer's credit limit",
                "Select this if you want credit checking to be based on the customer's credit limit (i.e. whether "
                "the customer's balance and outstanding order value exceeds the credit limit). If a customer "
                "fails a credit check, then the entered order is placed into suspense until the appropriate "
                "credit authority is entered to release the order."),
    credit.flag("check_terms", "Check customer's invoice terms",
                "Select this if you want credit checking to be based on the customer's invoice terms."),
    credit.flag("terms_use_credit_status", "Use customer credit status for terms check",
                "This option is only available if you selected the option: Check customer's invoice terms. "
                "The terms credit check then calculates the number of days outstanding as 30 times the credit "
                "status of the customer, less the customer's invoice terms. If you do not select this option, "
                "the check is based on the number of days that the oldest, non-credit transaction is "
                "outstanding against the customer.", available_if={"check_terms": True}),
    credit.flag("credit_current_only", "Apply check to current orders only",
                "Select this to apply credit limit checking at the time an invoice is about to be produced. "
                "Credit checking is not done when the order is captured, but only when it is invoiced. The "
                "check is based on the value of the invoice about to be produced, the customer's current "
                "balance and the ship value of any orders for the customer in a status of ready to invoice.",
                available_if={"check_credit_limit": True}),
    credit.choice("release_credit_check", "none", "Credit check for orders that are to be released",
                  (("none", "No check"), ("authorize", "Check and authorize to release"),
                   ("reject", "Check and reject if fail")),
                  "The credit check performed when releasing an order for invoicing (status 8). No check: none. "
                  "Check and authorize to release: if the check fails, the order has to be authorized before "
                  "continuing (it is put into suspense). Check and reject if fail: the order cannot be released "
                  "for invoicing and remains in its current status. Ignored when back orders are released from the Back orders page."),
    credit.flag("credit_authority_manual_release",
                "Credit authority needed to release orders placed in suspense manually",
                "Select this so that an order a clerk put in suspense by hand can be released only by a user "
                "with credit authority. When cleared, the sales clerks release such orders themselves. Orders "
                "held by a credit check always need the credit authority."),
    # -- Margins --------------------------------------------------------------------
    margins.choice("margin_check", "none", "Minimum price percentage above cost",
                   (("none", "Not required"), ("company", "Company margin"), ("stock_code", "Stock code margin")),
                   "Not required: no minimum price percentage above cost check. Company margin: apply the minimum "
                   "price margin percentage check at company level. Stock code margin: apply it at stock code "
                   "level; used only if you have assigned a minimum margin to the stock item."),
    margins.number("margin_pct", Decimal("10"), "Minimum price percentage above cost (%)",
                   (Decimal("0"), Decimal("999")),
                   "Indicate the minimum percentage amount by which the price must exceed the cost.",
                   available_if={"margin_check": "company"}),
    margins.flag("margin_override", "Minimum price % above cost margin override allowed",
                 "Select this to be able to continue processing an order, regardless of whether the minimum price "
                 "margin has been exceeded. If you do not select this option, then you will be unable to continue "
                 "processing a sales order that has exceeded this minimum price percentage above cost margin.",
                 available_if={"margin_check": ("company", "stock_code")}),
    margins.choice("margin_basis", "net", "Margin check based on",
                   (("gross", "Gross value"), ("net", "Net value")),
                   "Gross value: base the minimum margin check on the extended order line value excluding any line "
                   "discounts. Net value: base it on the extended order line value including line discounts.",
                   available_if={"margin_check": ("company", "stock_code")}),
    # -- Pricing --------------------------------------------------------------------
    pricing.choice("discount_method", "line", "Line discount calculation",
                   (("line", "Line discount"), ("price", "Price discount")),
                   "Line discount: calculate line discounts by multiplying the price of an item by the quantity "
                   "ordered and then applying the discount applicable. Price discount: apply the discount to the "
                   "unit price before multiplying this by the quantity ordered (the net unit price of a line)."),
    pricing.flag("invoice_discount_after_line", "Calculate invoice discount after line discount",
                 "Select this to work out an order's invoice discount on the line values after their line "
                 "discounts. When cleared, the invoice discount and the line discounts are both taken from the "
                 "order's merchandise value before any discount."),
    pricing.number("price_decimals", 3, "Number of decimals for contract and net unit prices", (2, 5),
                   "The number of decimals to use when calculating net unit prices. The number of decimals normally "
                   "applied to pricing calculations is three; you can round the calculated price to two, three, four "
                   "or five decimals."),
    # -- Numbering ------------------------------------------------------------------
    numbering.choice("order_numbering", "automatic", "Order numbering",
                     (("manual", "Manual"), ("automatic", "Automatic")),
                     "Automatic: sales order numbers are generated at company level from the next numbers below. "
                     "Manual: the operator enters the order number."),
    numbering.option("next_sales_order", "sequence", 100001, "Next sales order",
                     "Indicate the next sales order number that the system will use, if order numbers are being "
                     "generated at company level.",
                     min=1, max=9_999_999, available_if={"order_numbering": "automatic"}, sequence={"name": "so_order", "width": 7, "min_value": 1, "max_value": 9_999_999}),
    numbering.option("next_credit_note", "sequence", 800000, "Next credit note",
                     "Indicate the next credit note number that the system will use, if order numbers are being "
                     "generated at company level. This number must be in the range 800000 to 899999.",
                     min=800000, max=899999, available_if={"order_numbering": "automatic"}, sequence={"name": "so_credit_note", "width": 6, "min_value": 800000, "max_value": 899999}),
    numbering.option("next_debit_note", "sequence", 900000, "Next debit note",
                     "Indicate the next debit note number that the system will use, if order numbers are being "
                     "generated at company level. This number must be in the range 900000 to 999999.",
                     min=900000, max=999999, available_if={"order_numbering": "automatic"}, sequence={"name": "so_debit_note", "width": 6, "min_value": 900000, "max_value": 999999}),
    numbering.flag("order_no_to_invoice", "Order number moved to invoice number",
                   "Select this if you want the order number to be allocated as the invoice number of the first "
                   "invoice generated for the order. For subsequent invoices produced for the order, the next "
                   "invoice number is assigned."),
    numbering.flag("invoice_number_per_customer", "Allow same invoice number for different customers",
                   "Select this so that an invoice number need only be unique among one customer's invoices: the "
                   "same number may be used for another customer (for instance an invoice number entered when the "
                   "order is released). When cleared, every sales invoice number is unique in the company."),
    numbering.choice("release_invoice_numbering", "automatic", "Order release invoice numbering",
                     (("automatic", "Automatic"), ("manual", "Manual")),
                     "Automatic: an order released for invoicing gets its invoice number when it is invoiced (the "
                     "order number for the first invoice if the order number moves to the invoice number, otherwise "
                     "the next invoice number). Manual: the clerk may enter the invoice number when releasing the "
                     "order from the warehouse; when none is entered, the automatic number is used."),
    numbering.flag("request_invoice_number", "Request invoice number when released from status 4",
                   "Select this to ask for the invoice number when an order in the warehouse (status 4) is released "
                   "for invoicing; the next invoice of the order gets it. Available only if order release invoice "
                   "numbering is manual.", available_if={"release_invoice_numbering": "manual"}),
    numbering.flag("request_invoice_date", "Request invoice date when released from status 4",
                   "Select this to ask for the invoice date when an order in the warehouse (status 4) is released "
                   "for invoicing; the next invoice of the order is dated with it instead of the day it is made."),
    # -- History --------------------------------------------------------------------
    history.number("retain_days", 999, "Number of days to retain completed sales orders", (0, 999),
                   "How many days/months you want to retain sales orders that are complete (status 9). An entry "
                   "of 999 indicates that you want to retain records indefinitely. An entry of zero indicates that "
                   "you want to delete all completed sales orders that are dated prior to the date on which the "
                   "order purge is run (Sales orders page)."),
    history.flag("retention_in_months", "History retention is expressed in months",
                 "Select this to represent the values entered for the Number of days to retain options to "
                 "represent months and not days."),
    history.flag("archive_completed", "Archive completed sales orders",
                 "Select this to archive completed sales orders when next the order purge is run (Sales orders page). Orders "
                 "are selected for archiving only when they exceed the number of days/months for which you are "
                 "retaining completed sales orders. Otherwise they are deleted."),
    history.number("archive_max_orders", 9999, "Maximum sales order per archive file", (1, 9999),
                   "Define the maximum number of sales orders that must be saved in a single archive file. An "
                   "entry of 9999 indicates that an unlimited number of sales orders can be archived into a single "
                   "file. This option is only available if you selected the option: Archive completed sales "
                   "orders.", available_if={"archive_completed": True}),
    history.flag("delete_completed_lines", "Delete completed order lines",
                 "Select this to remove the fully shipped lines of orders that are not yet complete when the "
                 "order purge next runs. A complete order loses its lines only when the whole order is purged. "
                 "Available only if completed orders are not archived.",
                 available_if={"archive_completed": False}),
    *(history.flag(f"purge_prices_{code.lower()}", f"Order purge updates prices of orders in status {code} ({name})",
                   PURGE_PRICES_HELP) for code, name in PURGE_PRICE_STATUSES),
    # -- Entry: what happens while a line is entered ------------------------------------
    entry.flag("allow_description_change", "Allow change to description for stocked items",
               "Select this to be able to change the description of a stocked item on a sales order line. The "
               "change applies to that order only; the item's own description stays as it is. When cleared, "
               "a stocked line always carries the item's description.", default=True),
    entry.choice("supply_request", "never", "Supply request in order entry",
                 (("on_add", "On adding a line"), ("on_backorder", "Whenever a line is placed on back order"),
                  ("never", "Never"), ("operator", "Only by operator selection")),
                 "When stock cannot cover a line, the supply request page lists the shortage and the ways to "
                 "supply it (for instance ordering it on a purchase order, where purchase order generation is "
                 "enabled). On adding a line: the page opens after saving an order with a short line. Whenever a "
                 "line is placed on back order: it opens when the shortage goes to back order. Never: it is not "
                 "offered. Only by operator selection: the order page offers it and the clerk opens it."),
    entry.flag("ask_reason_code", "Ask reason code when entering new credit notes",
               "Select this so that a new credit note cannot be saved without a reason code. Reason codes are "
               "kept on their own page (Sales order codes) and are shown with the credit note."),
    entry.choice("ship_via_usage", "free_form", "Shipping via usage",
                 (("free_form", "Free form"), ("coded", "Coded")),
                 "Free form: the Ship via of an order is any text, and a new order without one takes the "
                 "customer's instruction or else the default shipping message below. Coded: a ship-via code "
                 "typed at Ship via is replaced by its message from the list of ship-via codes (Sales order "
                 "codes); text that is no code is kept as the order's own message of at most 28 characters. "
                 "Only the message is printed on documents."),
    entry.text("default_ship_message", "", "Default shipping message",
               "The shipping message a new order shows at Ship via when neither the clerk nor the customer "
               "gives one; it can be overwritten on the order (at most 40 characters are used). Available only "
               "if the shipping via usage is free form.", available_if={"ship_via_usage": "free_form"}),
    # -- Back orders (release) --------------------------------------------------------
    general.flag("update_ship_date_on_release", "Update ship date with release date",
                 "Select this so that releasing an open back order (status 2) sets the order's ship date to the "
                 "date of the release."),
    # -- Back orders: reserving stock and releasing what a receipt brings ----------------------------
    back_orders.choice("receipt_release", "automatic", "Release of received back orders",
                       (("automatic", "Automatic"), ("manual", "Manual (reserve and wait for a clerk)")),
                       "What happens when goods arrive on a purchase order bought or allocated for a back-ordered "
                       "sales order line. In both cases the received quantity is held for that line and never left as "
                       "free stock. Automatic: it moves from back order to ship at once (or as Order linked to a "
                       "receipt says). Manual: it stays on the order as ready to release until a clerk releases it "
                       "from the order page or the list of back orders ready to release."),
    back_orders.choice("receipt_linked_action", "ship", "Order linked to a receipt",
                       (("ship", "Quantity to ship"), ("reserve", "Quantity reserved"),
                        ("reserve_4_8", "Reserved if the order is in the warehouse or ready to invoice")),
                       "Where the quantity received for a linked sales order line goes when release is automatic. "
                       "Quantity to ship: always to ship. Quantity reserved: always held as reserved, ready to "
                       "release. Reserved if the order is in the warehouse (status 4) or ready to invoice (status 8): "
                       "to ship, unless the order is already being picked or invoiced; then it is reserved, so the "
                       "invoice goes ahead with what was on the order and the new goods are released after it. A "
                       "credit check on the quantity moved to ship never refuses a receipt: a failing order is put in "
                       "suspense. Available only if release of received back orders is automatic; with manual release "
                       "every receipt is reserved.", available_if={"receipt_release": "automatic"}),
    back_orders.flag("reserve_stock", "Reserving stock required",
                     "Select this to be able to reserve stock for sales order lines: the stock is held for the "
                     "customer, so no other order can take it, but it is not put to ship until a clerk releases it."),
    back_orders.choice("default_ship_status", "ship", "Default ship status",
                       (("ship", "Ship quantity"), ("reserve", "Reserve quantity")),
                       "What a new stocked line does with the stock available for it. Ship quantity: the stock is "
                       "reserved and the quantity is put to ship. Reserve quantity: the stock is reserved and the "
                       "quantity waits as reserved until it is released to ship. Does not apply to receipts (see Order "
                       "linked to a receipt). Available only if reserving stock is required.",
                       available_if={"reserve_stock": True}),
    # -- Credit (moving quantity to ship) ---------------------------------------------------
    credit.flag("credit_check_on_ship_move", "Apply check when quantity moved to ship",
                "Select this to check the customer's credit limit each time quantity moves from back order to "
                "ship (back order release, automatic release after an invoice). The check adds the value moved "
                "to ship to the customer's balance and the ship value of orders ready to invoice. An order "
                "that fails is placed in suspense. Available only if the credit limit is checked on current "
                "orders only.", available_if={"check_credit_limit": True, "credit_current_only": True}),
    credit.flag("exclude_failing_lines",
                "Exclude lines that fail the credit check in back order "
           "release",
                "Select this so that, in back order release, lines that would take the customer over the credit "
                "limit are left on back order and their order stays an open back order (status 2). When "
                "cleared, the order goes into suspense if any of its lines fails. Available only if the check "
                "is applied when quantity moves to ship.",
                available_if={"check_credit_limit": True, "credit_current_only": True, "credit_check_on_ship_move": True}),
]
