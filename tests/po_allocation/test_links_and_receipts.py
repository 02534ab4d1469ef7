"""Links stay true: cancelling or reducing the SO line, cancelling or deleting the PO, PO lines
reduced; receipts release the linked back orders (oldest required date first)."""

from datetime import date

from core.db import db

from .conftest import D


def _save_changed(app, so_id, qtys: dict[int, str | None]):
    """Re-save an order with new quantities per line number (None: remove the line)."""
    from plugins.sales_order.models import SalesOrder
    from plugins.sales_order.services import LineInput, OrderInput, save_order

    with app.app_context():
        order = db.session.get(SalesOrder, so_id)
        lines = [LineInput(item_id=ln.item_id, qty_ordered=D(qtys.get(ln.line_no, ln.qty_ordered)), id=ln.id, index=i)
                 for i, ln in enumerate(order.lines) if qtys.get(ln.line_no, "") is not None]
        save_order(OrderInput(customer_id=order.customer_id, lines=lines, warehouse_id=order.warehouse_id), order)
        db.session.commit()


def test_reducing_the_so_line_shrinks_the_link(pa, app):
    pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 6)])
    _save_changed(app, so_id, {1: "4"})
    assert [r[3] for r in pa.links(so_id=so_id)] == [D(4)]
    # the freed quantity is offered to the next order
    other = pa.so([("BOLT-10", 6)])
    assert [r[3] for r in pa.links(so_id=other)] == [D(6)]


def test_back_order_released_from_stock_shrinks_the_link_on_the_next_save(pa, app):
    from plugins.sales_order.models import SalesOrderLine
    from plugins.sales_order.services import release_backorder

    pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 6)])
    pa.set_stock("BOLT-10", 5)
    with app.app_context():
        release_backorder(db.session.get(SalesOrderLine, pa.line(so_id)["id"]), D(5))
        db.session.commit()
    _save_changed(app, so_id, {1: "6"})
    assert pa.line(so_id)["qty_backordered"] == 1
    assert [r[3] for r in pa.links(so_id=so_id)] == [D(1)]


def test_removing_the_so_line_drops_its_link(pa, app):
    pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 6), ("GLOVES", 1)])
    _save_changed(app, so_id, {1: None})
    assert pa.links(so_id=so_id) == []


def test_cancelling_the_sales_order_drops_its_links(pa, app):
    from plugins.sales_order.models import SalesOrder
    from plugins.sales_order.services import cancel_order

    pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 6)])
    with app.app_context():
        cancel_order(db.session.get(SalesOrder, so_id))
        db.session.commit()
    assert pa.links(so_id=so_id) == []
    assert [r[3] for r in pa.links(so_id=pa.so([("BOLT-10", 10)]))] == [D(10)]


def test_cancelling_or_deleting_the_po_drops_the_links(pa, app):
    from plugins.purchase_order import services as po

    a_id, _ = pa.po([("BOLT-10", 5)])
    b_id, _ = pa.po([("BOLT-10", 5)])
    so_a = pa.so([("BOLT-10", 5)])
    so_b = pa.so([("BOLT-10", 5)])
    assert len(pa.links(so_id=so_a)) == 1 and len(pa.links(so_id=so_b)) == 1
    with app.app_context():
        po.cancel_purchase_order(po.load_po(a_id))
        po.delete_purchase_order(po.load_po(b_id))
        db.session.commit()
    assert pa.links() == []
    assert pa.line(so_a)["qty_backordered"] == 5  # still back-ordered, now listed for manual action


def test_reset_purchase_orders_leaves_an_allocated_po_alone(pa, app):
    """po_generation's reset deletes only POs generated for the order (through purchase_order,
    whose cancel event drops links, tested above); a PO the order was allocated to stays."""
    from plugins.po_generation import reset as pogen
    from plugins.sales_order.models import SalesOrder

    pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 3)])
    with app.app_context():
        order = db.session.get(SalesOrder, so_id)
        pogen.reset_purchase_orders(order, confirm_sent=True)
        db.session.commit()
    # the allocated PO was not generated for the order: reset leaves it and its link alone
    assert len(pa.links(so_id=so_id)) == 1


def test_po_line_reduced_below_the_links_shrinks_the_newest(pa, app):
    from plugins.purchase_order import services as po

    po_id, (pl,) = pa.po([("BOLT-10", 10)])
    first = pa.so([("BOLT-10", 4)])
    second = pa.so([("BOLT-10", 4)])
    with app.app_context():
        p = po.load_po(po_id)
        ln = p.lines[0]
        po.save_purchase_order(p, vendor_id=p.vendor_id, order_type="S", header={}, lines=[
            {"id": ln.id, "item_id": ln.item_id, "qty_ordered": D(6), "unit_cost": ln.unit_cost}])
        db.session.commit()
    assert [r[3] for r in pa.links(so_id=first)] == [D(4)]
    assert [r[3] for r in pa.links(so_id=second)] == [D(2)]


