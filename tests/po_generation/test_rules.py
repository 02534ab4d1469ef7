"""The generation rules over plain dataclasses: no database."""

from datetime import date
from decimal import Decimal as D

import pytest

from plugins.po_generation.numbering import assign_numbers
from plugins.po_generation.rules import (
    GenOptions,
    LineIn,
    OpenLink,
    OpenPO,
    OrderIn,
    PromptNeeded,
    plan_generation,
)

TODAY = date(2026, 3, 1)
VENDORS = {1: "V2000", 2: "V2001", 3: "V2002"}


def order(oid=1, number="0100022", **kw):
    base = dict(customer_id=50, customer_number="C1000", order_date=date(2026, 2, 1), ship_date=date(2026, 2, 20),
                ship_to_address="Site 7\nQuarry Lane", ship_via="UPS", fob="Origin", confirm_to="Ann",
                email="ann@example.com", warehouse_id=1)
    base.update(kw)
    return OrderIn(id=oid, number=number, **base)


def line(lid, no, method="buy_to_order", vendor=None, default=1, qty="5", oid=1, **kw):
    return LineIn(id=lid, order_id=oid, line_no=no, item_id=100 + lid, item_code=kw.pop("code", f"ITEM-{lid}"),
                  supply_method=method, qty_ordered=D(qty), vendor_id=vendor, default_vendor_id=default,
                  warehouse_id=1, unit_cost=D("2.50"), **kw)


def plan(orders, lines, opts=None, **kw):
    return plan_generation(orders, lines, opts or GenOptions(), vendor_numbers=VENDORS, today=TODAY, **kw)


def numbers(p, opts=None, taken=(), auto_start=500):
    counter = iter(range(auto_start, auto_start + 1000))
    calls = []

    def in_use(ns):
        calls.append(set(ns))
        return set(ns) & set(taken)

    def draw(n, avoid):
        out = []
        while len(out) < n:
            c = f"{next(counter):07d}"
            if c not in avoid and c not in taken:
                out.append(c)
        return out

    assign_numbers(p, opts or GenOptions(), in_use=in_use, draw_automatic=draw)
    return [(d.number, d.order_type, d.vendor_id) for d in p.drafts], calls


def test_which_lines_are_purchased():
    lines = [
        line(1, 1, method="stock", qty_allocated=D("5")),  # stocked, covered: not purchased
        line(2, 2, method="stock", qty="8", qty_allocated=D("3")),  # stocked shortage of 5
        line(3, 3, method="buy_to_order"),
        line(4, 4, method="drop_ship", default=3),
        line(5, 5, method="stock", drop_ship=True, default=3, qty="2"),  # flagged drop ship
    ]
    p = plan([order()], lines)
    by_line = {ln.so_line_id: (d.order_type, ln.qty) for d in p.drafts for ln in d.lines}
    assert 1 not in by_line
    assert by_line[2] == ("S", D("5"))
    assert by_line[3] == ("S", D("5"))
    assert by_line[4] == ("D", D("5")) and by_line[5] == ("D", D("2"))
    assert len(p.drafts) == 2  # one S PO for vendor 1, one D PO for vendor 3


def test_vendor_is_line_vendor_else_item_default_and_missing_vendor_is_reported():
    lines = [line(1, 1, vendor=2, default=1), line(2, 2, default=1), line(3, 3, default=None, code="NOVEND")]
    p = plan([order()], lines)
    assert sorted(d.vendor_id for d in p.drafts) == [1, 2]
    assert len(p.problems) == 1 and "NOVEND" in p.problems[0].message and p.problems[0].line_no == 3


def test_never_orders_more_than_needed():
    p = plan([order()], [line(1, 1, qty="5", on_order=D("5")), line(2, 2, qty="5", on_order=D("2"))])
    assert [(ln.so_line_id, ln.qty) for d in p.drafts for ln in d.lines] == [(2, D("3"))]


