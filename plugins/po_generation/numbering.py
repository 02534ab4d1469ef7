"""Purchase order numbers made from a sales order number (Sage 100, Generate tab). Pure.

*Use Sales Order Number as Purchase Order Number* with *Apply Incremental Value to
Purchase Order No. At*:

* **beginning** -- ``0100022`` gives ``0100022``, then the leading zero replaced by
  ``1`` … ``9``, ``A`` … ``Z`` (``1100022`` … ``Z100022``); a number without a leading
  zero is prefixed by ``0`` … ``9``, ``A`` … ``Z`` (``ZZYZX``, ``0ZZYZX`` … ``ZZZYZX``).
* **end** -- the leading zero (if any) is dropped and ``A`` … ``Z`` appended
  (``0100022``, ``100022A`` … ``100022Z``; ``ZZYZX``, ``ZZYZXA`` … ``ZZYZXZ``).

A candidate longer than the PO number column (``max_length``) is not a candidate: a
20-character SO number with *End* falls back to the next automatic number. When the
candidates run out, the next automatic purchase order number is used.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from .choices import INCREMENT_AT
from .rules import GenOptions, Plan, PODraft

DIGITS = string.digits  # 0-9
LETTERS = string.ascii_uppercase  # A-Z


def po_number_candidates(so_number: str, increment_at: str = "beginning",
                         max_length: int | None = None) -> Iterator[str]:
    """Yield the SO number, then each incremented candidate in order; stop when they run out.
    Candidates longer than ``max_length`` are skipped."""
    yield from candidate_list(so_number, increment_at, max_length)


def candidate_list(so_number: str, increment_at: str = "beginning", max_length: int | None = None) -> list[str]:
    """:func:`po_number_candidates` as a list (the bulk path builds tens of thousands)."""
    if increment_at not in INCREMENT_AT:
        raise ValueError(f"increment_at must be one of {INCREMENT_AT}, not {increment_at!r}")
    so_number = (so_number or "").strip()
    if not so_number:
        return []
    found = _all_candidates(so_number, increment_at)
    return found if max_length is None else [c for c in found if len(c) <= max_length]


def _all_candidates(so_number: str, increment_at: str) -> list[str]:
    return list(_iter_candidates(so_number, increment_at))


def _iter_candidates(so_number: str, increment_at: str) -> Iterator[str]:
    yield so_number
    if increment_at == "beginning":
        if so_number.startswith("0"):
            rest = so_number[1:]
            yield from (ch + rest for ch in DIGITS[1:] + LETTERS)
        else:
            yield from (ch + so_number for ch in DIGITS + LETTERS)
        return
    base = so_number[1:] if so_number.startswith("0") else so_number
    yield from (base + ch for ch in LETTERS)


def _first_candidates(so_number: str, increment_at: str, max_length: int | None, n: int) -> list[str]:
    """The first ``n`` of :func:`candidate_list`, without building the other thirty-odd."""
    so_number = (so_number or "").strip()
    if not so_number:
        return []
    fits = (c for c in _iter_candidates(so_number, increment_at) if max_length is None or len(c) <= max_length)
    return list(islice(fits, n))


def first_free(candidates: Iterable[str], taken: set[str] | Callable[[str], bool]) -> str | None:
    """The first candidate not taken, or ``None`` when all are (use the next automatic number)."""
    is_taken = taken if callable(taken) else taken.__contains__
    return next((number for number in candidates if not is_taken(number)), None)


InUse = Callable[[set[str]], set[str]]
DrawAutomatic = Callable[[int, set[str]], list[str]]


def assign_numbers(plan: Plan, opts: GenOptions, *, in_use: InUse, draw_automatic: DrawAutomatic,
                   max_length: int | None = None) -> None:
    """Give every new draft of ``plan`` its number.

    With *Use Sales Order Number as Purchase Order Number* (never when combining) each order's POs take, in plan order (drop ship first, then standard by
    vendor number), the first candidate of :func:`po_number_candidates` not used by any PO
    nor earlier in this run; when they run out, the next automatic number. ``in_use``
    answers which of a set of numbers are taken (called a bounded number of times, not per
    PO); ``draw_automatic(n, avoid)`` returns ``n`` fresh automatic numbers not in ``avoid``.
    """
    new = [d for d in plan.drafts if d.existing_po_id is None]
    used: set[str] = set()
    auto = new
    if opts.use_so_number and not opts.combine_by_vendor:
        chosen = _so_numbers(new, opts.increment_at, in_use, max_length)
        used = {n for n in chosen.values() if n is not None}
        auto = [d for d in new if chosen[id(d)] is None]
        for d in new:
            if chosen[id(d)] is not None:
                d.number, d.number_source = chosen[id(d)], "sales order"
    if auto:
        for d, number in zip(auto, draw_automatic(len(auto), used), strict=True):
            d.number, d.number_source = number, "automatic"


def _so_numbers(new: list[PODraft], increment_at: str, in_use: InUse,
                max_length: int | None) -> dict[int, str | None]:
    """SO-derived numbers per draft (keyed by ``id(draft)``), ``None`` where they ran out.

    First asks about as many candidates per order as it has POs plus a margin; only if
    some order ran short does it ask about all of its candidates (two rounds at most).
    """
    by_order: dict[str, list[PODraft]] = {}
    for d in new:
        by_order.setdefault(d.so_numbers[0], []).append(d)
    # the first round needs a few candidates per order; all of them only for an order that ran short
    candidates = {so: _first_candidates(so, increment_at, max_length, len(ds) + 2) for so, ds in by_order.items()}
    checked: set[str] = set()
    taken: set[str] = set()
    result: dict[int, str | None] = {}
    for final in (False, True):
        if final:
            candidates = {so: candidate_list(so, increment_at, max_length) for so in by_order}
        ask = {c for so, ds in by_order.items() for c in candidates[so][: None if final else len(ds) + 2]}
        ask -= checked
        if ask:
            taken |= in_use(ask)
            checked |= ask
        used: set[str] = set()
        short = False
        for so in sorted(by_order):
            pool = [c for c in candidates[so] if c in checked]
            free = iter(c for c in pool if c not in taken and c not in used)
            for d in by_order[so]:
                number = next(free, None)
                # the first round saw only a few candidates: running out there means "ask about all"
                short = short or (number is None and (not final or len(pool) < len(candidates[so])))
                if number is not None:
                    used.add(number)
                result[id(d)] = number
        if not short:
            break
    return result
