"""The option choice lists, in one place: the options declaration and the rules both read them."""

from __future__ import annotations

HEADER_DATE_CHOICES = (("so_ship_date", "SO Ship Date"), ("so_order_date", "SO Order Date"),
                       ("po_date", "P/O Date"), ("system_date", "System Date"), ("prompt", "Prompt"))
LINE_DATE_CHOICES = (("so_promise_date", "SO Promise Date"), ("po_date", "P/O Date"),
                     ("system_date", "System Date"), ("prompt", "Prompt"))
SORT_CHOICES = (("so_line", "Sales Order Line Order"), ("item", "Item Code"), ("required_date", "Required Date"))
SCOPE_CHOICES = (("drop_ship", "Drop Ship Only"), ("all", "All Purchase Orders"))
YES_NO_DS_CHOICES = (("yes", "Yes"), ("no", "No"), ("drop_ship", "Drop Ship Only"))
INCREMENT_CHOICES = (("beginning", "Beginning"), ("end", "End"))
INCREMENT_AT = tuple(key for key, _label in INCREMENT_CHOICES)

# *Include All Drop Ship Line Items*
INCLUDE_VENDOR, INCLUDE_ALL, INCLUDE_PROMPT = "vendor", "yes", "prompt"
INCLUDE_CHOICES = ((INCLUDE_VENDOR, "Only for PO Vendor"), (INCLUDE_ALL, "Yes"), (INCLUDE_PROMPT, "Prompt"))

PROMPT = "prompt"  # a required-date basis that asks the user
