"""Document numbers from named counter rows, advanced in the document's own transaction.

``next_number`` is one ``UPDATE … RETURNING``: PostgreSQL holds the row lock until
the document's transaction ends, SQLite's BEGIN IMMEDIATE serialises writers, so two
concurrent saves never draw the same number, and a rolled-back save gives its number
back (no gaps, unlike a database sequence). Each document table also carries a unique
constraint on its number.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .db import db
from .errors import ValidationError
from .models import Sequence
from .options import forget_sequences, sequence_drawn


class SequenceExhausted(ValidationError):
    """The counter is past its maximum: a refusal the user sees, not a server error.

    The owning plugin usually catches it to name the document ("No credit note numbers are left").
    """

    def __init__(self, name: str, maximum: int | None):
        self.name, self.maximum = name, maximum
        super().__init__(None, f"sequence '{name}' has no numbers left (maximum {maximum})")


def format_number(value: int, width: int = 0, prefix: str = "") -> str:
    return f"{prefix}{str(value).zfill(width)}"


def ensure_sequence(name: str, start: int = 1, width: int = 0, min_value: int = 1,
                    max_value: int = 9_999_999_999, prefix: str = "") -> None:
    """Create the counter row if it is missing; safe when two transactions race."""
    values = dict(name=name, next_value=start, width=width, min_value=min_value, max_value=max_value, prefix=prefix)
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(Sequence).values(**values).on_conflict_do_nothing(index_elements=["name"]))


def next_number(name: str, *, start: int = 1, width: int = 0, min_value: int = 1,
                max_value: int = 9_999_999_999) -> str:
    """Draw the next number of sequence ``name`` (created with the given defaults if new)."""
    stmt = (
        sa.update(Sequence)
        .where(Sequence.name == name, Sequence.next_value <= Sequence.max_value)
        .values(next_value=Sequence.next_value + 1)
        .returning(Sequence.next_value, Sequence.width, Sequence.prefix)
        .execution_options(synchronize_session=False)
    )
    row = db.session.execute(stmt).one_or_none()
    if row is None:
        # missing (or created by a concurrent transaction since): create it unless it exists, retry
        ensure_sequence(name, start, width, min_value, max_value)
        row = db.session.execute(stmt).one_or_none()
        if row is None:  # the counter is past its maximum: nothing was advanced
            top = db.session.scalar(sa.select(Sequence.max_value).where(Sequence.name == name))
            raise SequenceExhausted(name, top)
    sequence_drawn(name, row.next_value)  # the per-request copy of the counters stays right
    return format_number(row.next_value - 1, row.width, row.prefix)


def peek(name: str) -> int | None:
    return db.session.scalar(sa.select(Sequence.next_value).where(Sequence.name == name))


def set_next_value(name: str, value: int, **defaults) -> None:
    """Set the next number of ``name`` (creating it with ``defaults`` if new); range-checked."""
    forget_sequences()
    ensure_sequence(name, value, **defaults)
    low, high = db.session.execute(
        sa.select(Sequence.min_value, Sequence.max_value).where(Sequence.name == name)).one()
    if not low <= value <= high:
        raise ValueError(f"sequence '{name}': {value} is outside {low}..{high}")
    db.session.execute(
        sa.update(Sequence).where(Sequence.name == name).values(next_value=value)
        .execution_options(synchronize_session=False)
    )


# -- alphanumeric counters: "00001", "A0005" ---------------------------------------------------------

CODE_LENGTH = 10  # core_sequence.prefix holds 10 characters; a code is never longer than that
_CODE = re.compile(r"([A-Z0-9]*?)([0-9]+)")


def parse_code(text: str) -> tuple[str, int, int]:
    """``"A0005"`` -> (prefix ``"A"``, value 5, width 4): letters and digits ending in digits.

    The digits at the end count up and keep their width; what stands before them stays.
    Raises ``ValueError`` with the message for the page.
    """
    code = (text or "").strip().upper()
    if not code or len(code) > CODE_LENGTH or not code.isascii() or not code.isalnum():
        raise ValueError(f"use 1 to {CODE_LENGTH} letters and digits, for example 00001 or A0005")
    m = _CODE.fullmatch(code)
    if m is None:
        raise ValueError("must end in a digit, for example 00001 or A0005")
    return m.group(1), int(m.group(2)), len(m.group(2))


def set_next_code(name: str, code: str) -> None:
    """Set an alphanumeric counter: its prefix, width and next value all come from ``code``."""
    prefix, value, width = parse_code(code)
    forget_sequences()
    ensure_sequence(name, value, width, 0, 10**width - 1, prefix)
    db.session.execute(
        sa.update(Sequence).where(Sequence.name == name)
        .values(next_value=value, width=width, prefix=prefix, min_value=0, max_value=10**width - 1)
        .execution_options(synchronize_session=False)
    )


def next_code(name: str, default: str) -> str:
    """Draw the next code of an alphanumeric counter (created from ``default`` if new).

    ``A0005`` answers ``A0005`` and leaves ``A0006``; after ``A9999`` the counter is used up
    (:class:`SequenceExhausted`) until a new series is set on the options page.
    """
    prefix, value, width = parse_code(default)
    ensure_sequence(name, value, width, 0, 10**width - 1, prefix)
    return next_number(name, start=value, width=width, min_value=0, max_value=10**width - 1)
