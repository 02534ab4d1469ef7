"""The public bulk API other plugins write purchase orders through (plugins.purchase_order.documents)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError
from core.numbering import peek
from plugins.purchase_order import documents as docs
from plugins.purchase_order.documents import PurchaseOrderDraft as Draft
from plugins.purchase_order.documents import PurchaseOrderLineDraft as Line
from plugins.purchase_order.models import (
    CancelReasonCode,
    PoHistory,
    PurchaseOrder,
    PurchaseOrderException,
    PurchaseOrderLine,
)

from . import probe_plugin as probe
from .helpers import ids, make_po, set_options

D = Decimal


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _draft(k, vendor="V2000", lines=(("BOLT-10", 5),), **kw) -> Draft:
    return Draft(vendor_id=k[vendor], lines=[Line(item_id=k[c], qty=D(q), origin=(vendor, c)) for c, q in lines], **kw)


def test_create_purchase_orders_numbers_defaults_and_line_ids_in_draft_order(app, demo):
    with app.app_context():
        set_options(next_po_number=40)
        k = ids()
        first = _draft(k, lines=(("BOLT-10", 5), ("GLOVES", 3)), comment="Generated from SO 0100022")
        first.lines[0].origin_label = "SO 0100022 line 1"
        second = _draft(k, "V2002", lines=(("DESK-OAK", 1),), order_type="D", customer_id=k["C1000"],
                        number="0100022", required_date=date(2030, 1, 15))
        second.lines[0].drop_ship = True
        pos = docs.create_purchase_orders([first, second])
        assert [p.number for p in pos] == ["0000040", "0100022"]
        assert (first.number_source, second.number_source) == ("automatic", "given")
        assert [p.id for p in pos] == [first.po_id, second.po_id]
        assert [ln.po_line_id for ln in first.lines] == [ln.id for ln in pos[0].lines]
        assert [(ln.origin, ln.line_no) for ln in first.lines] == [(("V2000", "BOLT-10"), 1), (("V2000", "GLOVES"), 2)]
        db.session.commit()
        db.session.expire_all()
        po = db.session.get(PurchaseOrder, first.po_id)
        bolt = po.lines[0]
        # defaults: item cost, description and (vendor = item's default vendor) vendor item code; warehouse
        assert (bolt.unit_cost, bolt.description, bolt.vendor_item_code) == (D("4.2"), "Hex bolt M10 (box of 50)",
                                                                            "NW-B10")
        assert bolt.origin_label == "SO 0100022 line 1" and po.lines[1].origin_label is None
        assert po.warehouse_id == k["MAIN"] and po.ship_to_address.startswith("1 Depot Road")
        assert po.comment == "Generated from SO 0100022" and po.status == "new"
        ds = db.session.get(PurchaseOrder, second.po_id)
        assert ds.order_type == "D" and ds.ship_to_address == ds.customer.ship_to_address
        assert ds.lines[0].required_date == date(2030, 1, 15)  # the header's when the line has none
        assert peek("po_number") == 41


def test_create_refuses_bad_drafts_with_every_problem_and_writes_nothing(app, demo):
    with app.app_context():
        set_options(next_po_number=40)
        k = ids()
        before = (_count(PurchaseOrder), _count(PurchaseOrderLine), peek("po_number"))
        bad = [
            _draft(k, "C1000"),  # a customer, not a vendor
            _draft(k, order_type="X"),
            _draft(k, lines=(("BOLT-10", 0),)),
            _draft(k, lines=(("BOLT-10", "1e-20"),)),  # below the column's precision: would store 0
            _draft(k, lines=(("BOLT-10", "12345678901234"),)),  # beyond Numeric(14, 4)
            _draft(k, order_type="D"),  # drop ship without its customer
            Draft(vendor_id=k["V2000"], lines=[Line(item_id=k["BOLT-10"], qty=D(1), drop_ship=True)]),
            Draft(vendor_id=k["V2000"], warehouse_id=k["MAIN"],
                  lines=[Line(item_id=k["BOLT-10"], qty=D(1), warehouse_id=k["EAST"])]),
            Draft(vendor_id=k["V2000"], lines=[Line(item_id=999999, qty=D(1))]),
            Draft(vendor_id=k["V2000"], lines=[Line(item_id=k["BOLT-10"], qty=D(1), unit_cost=D("-1"))]),
            Draft(vendor_id=k["V2000"], lines=[]),
            _draft(k, number="X" * 21),
        ]
        with pytest.raises(ValidationError) as err:
            docs.create_purchase_orders(bad)
        text = str(err.value)
        for words in ("is not a vendor", "order type must be S", "more than zero", "decimal places", "at most",
                      "needs the customer", "drop-ship line goes on a drop-ship", "warehouse differs",
                      "no such item", "cannot be negative", "at least one line"):
            assert words in text, words
        assert (_count(PurchaseOrder), _count(PurchaseOrderLine), peek("po_number")) == before
        with pytest.raises(ValidationError, match="at most 20 characters"):
            docs.create_purchase_orders([_draft(k, number="X" * 21)])


def test_given_numbers_taken_refused_or_fall_back_to_automatic(app, demo):
    with app.app_context():
        set_options(next_po_number=7)
        k = ids()
        make_po(number="0100022")
        with pytest.raises(ValidationError, match="0100022 is already used") as err:
            docs.create_purchase_orders([_draft(k, number="0100022")])
        assert err.value.field == "number"
        with pytest.raises(ValidationError, match="already used"):  # twice in one call
            docs.create_purchase_orders([_draft(k, number="AB1"), _draft(k, number="AB1")])
        taken, too_long = _draft(k, number="0100022", number_fallback=True), _draft(k, number="9" * 25,
                                                                                    number_fallback=True)
        docs.create_purchase_orders([taken, too_long])
        assert (taken.number, taken.number_source) == ("0000007", "automatic")
        assert too_long.number == "0000008"


def test_automatic_numbers_skip_numbers_already_used(app, demo):
    """Issue 9.6: a PO numbered like the counter's next value (from a sales order number)."""
    with app.app_context():
        set_options(next_po_number=100022)
        make_po(number="0100022")  # e.g. "Use Sales Order Number as Purchase Order Number"
        make_po(number="0100023")
        k = ids()
        pos = docs.create_purchase_orders([_draft(k), _draft(k)])
        assert [p.number for p in pos] == ["0100024", "0100025"]


