"""Purchase order numbers made from a sales order number (Sage 100, Generate tab).

*Use Sales Order Number as Purchase Order Number* with *Apply Incremental Value to
Purchase Order No. At*:

* **beginning** -- ``0100022`` gives ``0100022``, then the leading zero replaced by
  ``1`` … ``9``, ``A`` … ``Z`` (``1100022`` … ``Z100022``); a number without a leading
  zero is prefixed by ``0`` … ``9``, ``A`` … ``Z`` (``ZZYZX``, ``0ZZYZX`` … ``ZZZYZX``).
* **end** -- the leading zero (if any) is dropped and ``A`` … ``Z`` appended
  (``0100022``, ``100022A`` … ``100022Z``; ``ZZYZX``, ``ZZYZXA`` … ``ZZYZXZ``).

When the candidates run out, the next automatic purchase order number is used
(:func:`first_free` returns ``None`` and the caller draws one).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Iterator

DIGITS = string.digits  # 0-9
LETTERS = string.ascii_uppercase  # A-Z
INCREMENT_AT = ("beginning", "end")


def po_number_candidates(so_number: str, increment_at: str = "beginning") -> Iterator[str]:
    """Yield the SO number, then each incremented candidate in order; stop when they run out."""
    if increment_at not in INCREMENT_AT:
        raise ValueError(f"increment_at must be one of {INCREMENT_AT}, not {increment_at!r}")
    so_number = (so_number or "").strip()
    if not so_number:
        return
    yield so_number
    if increment_at == "beginning":
        if so_number.startswith("0"):
            rest = so_number[1:]
            for ch in DIGITS[1:] + LETTERS:
                yield ch + rest
        else:
            for ch in DIGITS + LETTERS:
                yield ch + so_number
    else:
        base = so_number[1:] if so_number.startswith("0") else so_number
        for ch in LETTERS:
            yield base + ch


def first_free(candidates: Iterable[str], taken: set[str] | Callable[[str], bool]) -> str | None:
    """The first candidate not taken, or ``None`` when all are (use the next automatic number)."""
    is_taken = taken if callable(taken) else taken.__contains__
    for number in candidates:
        if not is_taken(number):
            return number
    return None


def assign_so_numbers(so_number: str, count: int, increment_at: str, taken: set[str]) -> list[str | None]:
    """Numbers for ``count`` POs of one sales order, in assignment order.

    Each PO takes the next candidate not in ``taken`` (which is updated); ``None`` means
    the candidates ran out and the next automatic PO number must be used.
    """
    out: list[str | None] = []
    it = po_number_candidates(so_number, increment_at)
    for _ in range(count):
        number = first_free(it, taken)
        if number is not None:
            taken.add(number)
        out.append(number)
    return out
