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


def test_beginning_with_leading_zero_whole_table():
    got = list(po_number_candidates("0100022", "beginning"))
    expected = ["0100022"] + [f"{c}100022" for c in "123456789"] + [f"{c}100022" for c in string.ascii_uppercase]
    assert got == expected
    assert got[:4] == ["0100022", "1100022", "2100022", "3100022"]
    assert got[9] == "9100022" and got[10] == "A100022" and got[-1] == "Z100022"
    assert len(got) == 1 + 9 + 26


def test_end_with_leading_zero_whole_table():
    got = list(po_number_candidates("0100022", "end"))
    assert got == ["0100022"] + [f"100022{c}" for c in string.ascii_uppercase]
    assert got[1:4] == ["100022A", "100022B", "100022C"] and got[-1] == "100022Z"


def test_beginning_without_leading_zero_whole_table():
    got = list(po_number_candidates("ZZYZX", "beginning"))
    assert got == ["ZZYZX"] + [f"{c}ZZYZX" for c in string.digits + string.ascii_uppercase]
    assert got[1:4] == ["0ZZYZX", "1ZZYZX", "2ZZYZX"]
    assert got[10] == "9ZZYZX" and got[11] == "AZZYZX" and got[-1] == "ZZZYZX"
    assert len(got) == 1 + 10 + 26


def test_end_without_leading_zero_whole_table():
    got = list(po_number_candidates("ZZYZX", "end"))
    assert got == ["ZZYZX"] + [f"ZZYZX{c}" for c in string.ascii_uppercase]
    assert got[1:4] == ["ZZYZXA", "ZZYZXB", "ZZYZXC"] and got[-1] == "ZZYZXZ"


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
