"""System data: PO line statuses and cancel/reason codes, and resolving buyer exceptions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError

from ..common import hooks
from ..models import CancelReasonCode, PoLineStatus, PurchaseOrderException

CodeRow = PoLineStatus | CancelReasonCode


def code_rows(model: type[CodeRow]) -> list[CodeRow]:
    return list(db.session.scalars(sa.select(model).order_by(model.code)))


def save_code(model: type[CodeRow], row: CodeRow | None, values: Mapping[str, Any],
              form_data: Mapping[str, Any] | None = None) -> CodeRow:
    """Create or change a code row; the code is kept in upper case and unique.

    A PO line status fires ``on_po_line_status_saved`` with everything the form carried,
    including fields other plugins added to it (``form_data``).
    """
    code = str(values["code"]).strip().upper()
    clash = db.session.scalar(sa.select(model).where(model.code == code))
    if clash is not None and clash is not row:
        raise ValidationError("code", f"Code {code} already exists.")
    row = row or model()
    for key, value in values.items():
        setattr(row, key, value)
    row.code = code
    db.session.add(row)
    db.session.flush()
    if isinstance(row, PoLineStatus):
        hooks().on_po_line_status_saved(status=row, form_data=dict(form_data or values))
    return row


def delete_code(row: CodeRow) -> None:
    db.session.delete(row)
    db.session.flush()


def resolve_exception(po_id: int, exc_id: int) -> bool:
    """Mark a buyer exception of PO ``po_id`` resolved; False when there is no such exception."""
    row = db.session.get(PurchaseOrderException, exc_id)
    if row is None or row.po_id != po_id:
        return False
    row.resolved = True
    db.session.flush()
    return True
