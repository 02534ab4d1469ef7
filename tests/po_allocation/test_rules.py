"""The pure allocation rule: every case straight on the function, no database."""

from datetime import date
from decimal import Decimal

import pytest

from plugins.po_allocation.rules import (
    Candidate,
    Link,
    Shortage,
    Skipped,
    fill_order,
    plan_allocation,
    shrink,
    validate_assignment,
)

D = Decimal
ITEM, OTHER, WH, WH2 = 1, 2, 10, 20


def C(pid, qty, req=None, item=ITEM, wh=WH):
    return Candidate(pid, item, wh, D(qty), req)


def S(lid, qty, item=ITEM, wh=WH):
    return Shortage(lid, item, wh, D(qty))


def test_seed_example_lines_linked_unless_not_enough_on_order():
    # seed 001: a PO on order for stock items; a new SO links every item that can be fulfilled,
    # the item without enough outstanding PO stock is skipped for manual ordering
    out = plan_allocation([S(1, 5), S(2, 7, item=OTHER)], [C(100, 10), C(200, 3, item=OTHER)])
    assert out.links == [Link(1, 100, D(5))]
    assert out.skipped == [Skipped(2, D(7), D(3))]


def test_oldest_required_date_first_and_across_po_lines():
    cands = [C(1, 4, date(2026, 6, 1)), C(2, 4, date(2026, 5, 1)), C(3, 4, None)]
    out = plan_allocation([S(9, 6)], cands)
    assert out.links == [Link(9, 2, D(4)), Link(9, 1, D(2))]
    assert out.linked_qty(9) == 6


def test_candidates_without_date_come_last_then_by_po_line_id():
    out = plan_allocation([S(9, 5)], [C(7, 5, None), C(3, 5, None), C(8, 5, date(2030, 1, 1))])
    assert out.links == [Link(9, 8, D(5))]
    out = plan_allocation([S(9, 7)], [C(7, 5, None), C(3, 5, None)])
    assert out.links == [Link(9, 3, D(5)), Link(9, 7, D(2))]


def test_all_or_nothing_and_a_skipped_line_leaves_the_quantity_to_later_lines():
    out = plan_allocation([S(1, 8), S(2, 5)], [C(100, 6)])
    assert out.skipped == [Skipped(1, D(8), D(6))]
    assert out.links == [Link(2, 100, D(5))]


def test_earlier_lines_use_up_quantity_before_later_lines():
    out = plan_allocation([S(1, 4), S(2, 4), S(3, 4)], [C(100, 10)])
    assert out.links == [Link(1, 100, D(4)), Link(2, 100, D(4))]
    assert out.skipped == [Skipped(3, D(4), D(2))]


def test_exact_cover_and_fractional_quantities():
    out = plan_allocation([S(1, "2.5"), S(2, "0.5")], [C(100, "1.5"), C(101, "1.5")])
    assert out.links == [Link(1, 100, D("1.5")), Link(1, 101, D("1.0")), Link(2, 101, D("0.5"))]
    assert out.skipped == []


@pytest.mark.parametrize("cand", [C(100, 10, item=OTHER), C(100, 10, wh=WH2), C(100, 0), C(100, -3)])
def test_only_same_item_same_warehouse_with_unallocated_quantity(cand):
    out = plan_allocation([S(1, 1)], [cand])
    assert out.links == [] and out.skipped == [Skipped(1, D(1), D(0))]


@pytest.mark.parametrize("qty", [0, -2])
def test_nothing_short_nothing_done(qty):
    out = plan_allocation([S(1, qty)], [C(100, 10)])
    assert out.links == [] and out.skipped == []


def test_no_candidates_every_line_skipped():
    out = plan_allocation([S(1, 1), S(2, 2)], [])
    assert [s.so_line_id for s in out.skipped] == [1, 2]


def test_never_more_than_a_candidate_has_over_many_lines():
    cands = [C(p, 3, date(2026, 1, p)) for p in range(1, 6)]  # 15 in all
    shortages = [S(i, q) for i, q in enumerate([4, 1, 6, 2, 5], start=1)]
    out = plan_allocation(shortages, cands)
    used: dict[int, Decimal] = {}
    for ln in out.links:
        used[ln.po_line_id] = used.get(ln.po_line_id, D(0)) + ln.qty
    assert all(v <= 3 for v in used.values())
    for s in shortages:  # every line is either fully linked or skipped, never half
        linked = out.linked_qty(s.so_line_id)
        assert linked in (0, s.qty)
        assert (linked == 0) == any(k.so_line_id == s.so_line_id for k in out.skipped)
    assert sum(used.values()) == 13 and [k.so_line_id for k in out.skipped] == [5]


def test_validate_assignment_accepts_partial_and_refuses_too_much():
    cands = [C(100, 4), C(101, 2)]
    assert validate_assignment(S(1, 5), {100: D(3)}, cands) == []
    assert validate_assignment(S(1, 5), {100: D(4), 101: D(1)}, cands) == []
    assert validate_assignment(S(1, 5), {100: D(5)}, cands) == [("qty-100", "Only 4 is unallocated on this PO line.")]
    assert validate_assignment(S(1, 5), {100: D(4), 101: D(2)}, cands) == [
        (None, "The line is short of 5: 6 is too much.")]
    assert validate_assignment(S(1, 5), {100: D(-1)}, cands) == [("qty-100", "Enter a positive quantity.")]
    assert validate_assignment(S(1, 5), {999: D(1)}, cands)[0][0] == "qty-999"
    assert validate_assignment(S(1, 5, item=OTHER), {100: D(1)}, cands)[0][0] == "qty-100"
    assert validate_assignment(S(1, 5), {100: D(0)}, cands) == [(None, "Enter a quantity on at least one PO line.")]


def test_shrink_takes_from_the_newest_links_first():
    assert shrink([(1, D(4)), (2, D(3))], D(5)) == {2: D(0), 1: D(2)}
    assert shrink([(1, D(4))], D(0)) == {}


def test_fill_order_oldest_required_date_first():
    links = [(1, date(2026, 6, 1), D(5)), (2, date(2026, 5, 1), D(5)), (3, None, D(5))]
    assert fill_order(links, D(7)) == {2: D(5), 1: D(2)}
    assert fill_order(links, D(20)) == {2: D(5), 1: D(5), 3: D(5)}
    assert fill_order(links, D(0)) == {}
