"""What a save is given (``OrderInput``) and what it changed (``LineChanges``, the hook contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .models import SalesOrderLine


@dataclass
class LineChange:
    line: SalesOrderLine
    old_qty: Decimal
    new_qty: Decimal


@dataclass
class RemovedLine:
    line_id: int
    line_no: int
    item_id: int
    qty_ordered: Decimal


@dataclass
class LineChanges:
    """Passed to ``on_sales_order_saved``: which lines a save added, changed or removed."""

    added: list[SalesOrderLine] = field(default_factory=list)
    changed: list[LineChange] = field(default_factory=list)
    removed: list[RemovedLine] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass
class LineInput:
    item_id: int | None
    qty_ordered: Decimal | None
    id: int | None = None
    description: str = ""
    alias_item_code: str = ""  # the customer's or an alternate item number
    unit_price: Decimal | None = None  # None: the item's list price
    discount_pct: Decimal | None = None
    promise_date: date | None = None
    warehouse_id: int | None = None  # None: the order's warehouse
    drop_ship: bool | None = None  # None: from the item's supply method
    vendor_id: int | None = None  # None: the item's default vendor
    index: int = 0  # row in the form, for error messages beside the field

    def field(self, name: str) -> str:
        """The form's name of this line's field ``name`` (``lines-2-qty_ordered``)."""
        return f"lines-{self.index}-{name}"


@dataclass
class OrderInput:
    customer_id: int | None
    lines: list[LineInput]
    order_date: date | None = None
    number: str = ""
    customer_po_number: str = ""
    requested_ship_date: date | None = None
    ship_to_address: str = ""  # blank: the customer's ship-to address
    ship_via: str = ""
    fob: str = ""
    confirm_to: str = ""
    email: str = ""
    warehouse_id: int | None = None
    order_type: str = "O"
    notes: str = ""
    margin_override: bool = False
    reason_code: str = ""
    invoice_discount_pct: Decimal | None = None