def test_receipt_releases_part_then_the_rest(pa, app):
    po_id, (pl,) = pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 8)])
    pa.receive(po_id, {pl: 5})
    line = pa.line(so_id)
    assert (line["qty_backordered"], line["qty_to_ship"], line["qty_allocated"]) == (3, 5, 5)
    assert pa.stock("BOLT-10") == (D(5), D(5))  # received goods reserved, not free stock
    assert [(r[3], r[4]) for r in pa.links(so_id=so_id)] == [(D(8), D(5))]
    pa.receive(po_id, {pl: 5})
    line = pa.line(so_id)
    assert (line["qty_backordered"], line["qty_to_ship"], line["qty_allocated"]) == (0, 8, 8)
    assert pa.stock("BOLT-10") == (D(10), D(8))  # only the remainder is free stock
    assert [(r[3], r[4]) for r in pa.links(so_id=so_id)] == [(D(8), D(8))]


def test_receipt_serves_oldest_required_date_first(pa, app):
    po_id, (pl,) = pa.po([("BOLT-10", 10)])
    later = pa.so([("BOLT-10", 4, {"promise_date": date(2026, 9, 1)})])
    sooner = pa.so([("BOLT-10", 4, {"promise_date": date(2026, 6, 1)})])
    pa.receive(po_id, {pl: 5})
    assert pa.line(sooner)["qty_to_ship"] == 4
    assert pa.line(later)["qty_to_ship"] == 1 and pa.line(later)["qty_backordered"] == 3


def test_receipt_with_nothing_linked_leaves_free_stock(pa, app):
    po_id, (pl,) = pa.po([("BOLT-10", 10)])
    pa.receive(po_id, {pl: 4})
    assert pa.stock("BOLT-10") == (D(4), D(0))


def test_back_order_released_by_hand_before_the_receipt_is_not_released_twice(pa, app):
    from plugins.sales_order.models import SalesOrderLine
    from plugins.sales_order.services import release_backorder

    po_id, (pl,) = pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 6)])
    pa.set_stock("BOLT-10", 6)
    with app.app_context():
        release_backorder(db.session.get(SalesOrderLine, pa.line(so_id)["id"]), D(6))
        db.session.commit()
    pa.receive(po_id, {pl: 10})
    line = pa.line(so_id)
    assert (line["qty_backordered"], line["qty_to_ship"]) == (0, 6)
    assert pa.stock("BOLT-10") == (D(16), D(6))
    assert pa.links(so_id=so_id) == []  # nothing waited any more: the link went


def test_receipt_fails_when_the_release_fails_and_nothing_is_kept(pa, app, monkeypatch):
    from plugins.po_allocation import sales

    po_id, (pl,) = pa.po([("BOLT-10", 10)])
    pa.so([("BOLT-10", 6)])
    failure = pa.receive_failing(monkeypatch, sales, "release_to_line", po_id, {pl: 10})
    assert "po_allocation" in str(failure)
    assert pa.stock("BOLT-10") == (D(0), D(0))


def test_a_closed_po_line_supplies_nothing_any_more(pa, app, client):
    from plugins.purchase_order import services as po

    po_id, _ = pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 6)])
    with app.app_context():
        po.close_purchase_order(po.load_po(po_id))
        db.session.commit()
    line = pa.line(so_id)
    client.login("purchasing")
    page = client.get("/po-allocation/skipped").get_data(as_text=True)
    assert f'id="pa-skipped-{line["id"]}"' in page  # listed for manual action again
    _, (pl,) = pa.po([("BOLT-10", 6)])
    assert client.post(f"/po-allocation/assign/{line['id']}", data={f"qty-{pl}": "6"}).status_code == 302


def test_a_po_line_deleted_in_po_entry_takes_its_links_with_it(pa, app):
    from plugins.purchase_order import services as po

    po_id, (keep, gone) = pa.po([("GLOVES", 5), ("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 6)])
    with app.app_context():
        p = po.load_po(po_id)
        ln = p.lines[0]
        po.save_purchase_order(p, vendor_id=p.vendor_id, order_type="S", header={}, lines=[
            {"id": ln.id, "item_id": ln.item_id, "qty_ordered": ln.qty_ordered, "unit_cost": ln.unit_cost}])
        db.session.commit()
    assert pa.links(so_id=so_id) == []


def test_po_line_changed_to_another_item_drops_its_links(pa, app):
    from plugins.purchase_order import services as po

    po_id, _ = pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 6)])
    k = pa.ids()
    with app.app_context():
        p = po.load_po(po_id)
        ln = p.lines[0]
        po.save_purchase_order(p, vendor_id=p.vendor_id, order_type="S", header={}, lines=[
            {"id": ln.id, "item_id": k["GLOVES"], "qty_ordered": ln.qty_ordered, "unit_cost": ln.unit_cost}])
        db.session.commit()
    assert pa.links(so_id=so_id) == []


def test_a_release_sales_order_refuses_leaves_the_goods_free_and_the_link_open(pa, app, monkeypatch):
    from plugins.sales_order import allocation

    po_id, (pl,) = pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 6)])
    # the stock cannot be reserved where the line ships from: sales_order's release_received takes nothing
    monkeypatch.setattr(allocation.stock, "reserve", lambda item_id, warehouse_id, qty: D(0))
    pa.receive(po_id, {pl: 10})
    assert pa.line(so_id)["qty_backordered"] == 6
    assert pa.stock("BOLT-10") == (D(10), D(0))
    assert [(r[3], r[4]) for r in pa.links(so_id=so_id)] == [(D(6), D(0))]
