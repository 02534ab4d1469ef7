"""Saving a new sales order allocates its back orders to open PO quantity (seed 001)."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from core.db import db
from core.plugins import host_of

from .conftest import D


def test_new_order_links_back_order_to_open_po_line(pa):
    po_id, (pl,) = pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 6)])
    assert pa.line(so_id)["qty_backordered"] == 6
    [(line_no, po_number, po_line_no, qty, filled)] = pa.links(so_id=so_id)
    assert (line_no, po_line_no, qty, filled) == (1, 1, 6, 0)


def test_stock_covers_part_only_the_back_order_is_linked(pa):
    pa.set_stock("BOLT-10", 4)
    pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 6)])
    assert pa.line(so_id)["qty_to_ship"] == 4
    assert [r[3] for r in pa.links(so_id=so_id)] == [D(2)]


def test_across_po_lines_oldest_required_date_first(pa):
    pa.po([("BOLT-10", 3, date(2026, 7, 1)), ("BOLT-10", 3, date(2026, 6, 1))])
    pa.po([("BOLT-10", 3, date(2026, 5, 1))], vendor="V2001")
    so_id = pa.so([("BOLT-10", 5)])
    rows = pa.links(so_id=so_id)
    by_date = {(r[1], r[2]): r[3] for r in rows}
    assert sum(by_date.values()) == 5 and len(rows) == 2
    qty_from = sorted(by_date.values())
    assert qty_from == [D(2), D(3)]  # the May line (3), then the June line (2); the July line untouched


def test_line_not_fully_coverable_is_skipped_and_listed(pa, client):
    pa.po([("BOLT-10", 4)])
    so_id = pa.so([("BOLT-10", 5), ("GLOVES", 2)])
    assert pa.links(so_id=so_id) == []
    client.login("purchasing")
    page = client.get("/po-allocation/skipped").get_data(as_text=True)
    assert "pa-skipped-" in page and "BOLT-10" in page and "GLOVES" in page
    assert "Assign to PO lines" in page  # 4 available on open POs for the bolts


def test_second_order_gets_only_what_the_first_left(pa):
    pa.po([("BOLT-10", 10)])
    first = pa.so([("BOLT-10", 7)])
    second = pa.so([("BOLT-10", 4)])
    third = pa.so([("BOLT-10", 3)])
    assert [r[3] for r in pa.links(so_id=first)] == [D(7)]
    assert pa.links(so_id=second) == []
    assert [r[3] for r in pa.links(so_id=third)] == [D(3)]


def test_po_lines_not_offered(pa):
    k = pa.ids()
    pa.po([("BOLT-10", 10)], wh="EAST")  # another warehouse
    pa.po([("BOLT-10", 10, None, {"origin_label": "SO 0000001 line 1"})])  # bought for another order
    pa.po([("BOLT-10", 10)], order_type="D", customer_id=k["C1001"])  # drop ship to a customer
    closed_id, _ = pa.po([("BOLT-10", 10)])
    with pa.app.app_context():
        from plugins.purchase_order import services as po

        po.close_purchase_order(po.load_po(closed_id))
        db.session.commit()
    received_id, (rl,) = pa.po([("BOLT-10", 5)])
    pa.receive(received_id, {rl: 5})
    pa.set_stock("BOLT-10", 0)
    so_id = pa.so([("BOLT-10", 2)])
    assert pa.links(so_id=so_id) == []


def test_option_off_or_plugin_disabled_allocates_nothing(pa, app):
    pa.po([("BOLT-10", 10)])
    pa.opts(allocate_on_entry=False)
    assert pa.links(so_id=pa.so([("BOLT-10", 2)])) == []
    pa.opts(allocate_on_entry=True)
    with app.app_context():
        host_of(app).set_enabled("po_allocation", False)
    assert pa.links(so_id=pa.so([("BOLT-10", 2)])) == []


def test_imported_orders_follow_their_own_option(pa, app):
    from plugins.po_allocation import services

    pa.po([("BOLT-10", 10)])
    pa.opts(allocate_on_entry=False)
    so_id = pa.so([("BOLT-10", 2)])
    pa.opts(allocate_on_entry=True, allocate_on_import=False)
    with app.app_context():
        from plugins.sales_order.models import SalesOrder

        order = db.session.get(SalesOrder, so_id)
        assert services.allocate_order(order, source="import").links == []
        assert [k.qty for k in services.allocate_order(order, source="entry").links] == [D(2)]
        db.session.commit()
    assert [r[3] for r in pa.links(so_id=so_id)] == [D(2)]


def test_non_stocked_and_drop_ship_lines_are_left_to_po_generation(pa):
    pa.po([("LADDER-8", 10), ("DESK-OAK", 10)])
    so_id = pa.so([("LADDER-8", 2), ("DESK-OAK", 1)])
    assert pa.links(so_id=so_id) == []


def _status(app, code):
    from plugins.purchase_order.models import PoLineStatus

    with app.app_context():
        row = PoLineStatus(code=code, description="Back order allocated")
        db.session.add(row)
        db.session.commit()
        return row.id


def test_linked_po_line_takes_the_default_status_through_po_entry(pa, app, monkeypatch):
    from plugins.purchase_order import services as po_services
    from plugins.purchase_order.models import PurchaseOrderLine

    monkeypatch.delattr(po_services, "set_line_status", raising=False)
    sid = _status(app, "BOA")
    pa.opts(default_line_status="BOA")
    saved = []
    real_save = po_services.save_purchase_order
    monkeypatch.setattr(po_services, "save_purchase_order", lambda *a, **k: saved.append(1) or real_save(*a, **k))
    _, (other, pl) = pa.po([("GLOVES", 5, None, {"description": "Gloves, special"}), ("BOLT-10", 10)])
    pa.so([("BOLT-10", 2)])
    with app.app_context():
        assert db.session.get(PurchaseOrderLine, pl).line_status_id == sid
        untouched = db.session.get(PurchaseOrderLine, other)
        assert (untouched.line_status_id, untouched.description, untouched.qty_ordered) == (None, "Gloves, special", 5)
    assert saved == [1]
    pa.so([("BOLT-10", 2)])  # the status is already set: no second save
    assert saved == [1]


def test_dedicated_status_service_is_preferred(pa, app, monkeypatch):
    from plugins.purchase_order import services as po_services

    sid = _status(app, "BOA")
    pa.opts(default_line_status="BOA")
    calls = []
    monkeypatch.setattr(po_services, "set_line_status", lambda line, status: calls.append((line.id, status)),
                        raising=False)
    _, (pl,) = pa.po([("BOLT-10", 10)])
    pa.so([("BOLT-10", 2)])
    assert calls == [(pl, sid)]


def test_no_default_status_leaves_the_po_line_alone(pa, app):
    from plugins.purchase_order.models import PurchaseOrderLine

    _, (pl,) = pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 2)])
    assert len(pa.links(so_id=so_id)) == 1
    with app.app_context():
        assert db.session.get(PurchaseOrderLine, pl).line_status_id is None


def test_unknown_default_status_is_refused_beside_the_option(pa, app):
    import pytest

    from core.errors import ValidationError

    with pytest.raises(ValidationError) as exc:
        pa.opts(default_line_status="NOPE")
    assert "NOPE" in str(exc.value)
    with app.app_context():
        db.session.rollback()
        from core.options import options_for

        assert options_for("po_allocation")["default_line_status"] == ""


def test_demand_for_po_lines_names_the_waiting_orders(pa, app):
    from plugins.po_allocation.services import demand_for_po_lines

    _, (pl,) = pa.po([("BOLT-10", 10)])
    a = pa.so([("BOLT-10", 3)])
    b = pa.so([("BOLT-10", 2)], customer="C1002")
    with app.app_context():
        rows = demand_for_po_lines([pl])
        assert sorted((r.so_id, r.qty_open, r.customer_number) for r in rows) == [
            (a, D(3), "C1000"), (b, D(2), "C1002")]
        assert rows[0].customer_email
        assert demand_for_po_lines([]) == []


def test_supply_for_lines_reports_the_open_linked_quantity(pa, app):
    from plugins.po_allocation.services import supply_for_lines

    pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 3), ("GLOVES", 1)])
    line = pa.line(so_id)
    with app.app_context():
        assert supply_for_lines([line["id"], pa.line(so_id, 2)["id"]]) == {line["id"]: D(3)}


def test_existing_link_counts_so_allocating_again_adds_nothing(pa, app):
    from plugins.po_allocation import services
    from plugins.sales_order.models import SalesOrder

    pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 3)])
    with app.app_context():
        assert services.allocate_order(db.session.get(SalesOrder, so_id)).links == []
        db.session.commit()
    assert [r[3] for r in pa.links(so_id=so_id)] == [D(3)]


def test_link_table_rows(pa, app):
    from plugins.po_allocation.models import PaLink, PaPoLine

    _, (pl,) = pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 3)])
    with app.app_context():
        link = db.session.scalar(sa.select(PaLink))
        assert (link.so_id, link.po_line_id, link.qty, link.qty_filled) == (so_id, pl, Decimal(3), 0)
        assert link.created_at is not None
        assert db.session.get(PaPoLine, pl).allocations == 1
