"""Purchase order, receipt and return numbers.

The *Next Automatic Purchase Order Number* counter (core's sequence table, advanced in
the document's own transaction) never answers a number that a PO already carries:
numbers typed by hand or taken from sales order numbers by PO generation can sit
ahead of the counter, and the counter skips them instead of refusing the save.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from core.bulk import among
from core.db import db
from core.models import Sequence
from core.numbering import ensure_sequence, format_number, next_number

from .models import PurchaseOrder
from .options import PO_SEQ, RECEIPT_SEQ, RETURN_SEQ

NUMBER_LENGTH = PurchaseOrder.__table__.c.number.type.length  # 20: the widest PO number the column keeps


def _seq_args(seq: dict) -> dict:
    return {k: v for k, v in seq.items() if k != "name"}


def po_numbers_in_use(numbers: Iterable[str]) -> set[str]:
    """Which of ``numbers`` are already PO numbers (one query, the numbers in one parameter)."""
    wanted = sorted({n for n in numbers if n})
    if not wanted:
        return set()
    return set(db.session.scalars(sa.select(PurchaseOrder.number).where(among(PurchaseOrder.number, wanted))))


def _used_among(drawn: list[str]) -> set[str]:
    """Which consecutive counter numbers are taken: one index range scan when they all have
    the same width (text order is then number order), else a membership query."""
    if len(drawn) > 1 and len({len(n) for n in drawn}) == 1:
        in_range = db.session.scalars(sa.select(PurchaseOrder.number).where(
            PurchaseOrder.number >= drawn[0], PurchaseOrder.number <= drawn[-1]))
        return set(in_range) & set(drawn)
    return po_numbers_in_use(drawn)


def lock_po_numbers() -> None:
    """Serialise PO numbering until the transaction ends: lock the *po_number* counter row.

    Call it before checking candidate numbers that will be used explicitly (numbers
    derived from a sales order number, for instance): two transactions could otherwise
    both find the same candidate free. SQLite's BEGIN IMMEDIATE already serialises writers.
    """
    ensure_sequence(PO_SEQ["name"], **_seq_args(PO_SEQ))
    db.session.execute(sa.update(Sequence).where(Sequence.name == PO_SEQ["name"])
                       .values(next_value=Sequence.next_value).execution_options(synchronize_session=False))


def draw_po_numbers(count: int, avoid: Iterable[str] = ()) -> list[str]:
    """``count`` next automatic PO numbers, skipping numbers already used by a PO or in ``avoid``.

    Advances the counter by ``count`` in one statement, checks the drawn numbers in one
    query, and draws again only for the ones that were taken: a bounded number of
    statements however many numbers are wanted.
    """
    avoid = set(avoid)
    out: list[str] = []
    while len(out) < count:
        want = count - len(out)
        drawn = [next_number(PO_SEQ["name"], **_seq_args(PO_SEQ))]  # creates the counter when missing
        if want > 1:
            row = db.session.execute(
                sa.update(Sequence).where(Sequence.name == PO_SEQ["name"])
                .values(next_value=Sequence.next_value + (want - 1))
                .returning(Sequence.next_value, Sequence.width, Sequence.prefix)
                .execution_options(synchronize_session=False)).one()
            start = row.next_value - (want - 1)
            drawn += [format_number(v, row.width, row.prefix) for v in range(start, row.next_value)]
        taken = _used_among(drawn) | (set(drawn) & avoid)
        out += [n for n in drawn if n not in taken]
    return out[:count]


def next_po_number() -> str:
    """The *Next Automatic Purchase Order Number*, skipping numbers a PO already carries."""
    return draw_po_numbers(1)[0]


def next_receipt_number() -> str:
    return next_number(RECEIPT_SEQ["name"], **_seq_args(RECEIPT_SEQ))


def next_return_number() -> str:
    return next_number(RETURN_SEQ["name"], **_seq_args(RETURN_SEQ))
