"""A supplier order snapshot: the whole order as the supplier has it now (pure parsing).

Shape (what a connector's ``fetch_order`` returns)::

    {"order_ref": "S-1001", "buyer_po_number": "0000012" or null,
     "changed_at": "2026-11-30T07:00:00.123456Z",
     "lines": [{"line_ref": "1", "item_code": "NW-B10", "description": "...",
                "qty": "10", "unit_price": "4.20", "required_date": "2026-12-05" or null,
                "status": "accepted" | "back_ordered" | "rejected" | "cancelled"}]}

Applying a snapshot replaces the state of each line; it is never a delta.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from core.db import Quantity, UnitAmount
from core.parsing import ParseError, parse_decimal

from .models import LINE_STATUSES


class MalformedSnapshot(ValueError):
    """The supplier's order cannot be used; nothing of it is applied."""


@dataclass(frozen=True)
class SnapshotLine:
    line_ref: str
    item_code: str
    description: str
    qty: Decimal
    unit_price: Decimal
    required_date: date | None
    status: str


@dataclass(frozen=True)
class Snapshot:
    order_ref: str
    buyer_po_number: str | None
    changed_at: datetime  # naive UTC, like every timestamp in the database
    lines: tuple[SnapshotLine, ...]


def parse_time(raw: Any) -> datetime:
    """An ISO-8601 time; an aware one is converted to naive UTC, a naive one is taken as UTC."""
    if not isinstance(raw, str) or not raw.strip():
        raise MalformedSnapshot("changed_at is missing")
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedSnapshot(f"changed_at {raw!r} is not a time") from None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _text(raw: Any, what: str, limit: int, *, required: bool = True) -> str:
    if raw is None and not required:
        return ""
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise MalformedSnapshot(f"{what} must be text")
    text = str(raw).strip()
    if required and not text:
        raise MalformedSnapshot(f"{what} is missing")
    if len(text) > limit or "\x00" in text:
        raise MalformedSnapshot(f"{what} is too long or not plain text")
    return text


def _number(raw: Any, column, what: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise MalformedSnapshot(f"{what} must be a number")
    try:
        return parse_decimal(str(raw), column, low=Decimal(0))
    except ParseError as exc:
        raise MalformedSnapshot(f"{what}: {exc}") from None


def _line(raw: Any, n: int) -> SnapshotLine:
    if not isinstance(raw, dict):
        raise MalformedSnapshot(f"line {n} is not an object")
    status = raw.get("status", "accepted")
    if status not in LINE_STATUSES:
        raise MalformedSnapshot(f"line {n}: unknown status {status!r}")
    req = raw.get("required_date")
    try:
        required = date.fromisoformat(req) if isinstance(req, str) and req else None
    except ValueError:
        raise MalformedSnapshot(f"line {n}: required_date {req!r} is not a date") from None
    if req not in (None, "") and required is None:
        raise MalformedSnapshot(f"line {n}: required_date must be a date")
    return SnapshotLine(
        line_ref=_text(raw.get("line_ref"), f"line {n}: line_ref", 40),
        item_code=_text(raw.get("item_code"), f"line {n}: item_code", 40),
        description=_text(raw.get("description"), f"line {n}: description", 200, required=False),
        qty=_number(raw.get("qty"), Quantity, f"line {n}: qty"),
        unit_price=_number(raw.get("unit_price"), UnitAmount, f"line {n}: unit_price"),
        required_date=required, status=status,
    )


def parse_snapshot(raw: Any) -> Snapshot:
    """Validate a connector's answer; raises :class:`MalformedSnapshot` naming what is wrong."""
    if not isinstance(raw, dict):
        raise MalformedSnapshot("the order is not an object")
    lines_raw = raw.get("lines")
    if not isinstance(lines_raw, list) or len(lines_raw) > 1000:
        raise MalformedSnapshot("lines must be a list (at most 1000)")
    lines = tuple(_line(x, n) for n, x in enumerate(lines_raw, start=1))
    refs = [ln.line_ref for ln in lines]
    if len(set(refs)) != len(refs):
        raise MalformedSnapshot("two lines have the same line_ref")
    buyer = raw.get("buyer_po_number")
    return Snapshot(
        order_ref=_text(raw.get("order_ref"), "order_ref", 60),
        buyer_po_number=_text(buyer, "buyer_po_number", 20) if buyer not in (None, "") else None,
        changed_at=parse_time(raw.get("changed_at")), lines=lines,
    )