def test_increase_goes_to_unsent_linked_po_line():
    link = OpenLink(link_id=9, so_line_id=1, po_line_id=77, po_id=7, po_number="0100022", link_qty=D("5"),
                    po_line_qty=D("5"))
    p = plan([order()], [line(1, 1, qty="8", on_order=D("5"))], open_links={1: link})
    assert not p.drafts and p.increases[0].qty == D("3") and p.increases[0].link is link


def test_drop_ship_grouped_by_vendor_customer_ship_to_and_standard_by_vendor():
    o1, o2 = order(1, "0100022"), order(2, "0100023", customer_id=51, ship_to_address="Elsewhere")
    lines = [line(1, 1, method="drop_ship", default=3), line(2, 2, method="drop_ship", default=3),
             line(3, 1, method="drop_ship", default=3, oid=2), line(4, 3, default=1), line(5, 2, default=1, oid=2)]
    p = plan([o1, o2], lines)
    ds = [d for d in p.drafts if d.order_type == "D"]
    assert len(ds) == 2 and {d.customer_id for d in ds} == {50, 51}
    assert {d.ship_to_address for d in ds} == {"Site 7\nQuarry Lane", "Elsewhere"}
    assert len([d for d in p.drafts if d.order_type == "S"]) == 2  # not combining: one per order
    combined = plan([o1, o2], lines, GenOptions(combine_by_vendor=True))
    s = [d for d in combined.drafts if d.order_type == "S"]
    assert len(s) == 1 and sorted(s[0].order_ids) == [1, 2] and len(s[0].lines) == 2
    assert len([d for d in combined.drafts if d.order_type == "D"]) == 2  # drop ship never combined


def test_combine_adds_to_open_unsent_po():
    open_po = OpenPO(id=4, number="0000042", vendor_id=1, warehouse_id=1, last_line_no=3)
    p = plan([order()], [line(1, 1), line(2, 2)], GenOptions(combine_by_vendor=True), open_pos={(1, 1): open_po})
    (d,) = p.drafts
    assert d.existing_po_id == 4 and d.number == "0000042" and [ln.line_no for ln in d.lines] == [4, 5]


def test_so_number_numbering_drop_ship_first_then_by_vendor_number():
    lines = [line(1, 1, default=2), line(2, 2, default=1), line(3, 3, method="drop_ship", default=3)]
    p = plan([order()], lines)
    got, calls = numbers(p)
    assert got == [("0100022", "D", 3), ("1100022", "S", 1), ("2100022", "S", 2)]
    assert len(calls) == 1
    p = plan([order()], lines)
    got, _ = numbers(p, GenOptions(increment_at="end"))
    assert got == [("0100022", "D", 3), ("100022A", "S", 1), ("100022B", "S", 2)]


