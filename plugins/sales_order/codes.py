"""Small code lists of the sales order setup: reason codes (credit notes) and ship-via codes.

The services check and save a code; ``ship_via_for`` and ``check_reason_code`` are what
order entry asks of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError

from .models import ReasonCode, ShipViaCode

FREE_MESSAGE_MAX = 28  # the seed: a message that is not a code can have at most 28 characters


@dataclass(frozen=True)
class CodeKind:
    slug: str
    title: str  # plural, as the menu and the list page say it
    noun: str
    model: type[ReasonCode] | type[ShipViaCode]
    text_label: str
    text_max: int


KINDS = {
    "reason-codes": CodeKind("reason-codes", "Reason codes", "reason code", ReasonCode, "Description", 60),
    "ship-via": CodeKind("ship-via", "Ship-via codes", "ship-via code", ShipViaCode, "Shipping message", 40),
}


def find_code(model: type[ReasonCode] | type[ShipViaCode], code: str,
              active_only: bool = True) -> ReasonCode | ShipViaCode | None:
    """The code typed, compared without regard to case."""
    stmt = sa.select(model).where(sa.func.upper(model.code) == code.strip().upper())
    if active_only:
        stmt = stmt.where(model.active)
    return db.session.scalar(stmt)


def save_code(kind: CodeKind, record: ReasonCode | ShipViaCode | None, code: str, description: str,
              active: bool) -> ReasonCode | ShipViaCode:
    code = code.strip().upper()
    other = find_code(kind.model, code, active_only=False)
    if other is not None and (record is None or other.id != record.id):
        raise ValidationError("code", f"The {kind.noun} {code} already exists.")
    record = record or kind.model()
    record.code, record.description, record.active = code, description.strip(), active
    db.session.add(record)
    db.session.flush()
    return record


def ship_via_for(typed: str, usage: str) -> str:
    """*Shipping via usage*: free form keeps the text; coded turns a code into its message.

    In coded use a text that is no code is kept as the clerk's own message (28 characters
    at most, as the seed says).
    """
    typed = typed.strip()
    if usage != "coded" or not typed:
        return typed
    found = find_code(ShipViaCode, typed) if len(typed) <= 10 else None
    if found is not None:
        return found.description or found.code
    if len(typed) > FREE_MESSAGE_MAX:
        raise ValidationError("ship_via", f"{typed[:10]}… is not a ship-via code; a message of your own can have "
                                          f"at most {FREE_MESSAGE_MAX} characters.")
    return typed


def check_reason_code(typed: str, required: bool) -> str | None:
    """The reason code to store, or why it is refused (a ``(field, message)`` problem)."""
    typed = typed.strip()
    if not typed:
        if required:
            raise ValidationError("reason_code", "Choose a reason code for the credit note (setup option).")
        return ""
    found = find_code(ReasonCode, typed)
    if found is None:
        raise ValidationError("reason_code", f"{typed} is not an active reason code.")
    return found.code


def active_choices(model: type[ReasonCode] | type[ShipViaCode]) -> list[tuple[str, str]]:
    rows = db.session.execute(sa.select(model.code, model.description).where(model.active)
                              .order_by(model.code)).all()
    return [(r.code, f"{r.code} {r.description}") for r in rows]
