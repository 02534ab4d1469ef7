"""The allocation rule as pure functions: shortages and open PO lines in, decisions out.

Nothing here reads or writes the database, so every case is tested directly.

* A shortage is linked only to candidates of the same item and warehouse with
  unallocated quantity, oldest required date first (no date last, then PO line id).
* All or nothing per line: when the candidates cannot cover the whole shortage, the line
  is skipped (listed for manual action) and takes nothing, so later lines can use it.
* Lines are served in the order given (the caller passes them by line number).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")
FAR = date.max  # candidates without a required date come last


@dataclass(frozen=True)
class Shortage:
    so_line_id: int
    item_id: int
    warehouse_id: int | None
    qty: Decimal


@dataclass(frozen=True)
class Candidate:
    po_line_id: int
    item_id: int
    warehouse_id: int | None
    unallocated: Decimal
    required_date: date | None = None


@dataclass(frozen=True)
class Link:
    so_line_id: int
    po_line_id: int
    qty: Decimal


@dataclass(frozen=True)
class Skipped:
    so_line_id: int
    qty: Decimal  # the shortage that could not be covered
    available: Decimal  # what the open PO lines still had for it


@dataclass
class Decisions:
    links: list[Link] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def linked_qty(self, so_line_id: int) -> Decimal:
        return sum((ln.qty for ln in self.links if ln.so_line_id == so_line_id), ZERO)


def candidate_order(c: Candidate) -> tuple:
    return (c.required_date or FAR, c.po_line_id)


def matches(shortage: Shortage, c: Candidate) -> bool:
    return c.item_id == shortage.item_id and c.warehouse_id == shortage.warehouse_id


def plan_allocation(shortages: Iterable[Shortage], open_po_lines: Iterable[Candidate]) -> Decisions:
    """Link each shortage to candidates (oldest required date first), all or nothing per line."""
    candidates = sorted(open_po_lines, key=candidate_order)
    left: dict[int, Decimal] = {c.po_line_id: max(ZERO, c.unallocated) for c in candidates}
    out = Decisions()
    for s in shortages:
        if s.qty <= 0:
            continue
        mine = [c for c in candidates if matches(s, c) and left[c.po_line_id] > 0]
        available = sum((left[c.po_line_id] for c in mine), ZERO)
        if available < s.qty:
            out.skipped.append(Skipped(s.so_line_id, s.qty, available))
            continue
        need = s.qty
        for c in mine:
            take = min(need, left[c.po_line_id])
            out.links.append(Link(s.so_line_id, c.po_line_id, take))
            left[c.po_line_id] -= take
            need -= take
            if need == 0:
                break
    return out


def validate_assignment(shortage: Shortage, wanted: Mapping[int, Decimal],
                        open_po_lines: Iterable[Candidate]) -> list[tuple[str | None, str]]:
    """A clerk's assignment of one line to PO lines (``po_line_id -> qty``): the errors, by field.

    The same rule as the automatic plan: same item and warehouse, never more than a PO line
    has unallocated, never more than the line is short; a partial assignment is allowed
    (the rest can be ordered). Field names are ``qty-<po_line_id>``.
    """
    by_id = {c.po_line_id: c for c in open_po_lines}
    errors: list[tuple[str | None, str]] = []
    total = ZERO
    for po_line_id, qty in wanted.items():
        name = f"qty-{po_line_id}"
        if qty is None or qty == 0:
            continue
        c = by_id.get(po_line_id)
        if c is None or not matches(shortage, c):
            errors.append((name, "This PO line is not open for this item and warehouse."))
            continue
        if qty < 0:
            errors.append((name, "Enter a positive quantity."))
            continue
        if qty > c.unallocated:
            errors.append((name, f"Only {fmt(c.unallocated)} is unallocated on this PO line."))
            continue
        total += qty
    if not errors and total == 0:
        errors.append((None, "Enter a quantity on at least one PO line."))
    if not errors and total > shortage.qty:
        errors.append((None, f"The line is short of {fmt(shortage.qty)}: {fmt(total)} is too much."))
    return errors


def fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def shrink(link_open: Iterable[tuple[int, Decimal]], excess: Decimal) -> dict[int, Decimal]:
    """Take ``excess`` off links (id, open qty), last first: ``{link id: new open qty}``."""
    out: dict[int, Decimal] = {}
    for link_id, qty in reversed(list(link_open)):
        if excess <= 0:
            break
        cut = min(qty, excess)
        out[link_id] = qty - cut
        excess -= cut
    return out


def fill_order(links: Iterable[tuple[int, date | None, Decimal]], received: Decimal) -> dict[int, Decimal]:
    """Share ``received`` among links (id, required date, open qty), oldest required date first."""
    out: dict[int, Decimal] = {}
    for link_id, _req, qty in sorted(links, key=lambda r: (r[1] or FAR, r[0])):
        if received <= 0:
            break
        take = min(qty, received)
        if take > 0:
            out[link_id] = take
            received -= take
    return out
