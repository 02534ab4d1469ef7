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
                "Completed purchase orders older than this many days are removed at period end (up to "
                "999)."),
    main.flag("auto_close", "Automatically Close Partially Received Purchase Orders",
              "When on, a purchase order line received within the receipt variance below counts as "
              "complete, so a partly received purchase order can close. When off, a purchase order "
              "closes only when every line is received in full."),
    main.number("receipt_variance_pct", Decimal("0"), "Receipt Variance to Close Purchase Order Lines",
                (Decimal("0"), Decimal("100")),
                "How far below the ordered quantity (in percent) a received line still counts as "
                "complete. Only when partly received purchase orders close.", available_if={"auto_close": True}),
    TodayDefault("current_year", "int", "year", "Current Fiscal Year", tab="Main", min=1900, max=9999,
           help="The fiscal year purchasing is in; it starts as this calendar year."),
    TodayDefault("current_period", "int", "month", "Current Period", tab="Main", min=1, max=12,
           help="The purchasing period (1 to 12) that receipts and purchase history are posted to; it "
                "starts as this month. Period end moves it on by one."),
    main.flag("integrate_inventory", "Integrate with Inventory Management",
              "When on, receipts and returns change the stock on hand and the items' last cost. When "
              "off, purchasing leaves stock alone.", default=True),
    # -- Entry --------------------------------------------------------------------------
    entry.option("next_po_number", "sequence", 1, "Next Automatic Purchase Order Number",
                 "The number the next purchase order gets when none is typed.", min=1, max=9_999_999, sequence=PO_SEQ),
    entry.option("next_receipt_number", "sequence", 1, "Next Automatic Receipt of Goods Number",
                 "The number the next receipt of goods gets.",
                 min=1, max=9_999_999, sequence=RECEIPT_SEQ),
    entry.option("next_return_number", "sequence", 1, "Next Automatic Return of Goods Number",
                 "The number the next return of goods gets.",
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
                 "The warehouse code a new purchase order starts with. Only when purchasing changes "
                 "stock.",
                 ref="warehouse", available_if={"integrate_inventory": True}),
    # -- Line Entry ---------------------------------------------------------------------
    line_entry.flag("allow_exceed", "Allow Qty Received or Invoiced to Exceed Qty Ordered",
                    "When on, a receipt may bring in more than is still open on a purchase order "
                    "line. When off, more than that is refused beside the line."),
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
                 "When on, deleted and cancelled purchase orders and deleted lines are kept in "
                 "purchase order history (the Deleted and cancelled purchase orders page), with the "
                 "cancel/reason code given for them.", default=True),
    history.choice("retain_deleted_orders", "Y", "Retain Deleted Orders", YES_PROMPT_NO,
                   "Yes: a deleted purchase order is kept in history. Prompt: you are asked for a "
                   "cancel/reason code when you delete one. No: it is not kept. Only when purchase "
                   "order history is kept.",
                   available_if={"retain_po_history": True}),
    history.choice("retain_deleted_lines", "Y", "Retain Deleted Lines for Orders", YES_PROMPT_NO,
                   "Yes: a deleted purchase order line is kept in history. Prompt: you are asked for "
                   "a cancel/reason code when you remove lines. No: it is not kept. Only when "
                   "purchase order history is kept.", available_if={"retain_po_history": True}),
    history.number("history_years", 5, "Years to Retain Purchase History by Item and Vendor", (2, 99),
                   "Years of purchase history by item and vendor to keep (2 to 99); older years are "
                   "removed at period end."),
    history.choice("retain_receipt_history", "yes", "Retain Receipt History", RECEIPT_HISTORY,
                   "Yes: receipts are kept with their lines. Summary Only: only each receipt's header "
                   "is kept. No: receipts are not kept. Until Period End: receipts are kept with "
                   "their lines, and cancelled purchase orders are removed at period end."),
    history.flag("retain_receipt_comments", "Retain Comment Lines in Receipt History",
                 "When on, kept receipts keep their comment lines and line comments too. Not when "
                 "receipts are kept as a summary or not at all.",
                 default=True, available_if={"retain_receipt_history": ("yes", "period_end")}),
    history.flag("purge_recap", "Purge Purchase Order Recap at Period End",
                 "When on, period end removes completed, deleted and cancelled purchase orders from "
                 "the purchase order history (the Deleted and cancelled purchase orders page). When "
                 "off, they stay in it."),
]
