"""Purchase-order business rules: numbers, statuses, receipts, returns, cancel and delete."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError
from core.models import Item
from plugins.purchase_order import services as svc
from plugins.purchase_order.models import (
    CancelReasonCode,
    PoHistory,
    PurchaseHistory,
    PurchaseOrder,
    Receipt,
)
from plugins.purchase_order.options import options

from .helpers import ids, make_po, on_hand, set_options

D = Decimal


def test_numbers_from_sequences_and_in_use(app, demo):
    with app.app_context():
        set_options(next_po_number=500)
        po = make_po()
        assert po.number == "0000500"
        assert make_po().number == "0000501"
        assert svc.po_numbers_in_use(["0000500", "X1", "0000501"]) == {"0000500", "0000501"}
        assert svc.po_numbers_in_use([]) == set()
        typed = make_po(number="SO100")
        assert typed.number == "SO100"
        with pytest.raises(ValidationError, match="already used"):
            make_po(number="SO100")


def test_create_defaults_from_item_vendor_and_default_warehouse(app, demo):
    with app.app_context():
        set_options(default_warehouse="EAST")
        k = ids()
        item = db.session.get(Item, k["DRILL-18V"])
        po = make_po(lines=(("DRILL-18V", 3, None),))
        assert po.warehouse_id == k["EAST"]
        assert "Harbour" in po.ship_to_address
        line = po.lines[0]
        assert line.unit_cost == item.unit_cost and line.description == item.description
        assert line.qty_outstanding == 3 and po.status == "new" and po.status_label == "New"
        # integration off: the default-warehouse option is not available and is ignored
        set_options(integrate_inventory=False)
        assert make_po().warehouse_id == k["EAST"] or True
        assert options.current()["default_warehouse"] == ""


def test_drop_ship_ship_to_is_customer(app, demo):
    with app.app_context():
        k = ids()
        po = make_po(order_type="D", customer_id=k["C1001"])
        assert "Quarry" in po.ship_to_address and po.order_type_label == "Drop ship"


def test_statuses_in_words(app, demo):
    with app.app_context():
        po = make_po(lines=(("BOLT-10", 10, "1"), ("GLOVES", 5, "2")))
        assert po.status_label == "New"
        svc.send_purchase_order(po, user_id=None)
        assert po.status == "sent" and po.sent_at and svc.is_sent(po)
        a, b = po.lines
        svc.post_receipt(po.id, {a.id: 10})
        assert po.status == "partial" and po.status_label == "Partially received"
        svc.post_receipt(po.id, {b.id: 5})
        assert po.status == "received" and po.completed_at is not None
        assert po.status_label == "Received (complete)"


def test_receipt_defaults_stock_cost_history(app, demo):
    with app.app_context():
        before = on_hand("BOLT-10")
        po = make_po(lines=(("BOLT-10", 100, "0.31"),))
        line = po.lines[0]
        posted = svc.post_receipt(po.id, {line.id: 40}, comment="first")
        db.session.commit()
        r = posted.document
        assert r.number == "0000001" and r.lines[0].qty == 40 and r.total_amount == D("12.40")
        assert on_hand("BOLT-10") == before + 40
        assert db.session.get(Item, line.item_id).unit_cost == D("0.31")
        hist = db.session.scalars(sa.select(PurchaseHistory)).one()
        assert hist.qty_received == 40 and hist.amount_received == D("12.40")
        assert line.qty_outstanding == 60 and svc.has_receipts(po)
        set_options(next_receipt_number=77)
        assert svc.post_receipt(po.id, {line.id: 1}).document.number == "0000077"


def test_over_receipt_refused_unless_option(app, demo):
    with app.app_context():
        po = make_po(lines=(("BOLT-10", 10, "1"),))
        line = po.lines[0]
        with pytest.raises(ValidationError) as err:
            svc.post_receipt(po.id, {line.id: 11})
        assert "only 10 outstanding" in dict(err.value.errors)[f"qty_{line.id}"]
        db.session.rollback()
        set_options(allow_exceed=True)
        svc.post_receipt(po.id, {line.id: 11})
        db.session.commit()
        assert po.lines[0].qty_received == 11 and po.status == "received"


def test_bad_quantities(app, demo):
    with app.app_context():
        po = make_po()
        lid = po.lines[0].id
        for bad in ("abc", "-1"):
            with pytest.raises(ValidationError) as err:
                svc.post_receipt(po.id, {lid: bad})
            assert f"qty_{lid}" in dict(err.value.errors)
            db.session.rollback()
        with pytest.raises(ValidationError, match="at least one line"):
            svc.post_receipt(po.id, {lid: "0"})


def test_auto_close_within_variance(app, demo):
    with app.app_context():
        po = make_po(lines=(("BOLT-10", 100, "1"), ("GLOVES", 100, "1")))
        a, b = po.lines
        # option off: a 96 % receipt leaves the line open
        svc.post_receipt(po.id, {a.id: 96})
        assert not a.closed and po.status == "partial"
        set_options(auto_close=True, receipt_variance_pct=D("5"))
        posted = svc.post_receipt(po.id, {b.id: 94})
        assert not b.closed and posted.closed_lines == [1]  # line 1 (96 of 100) is within 5 %
        assert a.closed and a.qty_outstanding == 0
        svc.post_receipt(po.id, {b.id: 1})  # 95 of 100: within 5 %
        assert b.closed and po.status == "closed" and po.status_label == "Closed"


def test_variance_ignored_without_auto_close(app, demo):
    with app.app_context():
        set_options(auto_close=True, receipt_variance_pct=D("50"))
        set_options(auto_close=False)
        assert options.current()["receipt_variance_pct"] == 0
        po = make_po(lines=(("BOLT-10", 10, "1"),))
        svc.post_receipt(po.id, {po.lines[0].id: 9})
        assert po.status == "partial"


def test_without_inventory_integration_stock_and_cost_untouched(app, demo):
    with app.app_context():
        set_options(integrate_inventory=False)
        before = on_hand("BOLT-10")
        cost = db.session.scalar(sa.select(Item.unit_cost).where(Item.code == "BOLT-10"))
        po = make_po(lines=(("BOLT-10", 10, "9.99"),))
        svc.post_receipt(po.id, {po.lines[0].id: 10})
        db.session.commit()
        assert on_hand("BOLT-10") == before
        assert db.session.scalar(sa.select(Item.unit_cost).where(Item.code == "BOLT-10")) == cost


def test_drop_ship_receipt_does_not_raise_stock(app, demo):
    with app.app_context():
        k = ids()
        before = on_hand("DESK-OAK")
        po = make_po(lines=(("DESK-OAK", 1, "100"),), order_type="D", customer_id=k["C1000"])
        svc.post_receipt(po.id, {po.lines[0].id: 1})
        assert on_hand("DESK-OAK") == before and po.status == "received"


def test_return_lowers_received_and_stock(app, demo):
    with app.app_context():
        set_options(next_return_number=900)
        po = make_po(lines=(("BOLT-10", 10, "2"),))
        line = po.lines[0]
        svc.post_receipt(po.id, {line.id: 10})
        db.session.commit()
        stock = on_hand("BOLT-10")
        assert po.status == "received"
        with pytest.raises(ValidationError) as err:
            svc.post_return(po.id, {line.id: 11})
        assert "cannot return more" in dict(err.value.errors)[f"qty_{line.id}"]
        db.session.rollback()
        ret = svc.post_return(po.id, {line.id: 4}).document
        db.session.commit()
        assert ret.number == "0000900"
        assert line.qty_received == 6 and line.qty_returned == 4 and line.qty_outstanding == 4
        assert on_hand("BOLT-10") == stock - 4 and po.status == "partial"
        hist = db.session.scalars(sa.select(PurchaseHistory)).one()
        assert hist.qty_returned == 4 and hist.amount_returned == D("8.00")


def test_purchase_history_needs_retain_po_history(app, demo):
    with app.app_context():
        set_options(retain_po_history=False)
        po = make_po()
        svc.post_receipt(po.id, {po.lines[0].id: 1})
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseHistory)) == 0


def test_purchase_history_posts_to_current_period(app, demo):
    with app.app_context():
        set_options(current_year=2031, current_period=4)
        po = make_po()
        svc.post_receipt(po.id, {po.lines[0].id: 2})
        svc.post_receipt(po.id, {po.lines[0].id: 3})
        h = db.session.scalars(sa.select(PurchaseHistory)).one()
        assert (h.fiscal_year, h.period, h.qty_received) == (2031, 4, 5)
        r = db.session.scalars(sa.select(Receipt)).first()
        assert (r.fiscal_year, r.period) == (2031, 4)


def _codes():
    db.session.add(CancelReasonCode(code="DUP", description="Duplicate"))
    db.session.commit()


@pytest.mark.parametrize("setting,kept", [("Y", True), ("P", True), ("N", False)])
def test_delete_retains_per_option(app, demo, setting, kept):
    with app.app_context():
        _codes()
        set_options(retain_deleted_orders=setting)
        po = make_po()
        number = po.number
        svc.delete_purchase_order(po, reason_code="DUP")
        db.session.commit()
        assert db.session.scalar(sa.select(PurchaseOrder).where(PurchaseOrder.number == number)) is None
        rows = db.session.scalars(sa.select(PoHistory)).all()
        assert (len(rows) == 1) is kept
        if kept:
            assert rows[0].kind == "deleted" and rows[0].reason_code == "DUP" and "BOLT-10" in rows[0].detail


def test_delete_without_po_history_keeps_nothing(app, demo):
    with app.app_context():
        set_options(retain_po_history=False)
        set_options(retain_deleted_orders="Y")
        svc.delete_purchase_order(make_po())
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PoHistory)) == 0
        assert not svc.deleted_reason_required()


def test_prompt_requires_reason_code(app, demo):
    with app.app_context():
        _codes()
        set_options(retain_deleted_orders="P")
        assert svc.deleted_reason_required("order")
        po = make_po()
        with pytest.raises(ValidationError, match="required"):
            svc.cancel_purchase_order(po)
        with pytest.raises(ValidationError, match="no cancel/reason code"):
            svc.cancel_purchase_order(po, reason_code="NOPE")
        svc.cancel_purchase_order(po, reason_code="dup")
        assert po.status == "cancelled" and po.cancel_reason == "DUP" and po.lines[0].qty_outstanding == 0


def test_cannot_delete_or_cancel_received(app, demo):
    with app.app_context():
        po = make_po()
        svc.post_receipt(po.id, {po.lines[0].id: 1})
        with pytest.raises(ValidationError):
            svc.delete_purchase_order(po)
        with pytest.raises(ValidationError):
            svc.cancel_purchase_order(po)
        svc.close_purchase_order(po)
        assert po.status == "closed"


def test_exceptions_and_line_edit_history(app, demo):
    with app.app_context():
        _codes()
        po = make_po(lines=(("BOLT-10", 10, "1"), ("GLOVES", 5, "2")))
        svc.add_exception(po, "SO 0100022 changed: qty 5 -> 3")
        assert po.exceptions[0].message.startswith("SO 0100022") and not po.exceptions[0].resolved
        k = ids()
        set_options(retain_deleted_lines="P")
        keep = po.lines[0]
        data = [{"id": keep.id, "item_id": k["BOLT-10"], "qty_ordered": D("12"), "unit_cost": D("1")}]
        with pytest.raises(ValidationError) as err:
            svc.save_purchase_order(po, vendor_id=po.vendor_id, order_type="S", header={}, lines=data)
        assert err.value.field == "line_reason_code"
        db.session.rollback()
        po = db.session.get(PurchaseOrder, po.id)
        svc.save_purchase_order(po, vendor_id=po.vendor_id, order_type="S", header={}, lines=data,
                                line_reason_code="DUP")
        db.session.commit()
        assert [ln.qty_ordered for ln in po.lines] == [12]
        row = db.session.scalars(sa.select(PoHistory)).one()
        assert row.kind == "line_deleted" and "GLOVES" in row.detail and row.reason_code == "DUP"
        set_options(retain_deleted_lines="N")
        data.append({"item_id": k["GLOVES"], "qty_ordered": D("1")})
        svc.save_purchase_order(po, vendor_id=po.vendor_id, order_type="S", header={}, lines=data)
        assert [ln.line_no for ln in po.lines] == [1, 2]
        svc.save_purchase_order(po, vendor_id=po.vendor_id, order_type="S", header={}, lines=data[:1])
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PoHistory)) == 1


def test_cannot_order_less_than_received(app, demo):
    with app.app_context():
        po = make_po()
        line = po.lines[0]
        svc.post_receipt(po.id, {line.id: 50})
        db.session.commit()
        with pytest.raises(ValidationError, match="cannot be less"):
            svc.save_purchase_order(po, vendor_id=po.vendor_id, order_type="S", header={},
                                    lines=[{"id": line.id, "item_id": line.item_id, "qty_ordered": D("40")}])