def _statements(app, fn) -> int:
    count = {"n": 0}

    def listen(_c, _cur, statement, *_a):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            count["n"] += 1

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    return count["n"]


def test_statement_count_does_not_grow_with_orders_or_lines(app, demo):
    with app.app_context():
        k = ids()
        vendors = ("V2000", "V2001", "V2002")
        lines = (("BOLT-10", 5), ("GLOVES", 3), ("LADDER-8", 1))

        def batch(n):
            return [_draft(k, vendors[i % 3], lines=lines, required_date=date(2030, 1, 1)) for i in range(n)]

        docs.create_purchase_orders(batch(1))  # creates the counter row and warms the option cache
        db.session.commit()
        small = _statements(app, lambda: docs.create_purchase_orders(batch(5)))
        db.session.commit()
        large_drafts = batch(50)
        large = _statements(app, lambda: docs.create_purchase_orders(large_drafts))
        db.session.commit()
        assert large == small, (small, large)
        assert _count(PurchaseOrder) == 56 and _count(PurchaseOrderLine) == 168
        assert len({ln.po_line_id for d in large_drafts for ln in d.lines}) == 150


def test_hook_on_purchase_orders_created(papp):
    with papp.app_context():
        k = ids()
        pos = docs.create_purchase_orders([_draft(k, lines=(("BOLT-10", 1), ("GLOVES", 2))), _draft(k, "V2001")])
        assert probe.CALLS[-1] == ("on_purchase_orders_created", [(pos[0].number, 2), (pos[1].number, 1)])
        db.session.commit()
        probe.FAIL.add("on_purchase_orders_created")
        with pytest.raises(ValidationError, match="probe_purchase_order") as err:
            docs.create_purchase_orders([_draft(k)])
        assert "probe refuses" in str(err.value)
        db.session.rollback()
        assert _count(PurchaseOrder) == 2  # the failed creation kept nothing


