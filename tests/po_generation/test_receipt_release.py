"""Issue 11: receipts release what po_generation bought them for (on_receipt / on_return)."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from core.db import db
from core.plugins import host_of
from plugins.po_generation.generation import generate_for_order
from plugins.po_generation.models import PoGenLink
from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderLine, Receipt
from tests.po_allocation.conftest import PA, D


@pytest.fixture
def pg(app, demo) -> PA:
    helper = PA(app)
    helper.set_stock("BOLT-10", 0)
    return helper


def _generate(app, so_id) -> list[tuple[int, int, str]]:
    """Generate POs for an order; (PO id, PO line id, PO type) per linked line."""
    with app.app_context():
        generate_for_order(so_id)
        db.session.commit()
        return [(po_id, pl_id, t) for po_id, pl_id, t in db.session.execute(
            sa.select(PoGenLink.po_id, PoGenLink.po_line_id, PurchaseOrder.order_type)
            .join(PurchaseOrder, PurchaseOrder.id == PoGenLink.po_id).where(PoGenLink.so_id == so_id))]


def _po_line_qty(app, pl_id):
    with app.app_context():
        return db.session.get(PurchaseOrderLine, pl_id).qty_ordered


def test_issue_example_receive_all_releases_and_nothing_is_free(pg, app, client, users):
    so_id = pg.so([("BOLT-10", 10)])
    assert pg.line(so_id)["qty_backordered"] == 10
    ((po_id, pl, _),) = _generate(app, so_id)
    bought = _po_line_qty(app, pl)
    pg.receive(po_id, {pl: bought})
    line = pg.line(so_id)
    assert (line["qty_backordered"], line["qty_to_ship"], line["qty_allocated"]) == (0, 10, 10)
    assert pg.stock("BOLT-10") == (bought, D(10))  # the 10 are reserved for the order, not free
    client.login("admin")
    page = client.get("/stock?q=BOLT-10").get_data(as_text=True)
    row = page[page.index("<td>BOLT-10"):].split("</tr>")[0]
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert [D(c) for c in cells] == [bought, D(10), bought - 10]  # on hand, allocated, available


def test_partial_receipt_releases_part_then_the_rest(pg, app):
    so_id = pg.so([("BOLT-10", 8)])
    ((po_id, pl, _),) = _generate(app, so_id)
    pg.receive(po_id, {pl: 5})
    line = pg.line(so_id)
    assert (line["qty_backordered"], line["qty_to_ship"], line["qty_allocated"]) == (3, 5, 5)
    assert pg.stock("BOLT-10") == (D(5), D(5))
    pg.receive(po_id, {pl: 3})
    line = pg.line(so_id)
    assert (line["qty_backordered"], line["qty_to_ship"], line["qty_allocated"]) == (0, 8, 8)


def test_oldest_required_date_first_across_two_orders(pg, app):
    later = pg.so([("BOLT-10", 4, {"promise_date": date(2026, 9, 1)})])
    sooner = pg.so([("BOLT-10", 4, {"promise_date": date(2026, 6, 1)})])
    ((po_id, pl_a, _),) = _generate(app, later)
    _generate(app, sooner)
    with app.app_context():  # link both orders to one PO line to see who is served first
        db.session.execute(sa.update(PoGenLink).where(PoGenLink.so_id == sooner).values(po_line_id=pl_a, po_id=po_id))
        db.session.get(PurchaseOrderLine, pl_a).qty_ordered = D(8)
        db.session.commit()
    pg.receive(po_id, {pl_a: 5})
    assert pg.line(sooner)["qty_to_ship"] == 4
    assert (pg.line(later)["qty_to_ship"], pg.line(later)["qty_backordered"]) == (1, 3)
    assert pg.stock("BOLT-10") == (D(5), D(5))


def test_remainder_of_a_receipt_is_free_stock(pg, app):
    so_id = pg.so([("BOLT-10", 4)])
    ((po_id, pl, _),) = _generate(app, so_id)
    pg.receive(po_id, {pl: 4})
    assert pg.stock("BOLT-10") == (D(4), D(4))


def test_buy_to_order_item_is_released_and_leaves_no_phantom_stock(pg, app):
    so_id = pg.so([("SAW-TABLE", 2)])
    links = _generate(app, so_id)
    assert links, "a buy-to-order line is generated"
    before = pg.line(so_id)
    assert (before["qty_to_ship"], before["qty_backordered"]) == (0, 2)  # back-ordered at entry: nothing to ship
    (po_id, pl, _), = links
    pg.receive(po_id, {pl: 1})
    line = pg.line(so_id)
    assert (line["qty_to_ship"], line["qty_backordered"]) == (1, 1)  # part received, part released
    pg.receive(po_id, {pl: 1})
    line = pg.line(so_id)
    assert (line["qty_to_ship"], line["qty_backordered"], line["qty_allocated"]) == (2, 0, 0)
    assert pg.stock("SAW-TABLE") == (D(0), D(0))  # not counted in stock, so nothing stays behind
    from plugins.sales_order.models import SalesOrder
    from plugins.sales_order.services import ship_order

    with app.app_context():
        ship_order(db.session.get(SalesOrder, so_id), {line["id"]: line["qty_to_ship"]})
        db.session.commit()
    assert pg.line(so_id)["qty_shipped"] == 2
    assert pg.stock("SAW-TABLE") == (D(0), D(0))  # shipping issues nothing: never negative


def test_drop_ship_receipt_moves_the_line_to_ship(pg, app):
    so_id = pg.so([("DESK-OAK", 1)])
    links = _generate(app, so_id)
    (po_id, pl, order_type), = links
    assert order_type == "D"
    assert (pg.line(so_id)["qty_backordered"], pg.line(so_id)["qty_to_ship"]) == (1, 0)  # waits for the vendor
    pg.receive(po_id, {pl: 1})
    line = pg.line(so_id)
    assert (line["qty_backordered"], line["qty_to_ship"]) == (0, 1)  # delivered: ready to invoice
    assert pg.stock("DESK-OAK") == (D(0), D(0))


def test_failing_release_aborts_the_receipt(pg, app, monkeypatch):
    from plugins.sales_order import services as so_services

    so_id = pg.so([("BOLT-10", 6)])
    ((po_id, pl, _),) = _generate(app, so_id)
    failure = pg.receive_failing(monkeypatch, so_services, "release_received", po_id, {pl: 6})
    assert "po_generation" in str(failure)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)) == 0
    assert pg.stock("BOLT-10") == (D(0), D(0))
    assert pg.line(so_id)["qty_backordered"] == 6


def test_return_puts_the_released_quantity_back_on_back_order(pg, app):
    from plugins.purchase_order.services import post_return

    so_id = pg.so([("BOLT-10", 6)])
    ((po_id, pl, _),) = _generate(app, so_id)
    pg.receive(po_id, {pl: 6})
    with app.app_context():
        post_return(po_id, {pl: D(2)})
        db.session.commit()
    line = pg.line(so_id)
    assert (line["qty_backordered"], line["qty_to_ship"], line["qty_allocated"]) == (2, 4, 4)
    assert pg.stock("BOLT-10") == (D(4), D(4))


def test_both_bridges_enabled_never_release_twice(pg, app):
    with app.app_context():
        host_of(app).set_enabled("po_allocation", True)
    so_id = pg.so([("BOLT-10", 6)])
    ((po_id, pl, _),) = _generate(app, so_id)
    other = pg.so([("BOLT-10", 3)])  # po_allocation may link it to the PO line's spare quantity
    pg.receive(po_id, {pl: 6})
    first, second = pg.line(so_id), pg.line(other)
    assert (first["qty_backordered"], first["qty_to_ship"], first["qty_allocated"]) == (0, 6, 6)
    on_hand, allocated = pg.stock("BOLT-10")
    assert allocated == first["qty_allocated"] + second["qty_allocated"] <= on_hand == 6
    assert second["qty_to_ship"] + second["qty_backordered"] == 3
