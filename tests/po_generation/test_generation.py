"""Generation against the database: button, on save, changes, cancel, reset, missing check."""

from datetime import date
from decimal import Decimal as D

import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError
from plugins.po_generation.generation import generate_for_order
from plugins.po_generation.missing import missing_purchase_orders
from plugins.po_generation.models import PoGenLink
from plugins.po_generation.reset import reset_purchase_orders
from plugins.po_generation.rules import PromptNeeded
from plugins.purchase_order import services as po_services
from plugins.purchase_order.models import PoHistory, PurchaseOrder, PurchaseOrderException
from plugins.sales_order.models import SalesOrder

from .helpers import STANDARD_MIX, make_order, partner, set_options


def pos():
    return list(db.session.scalars(sa.select(PurchaseOrder).order_by(PurchaseOrder.number)))


def test_generate_for_order_numbers_types_ship_to(app, demo):
    with app.app_context():
        so = make_order(STANDARD_MIX, ship_to_address="Site 7\nQuarry Lane")
        res = generate_for_order(so.id)
        db.session.commit()
        assert res.created == 3 and not res.problems
        got = {(p.number, p.order_type, p.vendor.number) for p in pos()}
        n = so.number
        beginning = ("1" + n[1:]) if n.startswith("0") else "0" + n
        second = ("2" + n[1:]) if n.startswith("0") else "1" + n
        assert got == {(n, "D", "V2002"), (beginning, "S", "V2000"), (second, "S", "V2001")}
        d = next(p for p in pos() if p.order_type == "D")
        assert d.ship_to_address == "Site 7\nQuarry Lane" and d.customer_id == partner("C1000").id
        s = next(p for p in pos() if p.vendor.number == "V2000")
        assert "Depot Road" in s.ship_to_address and s.customer_id is None
        assert [ln.origin_label for ln in s.lines] == [f"SO {n} line 3"]
        # saving twice / generating twice orders nothing twice
        again = generate_for_order(so.id)
        db.session.commit()
        assert again.created == 0 and again.lines == 0 and len(pos()) == 3


def test_end_mode_and_automatic_numbers(app, demo):
    with app.app_context():
        set_options(increment_at="end")
        so = make_order(STANDARD_MIX)
        generate_for_order(so.id)
        db.session.commit()
        base = so.number[1:] if so.number.startswith("0") else so.number
        assert {p.number for p in pos()} == {so.number, base + "A", base + "B"}
        set_options(use_so_number=False)
        so2 = make_order([("SAW-TABLE", 1)])
        generate_for_order(so2.id)
        db.session.commit()
        new = [p for p in pos() if so2.number in p.comment]
        assert len(new) == 1 and new[0].number not in (so2.number,)


def test_missing_vendor_reported_rest_generated(app, demo):
    from .helpers import item

    with app.app_context():
        item("LADDER-8").default_vendor_id = None
        db.session.commit()
        so = make_order([("LADDER-8", 1), ("SAW-TABLE", 1)])
        res = generate_for_order(so.id)
        db.session.commit()
        assert res.created == 1 and "LADDER-8" in res.problems[0].message
        rows = missing_purchase_orders()
        assert rows[0].order.number == so.number and any("no vendor" in r for r in rows[0].reasons)


def test_combine_by_vendor_into_open_unsent_po(app, demo):
    with app.app_context():
        set_options(combine_by_vendor=True)
        a = make_order([("SAW-TABLE", 1), ("DESK-OAK", 1)])
        generate_for_order(a.id)
        db.session.commit()
        b = make_order([("SAW-TABLE", 2), ("DESK-OAK", 1)], customer="C1002")
        generate_for_order(b.id)
        db.session.commit()
        s = [p for p in pos() if p.order_type == "S"]
        assert len(s) == 1 and [ln.line_no for ln in s[0].lines] == [1, 2]
        assert len([p for p in pos() if p.order_type == "D"]) == 2  # drop ship never combined
        po_services.send_purchase_order(s[0], user_id=None)
        db.session.commit()
        c = make_order([("SAW-TABLE", 1)])
        generate_for_order(c.id)
        db.session.commit()
        assert len([p for p in pos() if p.order_type == "S"]) == 2  # sent PO is not added to


