"""The Sage 100 Purchase Order Options this plugin honours (Generate belongs to po_generation).

Help texts of the first options are the seed's own wording; the batch and printing options
say it in OrderBridge's words. Tax, freight, COD, G/L, job cost and accounts-payable options
are out of scope (no such modules) and are not declared.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.options import Option, OptionTab, PluginOptions

PLUGIN = "purchase_order"
PO_SEQ = {"name": "po_number", "width": 7}
RECEIPT_SEQ = {"name": "po_receipt_number", "width": 7}
RETURN_SEQ = {"name": "po_return_number", "width": 7}
BATCH_SEQ = {"name": "po_batch_number", "alphanumeric": 1, "default": "00001"}  # "default": the first code
options = PluginOptions(PLUGIN)  # the one binding of this plugin's option access
YES_PROMPT_NO = (("Y", "Yes"), ("P", "Prompt"), ("N", "No"))
RECEIPT_HISTORY = (("yes", "Yes"), ("no", "No"), ("summary", "Summary Only"), ("period_end", "Until Period End"))



class TodayDefault(Option):
    """An int option whose default comes from today's date each time it is read.

    Declared with ``default="year"`` or ``default="month"``. A value computed once at
    import would freeze the default period at process start; this one follows the
    calendar (a stored value always wins, as for every option).
    """

    @property  # type: ignore[override]
    def default(self) -> int:
        today = date.today()
        return today.year if self.__dict__["_part"] == "year" else today.month

    @default.setter
    def default(self, part: str) -> None:  # called once by the dataclass __init__
        if part not in ("year", "month"):
            raise ValueError(f"option {self.key}: default must be 'year' or 'month'")
        self.__dict__["_part"] = part


main = OptionTab("Main")
entry = OptionTab("Entry")
line_entry = OptionTab("Line Entry")
printing = OptionTab("Printing")
history = OptionTab("History")

OPTIONS = [
    # -- Main ---------------------------------------------------------------------------
    main.number("retain_days", 30, "Days to Retain Completed Purchase Orders", (0, 999),
                "Type the number of days to retain completed purchase orders. Purchase orders that have been "
                "completed longer than the specified number of days are purged automatically during period-end "
                "processing. Completed purchase orders can be retained for up to 999 days."),
    main.flag("auto_close", "Automatically Close Partially Received Purchase Orders",
              "Select this check box to automatically close a purchase order that is only partially received. "
              "Clear this check box if you do not want to close a purchase order unless it is completely "
              "received."),
    main.number("receipt_variance_pct", Decimal("0"), "Receipt Variance to Close Purchase Order Lines",
                (Decimal("0"), Decimal("100")),
                "Type the percentage of variance from the originally ordered quantity within which a purchase "
                "order is considered received. This field is available only if the Automatically Close Partially "
                "Received Purchase Orders check box is selected.", available_if={"auto_close": True}),
    TodayDefault("current_year", "int", "year", "Current Fiscal Year", tab="Main", min=1900, max=9999,
           help="Select the current calendar or fiscal year based on the current date."),
    TodayDefault("current_period", "int", "month", "Current Period", tab="Main", min=1, max=12,
           help="Select the current Purchase Order accounting period. Use this field to differentiate between the "
                "current period and a future period. When Purchase Order period end is processed, the value in "
                "this field is incremented automatically."),
    main.flag("integrate_inventory", "Integrate with Inventory Management",
              "Select this check box to integrate the Purchase Order module with Inventory Management. Clear "
              "this check box if you do not want to integrate the Purchase Order module with Inventory "
              "Management. When these modules are integrated, information from Item Maintenance is used when "
              "generating or entering purchase orders. When purchase order goods are received, the quantity and "
              "cost information is also posted to Item Maintenance.", default=True),
    # -- Entry --------------------------------------------------------------------------
    entry.option("next_po_number", "sequence", 1, "Next Automatic Purchase Order Number",
                 "Type the next purchase order number to assign when using the Automatic Purchase Order Number "
                 "feature on the purchase order form.", min=1, max=9_999_999, sequence=PO_SEQ),
    entry.option("next_receipt_number", "sequence", 1, "Next Automatic Receipt of Goods Number",
                 "Type the next purchase order receipt number to assign when using the Automatic Purchase Order "
                 "Receipt Number feature in Receipt of Goods Entry.",
                 min=1, max=9_999_999, sequence=RECEIPT_SEQ),
    entry.option("next_return_number", "sequence", 1, "Next Automatic Return of Goods Number",
                 "Type the next purchase order return number to assign when using the Automatic Purchase Order "
                 "Return Number feature in Return of Goods Entry.",
                 min=1, max=9_999_999, sequence=RETURN_SEQ),
    entry.flag("batch_entry", "Enable batch entry for receipts and returns",
               "When selected, receipts and returns are not posted as they are entered: each goes into a batch "
               "that is reviewed, printed as a register and posted in one go (stock, purchase history and "
               "back-order release happen at posting). When cleared, each receipt or return posts at once."),
    entry.option("next_batch", "sequence", BATCH_SEQ["default"], "Next batch number",
                 "The number the next batch of receipts or returns gets. Letters and digits are allowed; the "
                 "digits at the end count up and keep their width: 00001 is followed by 00002, A0005 by A0006. "
                 "After A9999 set the next series here (for example B0000).",
                 sequence={k: v for k, v in BATCH_SEQ.items() if k != "default"}, available_if={"batch_entry": True}),
    entry.option("default_warehouse", "ref", "", "Default Warehouse for Purchase Orders",
                 "Enter the warehouse code established in Inventory Management Options to use as the default "
                 "warehouse for all orders, or click the Lookup button to list all warehouse codes. This field is "
                 "available only if the Purchase Order module is integrated with Inventory Management.",
                 ref="warehouse", available_if={"integrate_inventory": True}),
    # -- Line Entry ---------------------------------------------------------------------
    line_entry.flag("allow_exceed", "Allow Qty Received or Invoiced to Exceed Qty Ordered",
                    "Select this check box to allow the quantity received to exceed the quantity ordered during "
                    "Receipt of Goods Entry or the quantity invoiced during Receipt of Invoice Entry. Clear this check "
                    "box if you do not want to allow the quantity received or invoiced to exceed the quantity ordered."),
    # -- Printing -----------------------------------------------------------------------
    printing.flag("print_comments_on_registers", "Print order comments on registers",
                  "When selected, the receipt and return registers (the printed list of a batch before and after "
                  "posting) show each purchase order's own comment under its entry. When cleared, they show only "
                  "the comments entered with the receipt or return."),
    printing.flag("print_return_orders", "Print return orders",
                  "When selected, a return order — the document that goes back to the vendor with the goods — is "
                  "offered for printing as soon as a return is posted, and can be printed again from the returns "
                  "list. When cleared, returns have no printed document."),
    printing.flag("barcode_receivers", "Print a bar code on purchase order receivers",
                  "When selected, the receiver (the sheet the warehouse receives a purchase order with) carries "
                  "the purchase order number as a Code 128 bar code, so a scanner can bring the order up. When "
                  "cleared, the number is printed as text only."),
    printing.flag("redisplay_po", "After quick printing a purchase order, show it again",
                  "Quick printing is printing straight from a list. When selected, the purchase order is shown "
                  "once it is printed; when cleared, you go back to the list you printed from.",
                  default=True),
    printing.flag("redisplay_receiver", "After quick printing a receiver, show its purchase order again",
                  "When selected, the purchase order is shown once its receiver is printed from a list; when "
                  "cleared, you go back to the list you printed from."),
    printing.flag("redisplay_return", "After quick printing a return order, show the return again",
                  "When selected, the return is shown once its return order is printed from the returns list; when "
                  "cleared, you go back to the list. Available only when return orders are printed.",
                  available_if={"print_return_orders": True}),
    # -- History ------------------------------------------------------------------------
    history.flag("retain_po_history", "Retain Purchase Order History",
                 "Select this check box to retain purchase order history information. If this check box is "
                 "selected, you can save deleted purchase orders and deleted purchase order lines that have been "
                 "written to history. You can also enter cancellation codes in Cancel and Reason Code Maintenance "
                 "that are maintained in purchase order history. Cancel and reason codes are entered when purchase "
                 "orders or lines are deleted.", default=True),
    history.choice("retain_deleted_orders", "Y", "Retain Deleted Orders", YES_PROMPT_NO,
                   "Select Yes to retain deleted purchase order information in purchase order history. Select Prompt "
                   "to be prompted to enter cancellation codes when a purchase order is deleted. Select No if you do "
                   "not want to retain deleted purchase order information in purchase order history. This field is "
                   "available only if you selected the Retain Purchase Order History check box.",
                   available_if={"retain_po_history": True}),
    history.choice("retain_deleted_lines", "Y", "Retain Deleted Lines for Orders", YES_PROMPT_NO,
                   "Select Yes to retain deleted line detail in purchase order history. Select Prompt to be prompted "
                   "to enter cancellation codes when lines are deleted. Select No if you do not want to retain deleted "
                   "line detail in purchase order history. This field is available only if you selected the Retain "
                   "Purchase Order History check box.", available_if={"retain_po_history": True}),
    history.number("history_years", 5, "Years to Retain Purchase History by Item and Vendor", (2, 99),
                   "Enter the number of years to retain purchase history by item and vendor. You can retain between 2 "
                   "and 99 years of purchase history. Purchase history is retained until it is automatically purged "
                   "during period end processing. You must retain a minimum of 2 years of history."),
    history.choice("retain_receipt_history", "yes", "Retain Receipt History", RECEIPT_HISTORY,
                   "Select Yes to retain detail information for receipt entries that can be used to produce the "
                   "Receipt History Report. Select No if you do not want to retain detail receipt history. Select "
                   "Summary Only to retain summary receipt history (such as header information only) for each "
                   "receipt. Select Until Period End to retain detail receipt history, but automatically purge "
                   "canceled purchase orders in Period End Processing."),
    history.flag("retain_receipt_comments", "Retain Comment Lines in Receipt History",
                 "Select this check box to retain comment lines and detail comments in receipt history. Clear this "
                 "check box if you do not want to retain comment line or detail information in receipt history. "
                 "This field is not available if you selected No or Summary in the Retain Receipt History field.",
                 default=True, available_if={"retain_receipt_history": ("yes", "period_end")}),
    history.flag("purge_recap", "Purge Purchase Order Recap at Period End",
                 "Select this check box to automatically purge completed, deleted, or canceled purchase orders at "
                 "period end. Clear this check box to retain purchase recap detail until you purge it. Deleted "
                 "purchase orders also appear as Cancel on the Purchase Order Recap report."),
]