def test_add_lines_to_open_unsent_po_numbers_after_the_last_line(app, demo):
    with app.app_context():
        k = ids()
        po = make_po(lines=(("BOLT-10", 5, None), ("GLOVES", 2, None)))
        docs.delete_lines([po.lines[0].id])  # line 1 goes
        new = [Line(item_id=k["LADDER-8"], qty=D(2), origin="a"), Line(item_id=k["BOLT-10"], qty=D(1), origin="b")]
        line_ids = docs.add_lines(po.id, new)
        db.session.commit()
        po = db.session.get(PurchaseOrder, po.id)
        assert [(ln.line_no, ln.item.code) for ln in po.lines] == [(2, "GLOVES"), (3, "LADDER-8"), (4, "BOLT-10")]
        assert line_ids == [new[0].po_line_id, new[1].po_line_id] == [po.lines[1].id, po.lines[2].id]
        with pytest.raises(ValidationError, match="more than zero"):
            docs.add_lines(po.id, [Line(item_id=k["BOLT-10"], qty=D(0))])
        from plugins.purchase_order.services import send_purchase_order

        send_purchase_order(po, user_id=None)
        with pytest.raises(ValidationError, match="not sent to the vendor"):
            docs.add_lines(po.id, [Line(item_id=k["BOLT-10"], qty=D(1))])


def test_add_lines_respects_the_line_limit(app, demo, monkeypatch):
    from plugins.purchase_order import drafts

    monkeypatch.setattr(docs, "MAX_LINES", 3)  # adding lines
    monkeypatch.setattr(drafts, "MAX_LINES", 3)  # creating
    with app.app_context():
        k = ids()
        po = make_po(lines=(("BOLT-10", 5, None), ("GLOVES", 2, None)))
        with pytest.raises(ValidationError, match="at most 3 lines"):
            docs.add_lines(po.id, [Line(item_id=k["BOLT-10"], qty=D(1)), Line(item_id=k["GLOVES"], qty=D(1))])
        with pytest.raises(ValidationError, match="at most 3 lines"):
            docs.create_purchase_orders([_draft(k, lines=(("BOLT-10", 1),) * 4)])


def test_change_line_quantity_unsent_only_not_below_received_with_reason_in_history(app, demo):
    from plugins.purchase_order.services import post_receipt, send_purchase_order

    with app.app_context():
        po = make_po(lines=(("BOLT-10", 5, None), ("GLOVES", 4, None)))
        bolt, gloves = po.lines[0].id, po.lines[1].id
        docs.change_line_quantity(bolt, D("3"), reason="SO 0100022 line 1 reduced from 5 to 3")
        db.session.commit()
        assert db.session.get(PurchaseOrderLine, bolt).qty_ordered == 3
        row = db.session.scalars(sa.select(PoHistory).where(PoHistory.kind == "qty_changed")).one()
        assert row.po_number == po.number and "reduced from 5 to 3" in row.detail
        with pytest.raises(ValidationError, match="more than zero"):
            docs.change_line_quantity(bolt, 0, reason="x")
        with pytest.raises(ValidationError, match="decimal places"):
            docs.change_line_quantity(bolt, D("1e-20"), reason="x")
        post_receipt(po.id, {gloves: D(2)})  # received before it was ever sent (a counter purchase)
        with pytest.raises(ValidationError, match="less than the 2 received"):
            docs.change_line_quantity(gloves, D("1"), reason="x")
        docs.change_line_quantity(gloves, D("2"), reason="ordered what came")
        send_purchase_order(db.session.get(PurchaseOrder, po.id), user_id=None)
        with pytest.raises(ValidationError, match="already sent"):
            docs.change_line_quantity(bolt, D("4"), reason="x")
        docs.change_line_quantity(bolt, D("4"), reason="reset confirmed", sent_confirmed=True)
        assert db.session.get(PurchaseOrderLine, bolt).qty_ordered == 4


def test_delete_lines_to_history_refuses_received_and_reports_emptied_pos(app, demo):
    from plugins.purchase_order.services import post_receipt

    with app.app_context():
        set_options(retain_deleted_lines="Y")
        one = make_po(lines=(("BOLT-10", 5, None),))
        two = make_po(lines=(("BOLT-10", 5, None), ("GLOVES", 1, None)))
        emptied = docs.delete_lines([one.lines[0].id, two.lines[1].id])
        db.session.commit()
        assert emptied == [one.id]
        assert _count(PurchaseOrderLine) == 1
        assert _count(PoHistory) == 2  # Retain Deleted Lines: Yes
        post_receipt(two.id, {two.lines[0].id: D(1)})
        with pytest.raises(ValidationError, match="has received goods"):
            docs.delete_lines([two.lines[0].id])
        with pytest.raises(ValidationError, match="no purchase order line"):
            docs.delete_lines([987654])