def test_on_save_generates_and_propagates_changes(app, demo):
    from plugins.sales_order.services import LineInput, OrderInput, save_order

    with app.app_context():
        set_options(generate_on_save=True)
        so = make_order([("SAW-TABLE", 2), ("LADDER-8", 3)])
        assert len(pos()) == 2
        so_id = so.id

        def resave(qtys):
            order = db.session.get(SalesOrder, so_id)
            data = OrderInput(customer_id=order.customer_id, number=order.number, warehouse_id=order.warehouse_id,
                              lines=[
                LineInput(id=ln.id, item_id=ln.item_id, qty_ordered=D(str(qtys[ln.item.code])), index=i)
                for i, ln in enumerate(order.lines) if ln.item.code in qtys])
            save_order(data, order)
            db.session.commit()

        resave({"SAW-TABLE": 2, "LADDER-8": 3})
        assert len(pos()) == 2  # saving twice orders nothing twice
        resave({"SAW-TABLE": 5, "LADDER-8": 3})  # increase on unsent PO: the PO line grows
        saw = next(p for p in pos() if p.vendor.number == "V2001")
        assert saw.lines[0].qty_ordered == 5 and len(pos()) == 2
        resave({"SAW-TABLE": 4, "LADDER-8": 3})  # decrease on unsent PO: the PO line shrinks
        assert next(p for p in pos() if p.vendor.number == "V2001").lines[0].qty_ordered == 4
        po_services.send_purchase_order(saw, user_id=None)
        db.session.commit()
        resave({"SAW-TABLE": 6, "LADDER-8": 3})  # increase on a sent PO: the difference on a new PO
        saws = [p for p in pos() if p.vendor.number == "V2001"]
        assert sorted(p.lines[0].qty_ordered for p in saws) == [2, 4]
        new_saw = next(p for p in saws if p.id != saw.id)
        resave({"SAW-TABLE": 3, "LADDER-8": 3})  # decrease 3: unsent one cut, rest reported on the sent one
        assert db.session.get(PurchaseOrder, new_saw.id) is None  # emptied unsent PO deleted
        exc = db.session.scalars(sa.select(PurchaseOrderException).where(PurchaseOrderException.po_id == saw.id)).all()
        assert len(exc) == 1 and so.number in exc[0].message and "reduced from 6 to 3" in exc[0].message
        resave({"SAW-TABLE": 3})  # LADDER line removed: its unsent PO goes (to history)
        assert not [p for p in pos() if p.vendor.number == "V2000"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PoHistory)) >= 1


def test_cancel_sales_order(app, demo):
    from plugins.sales_order.services import cancel_order

    with app.app_context():
        so = make_order([("SAW-TABLE", 2), ("LADDER-8", 3)])
        generate_for_order(so.id)
        db.session.commit()
        sent = next(p for p in pos() if p.vendor.number == "V2001")
        po_services.send_purchase_order(sent, user_id=None)
        db.session.commit()
        cancel_order(db.session.get(SalesOrder, so.id))
        db.session.commit()
        left = pos()
        assert [p.vendor.number for p in left] == ["V2001"]
        assert so.number in left[0].exceptions[0].message and "cancelled" in left[0].exceptions[0].message


def test_reset_flow(app, demo):
    with app.app_context():
        so = make_order(STANDARD_MIX)
        generate_for_order(so.id)
        db.session.commit()
        order = db.session.get(SalesOrder, so.id)
        first = pos()[0]
        po_services.send_purchase_order(first, user_id=None)
        db.session.commit()
        try:
            reset_purchase_orders(order)
            raise AssertionError("reset of a sent PO needs confirmation")
        except ValidationError as exc:
            assert first.number in str(exc)
        db.session.rollback()
        deleted = reset_purchase_orders(order, confirm_sent=True)
        db.session.commit()
        assert len(deleted) == 3 and not pos()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PoHistory)) == 3
        rows = missing_purchase_orders()
        assert rows and any("POs deleted" in r for r in rows[0].reasons)
        generate_for_order(so.id)  # the next Generate creates them again
        db.session.commit()
        assert len(pos()) == 3 and not missing_purchase_orders()


def test_reset_refused_with_received_goods(app, demo):
    with app.app_context():
        so = make_order([("SAW-TABLE", 2)])
        generate_for_order(so.id)
        db.session.commit()
        po = pos()[0]
        po_services.send_purchase_order(po, user_id=None)
        po_services.post_receipt(po.id, {po.lines[0].id: D("1")}, user_id=None)
        db.session.commit()
        try:
            reset_purchase_orders(db.session.get(SalesOrder, so.id), confirm_sent=True)
            raise AssertionError("refused expected")
        except ValidationError as exc:
            assert "received" in str(exc)
        db.session.rollback()
        assert len(pos()) == 1


def test_required_date_prompt_and_sort(app, demo):
    with app.app_context():
        set_options(header_date="prompt", line_date="system_date")
        so = make_order([("SAW-TABLE", 1)])
        try:
            generate_for_order(so.id)
            raise AssertionError("prompt expected")
        except PromptNeeded:
            db.session.rollback()
        generate_for_order(so.id, prompt_date=date(2030, 1, 2))
        db.session.commit()
        po = pos()[0]
        assert po.required_date == date(2030, 1, 2) and po.lines[0].required_date == date.today()


def test_links_recorded(app, demo):
    with app.app_context():
        so = make_order(STANDARD_MIX)
        generate_for_order(so.id)
        db.session.commit()
        links = db.session.scalars(sa.select(PoGenLink)).all()
        assert len(links) == 3 and all(lk.so_id == so.id for lk in links)
