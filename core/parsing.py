"""One place where raw text from a request becomes a typed value, within the column's bounds.

Every list filter, form field and import cell goes through these parsers, so hostile
input (NUL bytes, 20-digit ids, ``²``, ``Infinity``, more decimals than the column keeps)
is refused with a plain message instead of reaching the database. The bounds come from
the column types in :mod:`core.db` (``Quantity``, ``Money``, ``UnitAmount``) and from
64-bit integer ids.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

INT64_MAX = 2**63 - 1
# Record ids and plain whole-number columns are INTEGER: 32-bit on PostgreSQL (64-bit on
# SQLite). An id above this names no record anywhere, and PostgreSQL refuses to compare with it.
INT32_MAX = 2**31 - 1
ID_MAX = INT32_MAX
# ASCII digits only: str.isdigit() also accepts "²" and "١", which int() refuses or reads differently
_INT = re.compile(r"[+-]?[0-9]{1,19}")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


class ParseError(ValueError):
    """The text is not a valid value; ``str()`` is the message shown beside the field."""


def has_nul(text: str) -> bool:
    return "\x00" in text


def parse_int(raw: object, *, low: int | None = None, high: int | None = None) -> int:
    """A whole number written with ASCII digits, within 64 bits and ``low``..``high``."""
    text = str(raw).strip() if raw is not None else ""
    if not _INT.fullmatch(text):
        raise ParseError("Enter a whole number.")
    value = int(text)
    low = -INT64_MAX if low is None else low
    high = INT64_MAX if high is None else high
    if value < low:
        raise ParseError(f"Enter a number of at least {low}.")
    if value > high:
        raise ParseError(f"Enter a number of at most {high}.")
    return value


def parse_id(raw: object) -> int | None:
    """A record id from a query string or form (``?customer=12``); ``None`` when it cannot be one."""
    try:
        return parse_int(raw, low=1, high=ID_MAX)
    except ParseError:
        return None


def decimal_bounds(column_type: sa.Numeric) -> tuple[Decimal, int]:
    """(largest absolute value, decimal places) that a ``Numeric(p, s)`` column holds."""
    precision, scale = column_type.precision or 18, column_type.scale or 0
    return Decimal(10) ** (precision - scale) - Decimal(1).scaleb(-scale), scale


def parse_decimal(raw: object, column_type: sa.Numeric, *, low: Decimal | None = None) -> Decimal:
    """A number the column can store exactly: finite, ASCII digits, no more decimals than its scale."""
    text = str(raw).strip() if raw is not None else ""
    if isinstance(raw, Decimal):
        value = raw
    elif _DECIMAL.fullmatch(text):
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
            raise ParseError("Enter a number.") from None
    else:
        raise ParseError("Enter a number like 12 or 12.50.")
    if not value.is_finite():
        raise ParseError("Enter a number like 12 or 12.50.")
    largest, scale = decimal_bounds(column_type)
    # the magnitude first: quantize() itself fails on values like 1e308
    if abs(value) > largest:
        raise ParseError(f"Enter a number of at most {largest:,f}.")
    if value and value.normalize().as_tuple().exponent < -scale:
        raise ParseError(f"Use at most {scale} decimal places." if scale else "Enter a whole number.")
    if low is not None and value < low:
        raise ParseError(f"Enter a number of at least {low}.")
    return value


def parse_date(raw: object) -> date | None:
    """An ISO date (``2026-11-30``); ``None`` for empty or invalid text (list filters)."""
    text = str(raw).strip() if raw is not None else ""
    if not text or not text.isascii():
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