def test_so_number_taken_and_exhausted_fall_back_to_automatic():
    lines = [line(1, 1, default=1), line(2, 2, default=2)]
    p = plan([order()], lines)
    got, _ = numbers(p, taken={"0100022"})
    assert [g[0] for g in got] == ["1100022", "2100022"]
    every = {"0100022"} | {f"{c}100022" for c in "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    p = plan([order()], lines)
    got, calls = numbers(p, taken=every)
    assert [g[0] for g in got] == ["0000500", "0000501"]
    assert len(calls) == 2  # a first window, then all candidates


def test_no_so_number_or_combining_uses_automatic_numbers():
    p = plan([order()], [line(1, 1)], GenOptions(use_so_number=False))
    assert numbers(p, GenOptions(use_so_number=False))[0][0][0] == "0000500"
    opts = GenOptions(combine_by_vendor=True, use_so_number=True)
    p = plan([order()], [line(1, 1)], opts)
    assert numbers(p, opts)[0][0][0] == "0000500"


def test_two_orders_never_share_a_candidate():
    o1, o2 = order(1, "0100022"), order(2, "1100022")
    p = plan([o1, o2], [line(1, 1, default=1), line(2, 2, default=2), line(3, 1, default=1, oid=2)])
    got, _ = numbers(p)
    assert len({g[0] for g in got}) == 3


def test_required_dates():
    o = order(ship_date=date(2026, 2, 20), order_date=date(2026, 2, 1))
    ln = [line(1, 1, promise_date=date(2026, 2, 25))]
    cases = {"so_ship_date": date(2026, 2, 20), "so_order_date": date(2026, 2, 1), "po_date": date(2026, 2, 2),
             "system_date": TODAY}
    for basis, want in cases.items():
        p = plan([o], ln, GenOptions(header_date=basis), po_date=date(2026, 2, 2))
        assert p.drafts[0].required_date == want, basis
    line_cases = {"so_promise_date": date(2026, 2, 25), "po_date": date(2026, 2, 2), "system_date": TODAY}
    for basis, want in line_cases.items():
        p = plan([o], ln, GenOptions(line_date=basis), po_date=date(2026, 2, 2))
        assert p.drafts[0].lines[0].required_date == want, basis
    with pytest.raises(PromptNeeded) as exc:
        plan([o], ln, GenOptions(header_date="prompt", line_date="prompt"))
    assert exc.value.which == ("header", "lines")
    p = plan([o], ln, GenOptions(header_date="prompt", line_date="prompt"), prompt_date=date(2026, 4, 1))
    assert p.drafts[0].required_date == date(2026, 4, 1) == p.drafts[0].lines[0].required_date


def test_sort_lines_option():
    lines = [line(1, 1, code="ZED", promise_date=date(2026, 2, 3)), line(2, 2, code="ABC", promise_date=date(2026, 2, 9)),
             line(3, 3, code="MID", promise_date=date(2026, 2, 1))]
    codes = {how: [ln.item_code for ln in plan([order()], lines, GenOptions(sort_lines=how)).drafts[0].lines]
             for how in ("so_line", "item", "required_date")}
    assert codes == {"so_line": ["ZED", "ABC", "MID"], "item": ["ABC", "MID", "ZED"],
                     "required_date": ["MID", "ZED", "ABC"]}
    d = plan([order()], lines, GenOptions(sort_lines="item")).drafts[0]
    assert [ln.line_no for ln in d.lines] == [1, 2, 3]


def test_ship_to_ship_via_fob_copy_rules():
    lines = [line(1, 1, default=1), line(2, 2, method="drop_ship", default=3)]
    p = plan([order()], lines, warehouse_addresses={1: "1 Depot Road"})
    s = next(d for d in p.drafts if d.order_type == "S")
    dd = next(d for d in p.drafts if d.order_type == "D")
    assert (s.ship_to_address, s.ship_via, s.fob) == ("1 Depot Road", "", "")
    assert (dd.ship_to_address, dd.ship_via, dd.fob) == ("Site 7\nQuarry Lane", "UPS", "Origin")
    assert dd.customer_id == 50 and s.customer_id is None
    p = plan([order()], lines, GenOptions(ship_to="all", ship_via="all", fob="all"))
    s = next(d for d in p.drafts if d.order_type == "S")
    assert (s.ship_to_address, s.ship_via, s.fob) == ("Site 7\nQuarry Lane", "UPS", "Origin")


def test_confirm_to_and_email_rules():
    lines = [line(1, 1, default=1), line(2, 2, method="drop_ship", default=3)]

    def both(**kw):
        p = plan([order()], lines, GenOptions(**kw))
        s = next(d for d in p.drafts if d.order_type == "S")
        dd = next(d for d in p.drafts if d.order_type == "D")
        return (s.confirm_to, s.email), (dd.confirm_to, dd.email)

    assert both(confirm_to="yes", email="yes") == (("Ann", "ann@example.com"), ("Ann", "ann@example.com"))
    assert both(confirm_to="no", email="no") == (("", ""), ("", ""))
    assert both(confirm_to="drop_ship", email="drop_ship") == (("", ""), ("Ann", "ann@example.com"))
    # Yes is available only when not combining: a combined PO acts as drop ship only
    assert both(confirm_to="yes", email="yes", combine_by_vendor=True) == (("", ""), ("Ann", "ann@example.com"))