def test_delete_purchase_orders_to_history_by_option_or_caller(papp):
    with papp.app_context():
        db.session.add(CancelReasonCode(code="CUS", description="Customer cancelled"))
        set_options(retain_deleted_orders="Y")
        a, b, c = make_po(), make_po(), make_po()
        numbers = docs.delete_purchase_orders([a.id, b.id], reason_code="cus", user_id=None)
        assert numbers == [a.number, b.number]
        assert [c[:2] for c in probe.CALLS[-2:]] == [("on_purchase_order_cancelled", a.number),
                                                     ("on_purchase_order_cancelled", b.number)]
        rows = db.session.scalars(sa.select(PoHistory).order_by(PoHistory.id)).all()
        assert [(r.kind, r.po_number, r.reason_code) for r in rows] == [("deleted", a.number, "CUS"),
                                                                       ("deleted", b.number, "CUS")]
        docs.delete_purchase_orders([c.id], to_history=False)
        assert _count(PoHistory) == 2 and _count(PurchaseOrder) == 0
        set_options(retain_deleted_orders="N")
        d = make_po()
        docs.delete_purchase_orders([d.id])
        assert _count(PoHistory) == 2
        e = make_po()
        docs.delete_purchase_orders([e.id], to_history=True)
        assert _count(PoHistory) == 3
        with pytest.raises(ValidationError, match="no cancel/reason code"):
            docs.delete_purchase_orders([make_po().id], reason_code="NOPE")


def test_delete_purchase_orders_refuses_received_goods_and_deletes_none(app, demo):
    from plugins.purchase_order.services import post_receipt

    with app.app_context():
        a, b = make_po(), make_po()
        post_receipt(b.id, {b.lines[0].id: D(1)})
        with pytest.raises(ValidationError, match=f"received goods cannot be deleted: {b.number}"):
            docs.delete_purchase_orders([a.id, b.id])
        db.session.rollback()
        assert _count(PurchaseOrder) == 2


def test_record_buyer_exception_and_state_helpers(app, demo):
    from plugins.purchase_order.services import post_receipt, send_purchase_order

    with app.app_context():
        po = make_po()
        row = docs.record_buyer_exception(po.id, "  SO 0100022 was cancelled; this PO was already sent. ")
        db.session.commit()
        assert db.session.get(PurchaseOrderException, row.id).message.startswith("SO 0100022 was cancelled")
        with pytest.raises(ValidationError):
            docs.record_buyer_exception(987654, "x")
        assert not docs.is_sent(po) and docs.is_open_unsent(po)
        send_purchase_order(po, user_id=None)
        assert docs.is_sent(po) and not docs.is_open_unsent(po)
        post_receipt(po.id, {po.lines[0].id: D(4)})
        assert docs.qty_received(db.session.get(PurchaseOrderLine, po.lines[0].id)) == 4
        assert docs.has_receipts(po)


def test_change_line_quantities_in_bulk_all_or_nothing(app, demo):
    with app.app_context():
        po = make_po(lines=(("BOLT-10", 5, None), ("GLOVES", 4, None)))
        bolt, gloves = po.lines[0].id, po.lines[1].id
        with pytest.raises(ValidationError, match="line 2: the quantity must be more than zero"):
            docs.change_line_quantities({bolt: D(7), gloves: D(0)}, reason="SO 0100022 changed")
        db.session.rollback()
        assert db.session.get(PurchaseOrderLine, bolt).qty_ordered == 5
        docs.change_line_quantities({bolt: D(7), gloves: D("1.5")}, reason="SO 0100022 changed")
        assert [ln.qty_ordered for ln in db.session.get(PurchaseOrder, po.id).lines] == [7, D("1.5")]


def test_draw_po_numbers_skips_used_and_avoided_numbers(app, demo):
    with app.app_context():
        set_options(next_po_number=10)
        make_po(number="0000011")
        assert docs.draw_po_numbers(3, avoid={"0000013"}) == ["0000010", "0000012", "0000014"]
        assert docs.po_numbers_in_use(["0000011", "0000012"]) == {"0000011"}
        docs.lock_po_numbers()  # a no-op write that holds the counter row until the transaction ends
        assert peek("po_number") == 15
