"""The sales order setup options (SYSPRO Sales Order Setup, seed 004), declared once."""

from __future__ import annotations

from decimal import Decimal

from core.options import Option

OPTIONS: list[Option] = [
    # -- General --------------------------------------------------------------------
    Option("allow_negative_qty", "bool", False, "Allow negative quantities for sales orders", tab="General",
           help="Select this to be able to enter negative quantities for stocked and non-stocked lines "
                "when capturing orders."),
    Option("cancel_invoiced", "bool", False, "Cancel open order previously invoiced", tab="General",
           help="Select this to be able to cancel orders in a status of 2 (i.e. open back order) without having "
                "to first mark them as complete. If you do not select this option, then any order that has "
                "previously been invoiced (irrespective of its status) cannot be cancelled, but has to be set "
                "to complete."),
    Option("fix_ship_address", "bool", False, "Fix ship address at time of order entry", tab="General",
           help="If you enable this option, then the order header Ship to address on an order which is still in "
                "progress is not changed when you change the ship address against the customer. If you do not "
                "enable this option, then the latest Ship to Address against the customer is used for the order "
                "header."),
    Option("ignore_zero_cost", "bool", False, "Ignore warning if item has zero cost in order entry", tab="General",
           help="Select this to suppress the warning shown in sales order entry when saving a line "
                "for a stocked or non-stocked item that has a zero cost."),
    Option("display_costs", "bool", False, "Display costs and gross profit in order totals", tab="General",
           help="Select this to show cost and gross profit on the sales order page and the order entry form, "
                "for the entire order and for each line."),
    Option("dup_po_validation", "choice", "none", "Validation of duplicate customer p/order numbers", tab="General",
           choices=(("none", "No validation"), ("customer", "By customer"), ("company", "By company")),
           help="No validation: customer purchase order numbers need not be unique. By customer: a customer's "
                "purchase order number may not be used more than once for the same customer. By company: "
                "customer purchase order numbers must be unique for the company."),
    Option("dup_po_action", "choice", "warning", "Duplicate customer p/order number", tab="General",
           choices=(("warning", "Warning"), ("prevent", "Prevent")),
           available_if={"dup_po_validation": ("customer", "company")},
           help="Warning: be notified when a customer purchase order number is entered that has already been "
                "used for the same customer or company. Prevent: prevent an order from being captured if the "
                "customer purchase order number has already been used."),
    Option("back_orders", "choice", "manual", "Back orders", tab="General",
           choices=(("not_required", "Not required"), ("manual", "Manual"), ("automatic", "Automatic")),
           help="Not required: the sales order status is set to complete (status 9) once the invoice is printed; "
                "the order quantity which could not be shipped is ignored. Manual: after an invoice for a partial "
                "shipment, move the quantity from back order into ship yourself (or use Back Order Release). "
                "Automatic: move the back order quantity to ship automatically after the invoice is printed, if "
                "there is sufficient stock on hand."),
    Option("non_stocked_action", "choice", "always", "Non-stocked action", tab="General",
           choices=(("always", "Always"), ("never", "Never"), ("if_unattached", "If unattached")),
           available_if={"back_orders": "automatic"},
           help="Always: automatically release non-stocked items that are on back order. Never: never "
                "automatically release them; they must be released manually. If unattached: release them "
                "automatically providing they are not attached to purchase orders, requisitions or jobs. "
                "These options are available only if you selected Automatic at the Back orders option."),
    Option("scheduled_days", "int", 15, "Number of days within which scheduled orders will be allocated",
           tab="General", min=1, max=99999,
           help="Stock is automatically allocated (providing there is enough quantity available) when the "
                "difference between the ship date and document date is less than the number of days specified "
                "here. Otherwise use Allocate scheduled orders on the Back orders page to allocate the stock. "
                "The maximum number of days that can be specified is 99999."),
    # -- Credit ---------------------------------------------------------------------
    Option("check_credit_limit", "bool", False, "Check customer's credit limit", tab="Credit",
           help="Select this if you want credit checking to be based on the customer's credit limit (i.e. whether "
                "the customer's balance and outstanding order value exceeds the credit limit). If a customer "
                "fails a credit check, then the entered order is placed into suspense until the appropriate "
                "credit authority is entered to release the order."),
    Option("check_terms", "bool", False, "Check customer's invoice terms", tab="Credit",
           help="Select this if you want credit checking to be based on the customer's invoice terms."),
    Option("terms_use_credit_status", "bool", False, "Use customer credit status for terms check", tab="Credit",
           available_if={"check_terms": True},
           help="This option is only available if you selected the option: Check customer's invoice terms. "
                "The terms credit check then calculates the number of days outstanding as 30 times the credit "
                "status of the customer, less the customer's invoice terms. If you do not select this option, "
                "the check is based on the number of days that the oldest, non-credit transaction is "
                "outstanding against the customer."),
    Option("credit_current_only", "bool", False, "Apply check to current orders only", tab="Credit",
           available_if={"check_credit_limit": True},
           help="Select this to apply credit limit checking at the time an invoice is about to be produced. "
                "Credit checking is not done when the order is captured, but only when it is invoiced. The "
                "check is based on the value of the invoice about to be produced, the customer's current "
                "balance and the ship value of any orders for the customer in a status of ready to invoice."),
    Option("release_credit_check", "choice", "none", "Credit check for orders that are to be released",
           tab="Credit",
           choices=(("none", "No check"), ("authorize", "Check and authorize to release"),
                    ("reject", "Check and reject if fail")),
           help="The credit check performed when releasing an order for invoicing (status 8). No check: none. "
                "Check and authorize to release: if the check fails, the order has to be authorized before "
                "continuing (it is put into suspense). Check and reject if fail: the order cannot be released "
                "for invoicing and remains in its current status. Ignored when back orders are released from the Back orders page."),
    Option("credit_authority_manual_release", "bool", False,
           "Credit authority needed to release orders placed in suspense manually", tab="Credit",
           help="Select this so that an order a clerk put in suspense by hand can be released only by a user "
                "with credit authority. When cleared, the sales clerks release such orders themselves. Orders "
                "held by a credit check always need the credit authority."),
    # -- Margins --------------------------------------------------------------------
    Option("margin_check", "choice", "none", "Minimum price percentage above cost", tab="Margins",
           choices=(("none", "Not required"), ("company", "Company margin"), ("stock_code", "Stock code margin")),
           help="Not required: no minimum price percentage above cost check. Company margin: apply the minimum "
                "price margin percentage check at company level. Stock code margin: apply it at stock code "
                "level; used only if you have assigned a minimum margin to the stock item."),
    Option("margin_pct", "decimal", Decimal("10"), "Minimum price percentage above cost (%)", tab="Margins",
           min=Decimal("0"), max=Decimal("999"), available_if={"margin_check": "company"},
           help="Indicate the minimum percentage amount by which the price must exceed the cost."),
    Option("margin_override", "bool", False, "Minimum price % above cost margin override allowed", tab="Margins",
           available_if={"margin_check": ("company", "stock_code")},
           help="Select this to be able to continue processing an order, regardless of whether the minimum price "
                "margin has been exceeded. If you do not select this option, then you will be unable to continue "
                "processing a sales order that has exceeded this minimum price percentage above cost margin."),
    Option("margin_basis", "choice", "net", "Margin check based on", tab="Margins",
           choices=(("gross", "Gross value"), ("net", "Net value")),
           available_if={"margin_check": ("company", "stock_code")},
           help="Gross value: base the minimum margin check on the extended order line value excluding any line "
                "discounts. Net value: base it on the extended order line value including line discounts."),
    # -- Pricing --------------------------------------------------------------------
    Option("discount_method", "choice", "line", "Line discount calculation", tab="Pricing",
           choices=(("line", "Line discount"), ("price", "Price discount")),
           help="Line discount: calculate line discounts by multiplying the price of an item by the quantity "
                "ordered and then applying the discount applicable. Price discount: apply the discount to the "
                "unit price before multiplying this by the quantity ordered (the net unit price of a line)."),
    Option("invoice_discount_after_line", "bool", False, "Calculate invoice discount after line discount",
           tab="Pricing",
           help="Select this to work out an order's invoice discount on the line values after their line "
                "discounts. When cleared, the invoice discount and the line discounts are both taken from the "
                "order's merchandise value before any discount."),
    Option("price_decimals", "int", 3, "Number of decimals for contract and net unit prices", tab="Pricing",
           min=2, max=5,
           help="The number of decimals to use when calculating net unit prices. The number of decimals normally "
                "applied to pricing calculations is three; you can round the calculated price to two, three, four "
                "or five decimals."),
    # -- Numbering ------------------------------------------------------------------
    Option("order_numbering", "choice", "automatic", "Order numbering", tab="Numbering",
           choices=(("manual", "Manual"), ("automatic", "Automatic")),
           help="Automatic: sales order numbers are generated at company level from the next numbers below. "
                "Manual: the operator enters the order number."),
    Option("next_sales_order", "sequence", 100001, "Next sales order", tab="Numbering", min=1, max=9_999_999,
           available_if={"order_numbering": "automatic"},
           sequence={"name": "so_order", "width": 7, "min_value": 1, "max_value": 9_999_999},
           help="Indicate the next sales order number that the system will use, if order numbers are being "
                "generated at company level."),
    Option("next_credit_note", "sequence", 800000, "Next credit note", tab="Numbering", min=800000, max=899999,
           available_if={"order_numbering": "automatic"},
           sequence={"name": "so_credit_note", "width": 6, "min_value": 800000, "max_value": 899999},
           help="Indicate the next credit note number that the system will use, if order numbers are being "
                "generated at company level. This number must be in the range 800000 to 899999."),
    Option("next_debit_note", "sequence", 900000, "Next debit note", tab="Numbering", min=900000, max=999999,
           available_if={"order_numbering": "automatic"},
           sequence={"name": "so_debit_note", "width": 6, "min_value": 900000, "max_value": 999999},
           help="Indicate the next debit note number that the system will use, if order numbers are being "
                "generated at company level. This number must be in the range 900000 to 999999."),
    Option("order_no_to_invoice", "bool", False, "Order number moved to invoice number", tab="Numbering",
           help="Select this if you want the order number to be allocated as the invoice number of the first "
                "invoice generated for the order. For subsequent invoices produced for the order, the next "
                "invoice number is assigned."),
    Option("invoice_number_per_customer", "bool", False, "Allow same invoice number for different customers",
           tab="Numbering",
           help="Select this so that an invoice number need only be unique among one customer's invoices: the "
                "same number may be used for another customer (for instance an invoice number entered when the "
                "order is released). When cleared, every sales invoice number is unique in the company."),
    Option("release_invoice_numbering", "choice", "automatic", "Order release invoice numbering",
           tab="Numbering", choices=(("automatic", "Automatic"), ("manual", "Manual")),
           help="Automatic: an order released for invoicing gets its invoice number when it is invoiced (the "
                "order number for the first invoice if the order number moves to the invoice number, otherwise "
                "the next invoice number). Manual: the clerk may enter the invoice number when releasing the "
                "order from the warehouse; when none is entered, the automatic number is used."),
    Option("request_invoice_number", "bool", False, "Request invoice number when released from status 4",
           tab="Numbering", available_if={"release_invoice_numbering": "manual"},
           help="Select this to ask for the invoice number when an order in the warehouse (status 4) is released "
                "for invoicing; the next invoice of the order gets it. Available only if order release invoice "
                "numbering is manual."),
    Option("request_invoice_date", "bool", False, "Request invoice date when released from status 4",
           tab="Numbering",
           help="Select this to ask for the invoice date when an order in the warehouse (status 4) is released "
                "for invoicing; the next invoice of the order is dated with it instead of the day it is made."),
    # -- History --------------------------------------------------------------------
    Option("retain_days", "int", 999, "Number of days to retain completed sales orders", tab="History",
           min=0, max=999,
           help="How many days/months you want to retain sales orders that are complete (status 9). An entry "
                "of 999 indicates that you want to retain records indefinitely. An entry of zero indicates that "
                "you want to delete all completed sales orders that are dated prior to the date on which the "
                "order purge is run (Sales orders page)."),
    Option("retention_in_months", "bool", False, "History retention is expressed in months", tab="History",
           help="Select this to represent the values entered for the Number of days to retain options to "
                "represent months and not days."),
    Option("archive_completed", "bool", False, "Archive completed sales orders", tab="History",
           help="Select this to archive completed sales orders when next the order purge is run (Sales orders page). Orders "
                "are selected for archiving only when they exceed the number of days/months for which you are "
                "retaining completed sales orders. Otherwise they are deleted."),
    Option("archive_max_orders", "int", 9999, "Maximum sales order per archive file", tab="History",
           min=1, max=9999, available_if={"archive_completed": True},
           help="Define the maximum number of sales orders that must be saved in a single archive file. An "
                "entry of 9999 indicates that an unlimited number of sales orders can be archived into a single "
                "file. This option is only available if you selected the option: Archive completed sales "
                "orders."),
    Option("delete_completed_lines", "bool", False, "Delete completed order lines", tab="History",
           available_if={"archive_completed": False},
           help="Select this to remove the fully shipped lines of orders that are not yet complete when the "
                "order purge next runs. A complete order loses its lines only when the whole order is purged. "
                "Available only if completed orders are not archived."),
    Option("purge_prices_1", "bool", False, "Order purge updates prices of orders in status 1 (open order)",
           tab="History",
           help="One of the order statuses the order purge looks at to bring line prices up to date: the "
                "unshipped lines of stocked items on orders in the statuses selected take the item's current "
                "list price (and their values are worked out again)."),
    Option("purge_prices_2", "bool", False, "Order purge updates prices of orders in status 2 (open back order)",
           tab="History",
           help="One of the order statuses the order purge looks at to bring line prices up to date: the "
                "unshipped lines of stocked items on orders in the statuses selected take the item's current "
                "list price (and their values are worked out again)."),
    Option("purge_prices_3", "bool", False, "Order purge updates prices of orders in status 3 (released back order)",
           tab="History",
           help="One of the order statuses the order purge looks at to bring line prices up to date: the "
                "unshipped lines of stocked items on orders in the statuses selected take the item's current "
                "list price (and their values are worked out again)."),
    Option("purge_prices_4", "bool", False, "Order purge updates prices of orders in status 4 (in warehouse)",
           tab="History",
           help="One of the order statuses the order purge looks at to bring line prices up to date: the "
                "unshipped lines of stocked items on orders in the statuses selected take the item's current "
                "list price (and their values are worked out again)."),
    Option("purge_prices_8", "bool", False, "Order purge updates prices of orders in status 8 (ready to invoice)",
           tab="History",
           help="One of the order statuses the order purge looks at to bring line prices up to date: the "
                "unshipped lines of stocked items on orders in the statuses selected take the item's current "
                "list price (and their values are worked out again)."),
    Option("purge_prices_f", "bool", False, "Order purge updates prices of orders in status F (forward order)",
           tab="History",
           help="One of the order statuses the order purge looks at to bring line prices up to date: the "
                "unshipped lines of stocked items on orders in the statuses selected take the item's current "
                "list price (and their values are worked out again)."),
    # -- Entry: what happens while a line is entered ------------------------------------
    Option("allow_description_change", "bool", True, "Allow change to description for stocked items",
           tab="Entry",
           help="Select this to be able to change the description of a stocked item on a sales order line. The "
                "change applies to that order only; the item's own description stays as it is. When cleared, "
                "a stocked line always carries the item's description."),
    Option("supply_request", "choice", "never", "Supply request in order entry", tab="Entry",
           choices=(("on_add", "On adding a line"), ("on_backorder", "Whenever a line is placed on back order"),
                    ("never", "Never"), ("operator", "Only by operator selection")),
           help="When stock cannot cover a line, the supply request page lists the shortage and the ways to "
                "supply it (for instance ordering it on a purchase order, where purchase order generation is "
                "enabled). On adding a line: the page opens after saving an order with a short line. Whenever a "
                "line is placed on back order: it opens when the shortage goes to back order. Never: it is not "
                "offered. Only by operator selection: the order page offers it and the clerk opens it."),
    Option("ask_reason_code", "bool", False, "Ask reason code when entering new credit notes", tab="Entry",
           help="Select this so that a new credit note cannot be saved without a reason code. Reason codes are "
                "kept on their own page (Sales order codes) and are shown with the credit note."),
    Option("ship_via_usage", "choice", "free_form", "Shipping via usage", tab="Entry",
           choices=(("free_form", "Free form"), ("coded", "Coded")),
           help="Free form: the Ship via of an order is any text, and a new order without one takes the "
                "customer's instruction or else the default shipping message below. Coded: a ship-via code "
                "typed at Ship via is replaced by its message from the list of ship-via codes (Sales order "
                "codes); text that is no code is kept as the order's own message of at most 28 characters. "
                "Only the message is printed on documents."),
    Option("default_ship_message", "text", "", "Default shipping message", tab="Entry",
           available_if={"ship_via_usage": "free_form"},
           help="The shipping message a new order shows at Ship via when neither the clerk nor the customer "
                "gives one; it can be overwritten on the order (at most 40 characters are used). Available only "
                "if the shipping via usage is free form."),
    # -- Back orders (release) --------------------------------------------------------
    Option("update_ship_date_on_release", "bool", False, "Update ship date with release date",
           tab="General",
           help="Select this so that releasing an open back order (status 2) sets the order's ship date to the "
                "date of the release."),
    # -- Back orders: reserving stock and releasing what a receipt brings ----------------------------
    Option("receipt_release", "choice", "automatic", "Release of received back orders", tab="Back orders",
           choices=(("automatic", "Automatic"), ("manual", "Manual (reserve and wait for a clerk)")),
           help="What happens when goods arrive on a purchase order bought or allocated for a back-ordered "
                "sales order line. In both cases the received quantity is held for that line and never left as "
                "free stock. Automatic: it moves from back order to ship at once (or as Order linked to a "
                "receipt says). Manual: it stays on the order as ready to release until a clerk releases it "
                "from the order page or the list of back orders ready to release."),
    Option("receipt_linked_action", "choice", "ship", "Order linked to a receipt", tab="Back orders",
           choices=(("ship", "Quantity to ship"), ("reserve", "Quantity reserved"),
                    ("reserve_4_8", "Reserved if the order is in the warehouse or ready to invoice")),
           available_if={"receipt_release": "automatic"},
           help="Where the quantity received for a linked sales order line goes when release is automatic. "
                "Quantity to ship: always to ship. Quantity reserved: always held as reserved, ready to "
                "release. Reserved if the order is in the warehouse (status 4) or ready to invoice (status 8): "
                "to ship, unless the order is already being picked or invoiced; then it is reserved, so the "
                "invoice goes ahead with what was on the order and the new goods are released after it. A "
                "credit check on the quantity moved to ship never refuses a receipt: a failing order is put in "
                "suspense. Available only if release of received back orders is automatic; with manual release "
                "every receipt is reserved."),
    Option("reserve_stock", "bool", False, "Reserving stock required", tab="Back orders",
           help="Select this to be able to reserve stock for sales order lines: the stock is held for the "
                "customer, so no other order can take it, but it is not put to ship until a clerk releases it."),
    Option("default_ship_status", "choice", "ship", "Default ship status", tab="Back orders",
           choices=(("ship", "Ship quantity"), ("reserve", "Reserve quantity")),
           available_if={"reserve_stock": True},
           help="What a new stocked line does with the stock available for it. Ship quantity: the stock is "
                "reserved and the quantity is put to ship. Reserve quantity: the stock is reserved and the "
                "quantity waits as reserved until it is released to ship. Does not apply to receipts (see Order "
                "linked to a receipt). Available only if reserving stock is required."),
    # -- Credit (moving quantity to ship) ---------------------------------------------------
    Option("credit_check_on_ship_move", "bool", False, "Apply check when quantity moved to ship", tab="Credit",
           available_if={"check_credit_limit": True, "credit_current_only": True},
           help="Select this to check the customer's credit limit each time quantity moves from back order to "
                "ship (back order release, automatic release after an invoice). The check adds the value moved "
                "to ship to the customer's balance and the ship value of orders ready to invoice. An order "
                "that fails is placed in suspense. Available only if the credit limit is checked on current "
                "orders only."),
    Option("exclude_failing_lines", "bool", False, "Exclude lines that fail the credit check in back order "
           "release", tab="Credit",
           available_if={"check_credit_limit": True, "credit_current_only": True, "credit_check_on_ship_move": True},
           help="Select this so that, in back order release, lines that would take the customer over the credit "
                "limit are left on back order and their order stays an open back order (status 2). When "
                "cleared, the order goes into suspense if any of its lines fails. Available only if the check "
                "is applied when quantity moves to ship."),
]
