"""The seed's numbering table (Sage 100 Generate tab), both modes, taken numbers, exhaustion."""

import string

import pytest

from plugins.po_generation.numbering import assign_numbers, first_free, po_number_candidates
from plugins.po_generation.rules import GenOptions, Plan, PODraft


def assign_so_numbers(so_number, count, increment_at, taken):
    """``count`` POs of one sales order numbered by the real :func:`assign_numbers`; ``None``
    where the candidates ran out (the next automatic number). ``taken`` grows."""
    plan = Plan(drafts=[PODraft(vendor_id=i, vendor_number=f"V{i:03d}", order_type="S", order_ids=[1],
                                so_numbers=[so_number]) for i in range(count)])
    assign_numbers(plan, GenOptions(increment_at=increment_at), in_use=lambda numbers: numbers & taken,
                   draw_automatic=lambda n, avoid: [None] * n)
    out = [d.number for d in plan.drafts]
    taken.update(n for n in out if n)
    return out


def test_so_without_drop_ship_gets_its_own_number_both_modes():
    # 0100019 (no drop-shipped items) -> 0100019 (order type S) in both modes
    assert next(po_number_candidates("0100019", "beginning")) == "0100019"
    assert next(po_number_candidates("0100019", "end")) == "0100019"
    assert assign_so_numbers("0100019", 1, "beginning", set()) == ["0100019"]
    assert assign_so_numbers("0100019", 1, "end", set()) == ["0100019"]


# A leading zero is the one a prefix replaces ("0100022" -> "1100022", never "0" again);
# without one, every digit and letter goes before the number.
@pytest.mark.parametrize("so,stem,digits,picks", [
    ("0100022", "100022", "123456789", {0: "0100022", 1: "1100022", 2: "2100022", 3: "3100022",
                                        9: "9100022", 10: "A100022", -1: "Z100022"}),
    ("ZZYZX", "ZZYZX", string.digits, {1: "0ZZYZX", 2: "1ZZYZX", 3: "2ZZYZX", 10: "9ZZYZX", 11: "AZZYZX",
                                       -1: "ZZZYZX"}),
])
def test_beginning_whole_table(so, stem, digits, picks):
    got = list(po_number_candidates(so, "beginning"))
    assert got == [so] + [f"{c}{stem}" for c in digits + string.ascii_uppercase]
    assert {i: got[i] for i in picks} == picks
    assert len(got) == 1 + len(digits) + 26


@pytest.mark.parametrize("so,stem,picks", [
    ("0100022", "100022", {1: "100022A", 2: "100022B", 3: "100022C", -1: "100022Z"}),
    ("ZZYZX", "ZZYZX", {1: "ZZYZXA", 2: "ZZYZXB", 3: "ZZYZXC", -1: "ZZYZXZ"}),
])
def test_end_whole_table(so, stem, picks):
    got = list(po_number_candidates(so, "end"))
    assert got == [so] + [f"{stem}{c}" for c in string.ascii_uppercase]
    assert {i: got[i] for i in picks} == picks


@pytest.mark.parametrize("mode", ["beginning", "end"])
def test_candidates_are_unique(mode):
    for so in ("0100022", "ZZYZX", "0", "7"):
        got = list(po_number_candidates(so, mode))
        assert len(got) == len(set(got)), so


def test_drop_ship_then_standard_assignment_order():
    # 0100022 with a drop-shipped item: D gets 0100022, the S POs 1100022, 2100022 (beginning)
    assert assign_so_numbers("0100022", 3, "beginning", set()) == ["0100022", "1100022", "2100022"]
    assert assign_so_numbers("0100022", 3, "end", set()) == ["0100022", "100022A", "100022B"]
    assert assign_so_numbers("ZZYZX", 3, "beginning", set()) == ["ZZYZX", "0ZZYZX", "1ZZYZX"]
    assert assign_so_numbers("ZZYZX", 3, "end", set()) == ["ZZYZX", "ZZYZXA", "ZZYZXB"]


def test_taken_numbers_are_skipped():
    taken = {"0100022", "2100022"}
    assert assign_so_numbers("0100022", 3, "beginning", taken) == ["1100022", "3100022", "4100022"]
    assert {"1100022", "3100022", "4100022"} <= taken  # assigned numbers become taken
    assert assign_so_numbers("ZZYZX", 2, "end", {"ZZYZX", "ZZYZXA"}) == ["ZZYZXB", "ZZYZXC"]
    assert first_free(po_number_candidates("0100022", "end"), lambda n: n != "100022C") == "100022C"


def test_exhaustion_falls_back_to_automatic_number():
    # beginning, leading zero: 36 candidates; the 37th PO gets None (= next automatic number)
    got = assign_so_numbers("0100022", 38, "beginning", set())
    assert got[35] == "Z100022" and got[36:] == [None, None]
    got = assign_so_numbers("ZZYZX", 38, "beginning", set())
    assert got[36] == "ZZZYZX" and got[37] is None
    got = assign_so_numbers("0100022", 28, "end", set())
    assert got[26] == "100022Z" and got[27] is None
    every = set(po_number_candidates("ZZYZX", "end"))
    assert assign_so_numbers("ZZYZX", 1, "end", every) == [None]


def test_bad_mode_and_empty_number():
    with pytest.raises(ValueError):
        list(po_number_candidates("0100022", "middle"))
    assert list(po_number_candidates("", "end")) == []
    assert assign_so_numbers("", 2, "beginning", set()) == [None, None]
