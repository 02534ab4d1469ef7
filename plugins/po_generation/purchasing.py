"""The one place po_generation calls purchase_order.

Every write to a purchase order (creating in bulk, adding, changing or deleting lines,
deleting POs to history, recording an exception for the buyer) and every question about
PO numbers goes through purchase_order's public API, :mod:`plugins.purchase_order.documents`,
so its validation, numbering, defaults, history and hooks apply. The rest of the package
never imports purchase_order's services and never writes its tables; moving to another
version of that API is a change to this file only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

import sqlalchemy as sa

from core.db import db
from plugins.purchase_order import documents
from plugins.purchase_order.documents import PurchaseOrderDraft, PurchaseOrderLineDraft
from plugins.purchase_order.models import CancelReasonCode, PurchaseOrder

__all__ = ["PurchaseOrderDraft", "PurchaseOrderLineDraft"]

NUMBER_LENGTH: int = PurchaseOrder.__table__.c.number.type.length


# -- numbers --------------------------------------------------------------------------------


def lock_numbers() -> None:
    """Serialise PO numbering until commit (before SO-derived candidates are checked)."""
    documents.lock_po_numbers()


def numbers_in_use(numbers: set[str]) -> set[str]:
    return documents.po_numbers_in_use(numbers)


def draw_automatic(n: int, avoid: set[str]) -> list[str]:
    """``n`` next automatic PO numbers, skipping numbers in use (SO-derived ones too) and ``avoid``."""
    return documents.draw_po_numbers(n, avoid)


# -- writing --------------------------------------------------------------------------------


def create_purchase_orders(drafts: Sequence[PurchaseOrderDraft]) -> list[int]:
    """Create the POs in bulk (a few statements however many); returns their ids in draft
    order. Each draft gets its ``po_id``/``number`` and each line draft its ``po_line_id``."""
    return list(documents.create_purchase_orders(drafts).ids) if drafts else []


def create_one(draft: PurchaseOrderDraft) -> PurchaseOrder:
    """One PO (a drop-ship PO by hand), loaded with its lines."""
    return documents.create_purchase_orders([draft])[0]


def add_lines(additions: Mapping[int, Sequence[PurchaseOrderLineDraft]]) -> list[int]:
    """Append lines to open, unsent POs (``{po_id: lines}``, combining); fills ``po_line_id``."""
    return documents.add_lines_bulk(additions)


def change_line_quantities(changes: Mapping[int, Decimal], *, reason: str, sent_confirmed: bool = False
                           ) -> list[str]:
    """New ordered quantities of lines of unsent POs (of sent ones only when the user
    confirmed, as *Reset Purchase Orders* asks); a line going to zero or below is deleted,
    and a PO left without lines is deleted too (to history, as its options say).
    Returns the numbers of the POs so deleted."""
    keep = {lid: qty for lid, qty in changes.items() if qty > 0}
    gone = [lid for lid, qty in changes.items() if qty <= 0]
    documents.change_line_quantities(keep, reason=reason, sent_confirmed=sent_confirmed)
    if gone:
        return delete_purchase_orders(documents.delete_lines(gone, reason=reason), reason=reason)
    return []


def delete_purchase_orders(po_ids: Iterable[int], *, reason_code: str | None = None,
                           user_id: int | None = None, reason: str = "") -> list[str]:
    """Delete POs (to history with the reason, as *Retain Deleted Orders* says); their numbers.
    ``reason`` (in words) goes to each PO's activity log."""
    return documents.delete_purchase_orders(list(po_ids), reason_code=reason_code, user_id=user_id, reason=reason)


def record_buyer_exception(po_id: int, text: str) -> None:
    documents.record_buyer_exception(po_id, text)


# -- questions ------------------------------------------------------------------------------


def load_pos(po_ids: Iterable[int]) -> list[PurchaseOrder]:
    ids = list(po_ids)
    if not ids:
        return []
    return list(db.session.scalars(sa.select(PurchaseOrder).where(PurchaseOrder.id.in_(ids))
                                   .options(sa.orm.selectinload(PurchaseOrder.lines),
                                            sa.orm.joinedload(PurchaseOrder.vendor),
                                            sa.orm.joinedload(PurchaseOrder.customer))
                                   .order_by(PurchaseOrder.number)))


def is_sent(po: PurchaseOrder) -> bool:
    return documents.is_sent(po)


def has_receipts(po: PurchaseOrder) -> bool:
    return documents.has_receipts(po)


def reason_required() -> bool:
    """*Retain Deleted Orders* says Prompt: deleting a PO needs a cancel/reason code."""
    return documents.deleted_reason_required("order")


def reason_codes() -> list[CancelReasonCode]:
    return list(db.session.scalars(sa.select(CancelReasonCode).order_by(CancelReasonCode.code)))


def check_reason_code(code: str | None) -> str:
    return documents.check_reason_code(code, required=False)
