"""Purchase-order business rules as plain functions (they flush, never commit).

A package of small modules by concern: :mod:`.entry` (PO entry), :mod:`.sending`
(send, close, cancel, delete), :mod:`.goods` (receipts, returns, purchase history),
:mod:`.queries` (reading for the pages), :mod:`.codes` (system data). What other
plugins call to write purchase orders is :mod:`plugins.purchase_order.documents`.
Every refusal is a :class:`core.errors.ValidationError`.
"""

from __future__ import annotations

from core.errors import ValidationError

from ..common import (
    MAX_LINES,
    add_exception,
    check_reason_code,
    default_ship_to,
    default_warehouse_id,
    deleted_reason_required,
    has_receipts,
    is_sent,
    refresh_status,
)
from ..numbers import next_po_number, po_numbers_in_use
from .entry import HEADER_FIELDS, LINE_FIELDS, create_purchase_order, header_problems, save_purchase_order
from .goods import Posted, post_receipt, post_return
from .queries import history_of, load_po, receipts_of, returns_of
from .sending import cancel_purchase_order, close_purchase_order, delete_purchase_order, send_purchase_order

# The name other plugins caught before there was one domain error; services raise
# ValidationError, which this is.
PurchaseOrderError = ValidationError

__all__ = [
    "HEADER_FIELDS", "LINE_FIELDS", "MAX_LINES", "Posted", "PurchaseOrderError", "add_exception",
    "cancel_purchase_order", "check_reason_code", "close_purchase_order", "create_purchase_order",
    "default_ship_to", "default_warehouse_id", "delete_purchase_order", "deleted_reason_required", "has_receipts", "header_problems",
    "history_of", "is_sent", "load_po", "next_po_number", "po_numbers_in_use", "post_receipt", "post_return",
    "receipts_of", "refresh_status", "returns_of", "save_purchase_order", "send_purchase_order",
]
