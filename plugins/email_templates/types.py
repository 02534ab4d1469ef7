"""Template types: what a template of each type may use, with sample data for the preview.

The three built-in types come from the seeds; other plugins add types through the
``email_template_types`` hook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app, flash, has_request_context

from core.errors import HookError

BACK_ORDER = "BACK ORDER"
PO_TO_VENDOR = "PO TO VENDOR"
ORDER_ACK = "ORDER ACKNOWLEDGEMENT"


@dataclass(frozen=True)
class TemplateType:
    code: str
    label: str
    variables: Mapping[str, str] = field(default_factory=dict)
    sample: Mapping[str, Any] = field(default_factory=dict)


_COMPANY = {"name": "OrderBridge Demo Ltd", "address": "1 Harbour Road\nPortsmouth PO1 2AB"}
_CUSTOMER = {"number": "C1000", "name": "Acme Retail", "email": "orders@acme.example"}
_LINES = [{"item_code": "BOLT-10", "description": "Bolt M10", "qty": Decimal("12"),
           "order_number": "SO1001"}]

BUILTIN = [
    TemplateType(BACK_ORDER, "Back order (to the customer)", {
        "customer": "the customer: number, name, email",
        "orders": "the customer's sales order numbers waiting on this line (a list)",
        "lines": "the back-ordered lines: item_code, description, qty, order_number",
        "po_number": "the purchase order the goods are coming on",
        "status": "the PO line status: code, description",
        "expected_date": "the date the PO line is due (or empty)",
        "company": "your company: name, address",
    }, {
        "customer": _CUSTOMER, "orders": ["SO1001"], "lines": _LINES, "po_number": "PO10001",
        "status": {"code": "BO", "description": "Back ordered by vendor"},
        "expected_date": date(2026, 12, 14), "company": _COMPANY,
    }),
    TemplateType(PO_TO_VENDOR, "Purchase order (to the vendor)", {
        "vendor": "the vendor: number, name, email",
        "po": "the purchase order: number, order_date, required_date, ship_to, total",
        "lines": "the PO lines: line_no, item_code, vendor_item_code, description, qty, unit_cost, value",
        "company": "your company: name, address",
    }, {
        "vendor": {"number": "V2000", "name": "Fasteners Inc", "email": "sales@fasteners.example"},
        "po": {"number": "PO10001", "order_date": date(2026, 12, 1), "required_date": date(2026, 12, 14),
               "ship_to": "Main warehouse", "total": Decimal("3.00")},
        "lines": [{"line_no": 1, "item_code": "BOLT-10", "vendor_item_code": "FB-10", "description": "Bolt M10",
                   "qty": Decimal("12"), "unit_cost": Decimal("0.25"), "value": Decimal("3.00")}],
        "company": _COMPANY,
    }),
    TemplateType(ORDER_ACK, "Order acknowledgement (to the customer)", {
        "order": "the sales order: number, order_date, customer_po, requested_ship_date, ship_to, total",
        "customer": "the customer: number, name, email (the address the acknowledgement goes to)",
        "ship_to": "the ship-to address (several lines)",
        "lines": "the order lines: line_no, item_code, description, qty, price, discount_pct, value",
        "totals": "the order's totals: merchandise, discount (invoice discount), total",
        "company": "your company: name, address",
    }, {
        "order": {"number": "SO1001", "order_date": date(2026, 12, 1), "customer_po": "A-77",
                  "requested_ship_date": date(2026, 12, 8), "ship_to": "Acme Retail\n4 Quay Street\nBristol",
                  "total": Decimal("42.00")},
        "customer": _CUSTOMER,
        "ship_to": "Acme Retail\n4 Quay Street\nBristol",
        "lines": [{"line_no": 1, "item_code": "BOLT-10", "description": "Bolt M10", "qty": Decimal("12"),
                   "price": Decimal("3.50"), "discount_pct": Decimal("0"), "value": Decimal("42.00")}],
        "totals": {"merchandise": Decimal("42.00"), "discount": Decimal("0.00"), "total": Decimal("42.00")},
        "company": _COMPANY,
    }),
]


def all_types() -> dict[str, TemplateType]:
    """Built-in types plus those of enabled plugins; a failing plugin is left out and named."""
    from core.plugins import host_of

    types = {t.code: t for t in BUILTIN}
    try:
        results = host_of(current_app).hook.email_template_types()
    except HookError as exc:
        if has_request_context():
            flash(str(exc), "error")
        results = []
    for group in results:
        for t in group or []:
            if isinstance(t, TemplateType) and t.code not in types:
                types[t.code] = t
    return types


def type_choices() -> list[tuple[str, str]]:
    return [(code, t.label) for code, t in all_types().items()]
