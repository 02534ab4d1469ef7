"""Receipt release through sales_order's options, for both bridges (po_allocation links and
po_generation links): *Release of received back orders* (automatic / manual: reserved, ready to
release), *Order linked to a receipt* (to ship / reserved / reserved if status 4 or 8), returns,
and the clerk's release from the order page and the ready-to-release list."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.db import db
from core.plugins import host_of
from plugins.po_generation.generation import generate_for_order
from plugins.po_generation.models import PoGenLink
from plugins.sales_order.models import SalesOrder

from .conftest import PA, D


@pytest.fixture(params=["po_allocation", "po_generation"])
def bridge(request, app, demo):
    """(helper, make) where make(qty) -> (so id, po id, po line id): a back-ordered BOLT-10 line
    linked to a PO line by the bridge under test, nothing on hand."""
    helper = PA(app)
    helper.set_stock("BOLT-10", 0)
    if request.param == "po_allocation":
        with app.app_context():
            host_of(app).set_enabled("po_allocation", True)

        def make(qty, **header):
            po_id, (pl,) = helper.po([("BOLT-10", qty)])
            so_id = helper.so([("BOLT-10", qty)], **header)
            assert helper.links(so_id=so_id), "po_allocation linked the order to the PO line"
            return so_id, po_id, pl
    else:
        def make(qty, **header):
            so_id = helper.so([("BOLT-10", qty)], **header)
            with app.app_context():
                generate_for_order(so_id)
                db.session.commit()
                po_id, pl = db.session.execute(sa.select(PoGenLink.po_id, PoGenLink.po_line_id)
                                               .where(PoGenLink.so_id == so_id)).one()
            return so_id, po_id, pl
    return helper, make


def _buckets(helper, so_id):
    line = helper.line(so_id)
    return line["qty_backordered"], line["qty_reserved"], line["qty_to_ship"], line["qty_allocated"]


def _status(app, so_id):
    with app.app_context():
        return db.session.get(SalesOrder, so_id).status


def test_automatic_release_puts_the_receipt_to_ship(bridge, app):
    helper, make = bridge
    so_id, po_id, pl = make(8)
    helper.receive(po_id, {pl: 5})
    assert _buckets(helper, so_id) == (3, 0, 5, 5)


def test_manual_release_reserves_the_receipt_and_waits_for_a_clerk(bridge, app, client):
    helper, make = bridge
    helper.opts("sales_order", receipt_release="manual")
    so_id, po_id, pl = make(8)
    helper.receive(po_id, {pl: 5})
    assert _buckets(helper, so_id) == (3, 5, 0, 5)  # held for the line, nothing to ship yet
    assert helper.stock("BOLT-10") == (D(5), D(5))  # reserved: no other order can take it
    assert _status(app, so_id) == "1"  # the order is as it was: an open order with lines waiting
    client.login("sales")
    page = client.get(f"/sales-orders/{so_id}").get_data(as_text=True)
    assert 'id="ready-panel"' in page and "Release reserved to ship" in page
    client.post(f"/sales-orders/ready/order/{so_id}", data={})
    assert _buckets(helper, so_id) == (3, 0, 5, 5)  # the clerk released it to ship
    helper.receive(po_id, {pl: 3})
    assert _buckets(helper, so_id) == (0, 3, 5, 8)


@pytest.mark.parametrize("release,after_return,received_again", [
    ("manual", (2, 4, 0, 4), (0, 6, 0, 6)),  # the reservation shrinks, and grows back
    ("automatic", (2, 0, 4, 4), (0, 0, 6, 6)),  # back on back order; received again: released again
])
def test_return_undoes_the_release(bridge, app, release, after_return, received_again):
    helper, make = bridge
    helper.opts("sales_order", receipt_release=release)
    so_id, po_id, pl = make(6)
    helper.receive(po_id, {pl: 6})
    helper.give_back(po_id, {pl: 2})
    assert _buckets(helper, so_id) == after_return
    assert helper.stock("BOLT-10") == (D(4), D(4))
    helper.receive(po_id, {pl: 2})
    assert _buckets(helper, so_id) == received_again


def test_order_linked_to_a_receipt_reserved(bridge, app):
    helper, make = bridge
    helper.opts("sales_order", receipt_linked_action="reserve")
    so_id, po_id, pl = make(4)
    helper.receive(po_id, {pl: 4})
    assert _buckets(helper, so_id) == (0, 4, 0, 4)


@pytest.mark.parametrize("status,reserved", [("4", True), ("8", True), ("2", False)])
def test_order_linked_to_a_receipt_reserved_if_in_warehouse_or_ready_to_invoice(bridge, app, status, reserved):
    helper, make = bridge
    helper.opts("sales_order", receipt_linked_action="reserve_4_8")
    so_id, po_id, pl = make(4)
    with app.app_context():
        db.session.get(SalesOrder, so_id).status = status
        db.session.commit()
    helper.receive(po_id, {pl: 4})
    assert _buckets(helper, so_id) == ((0, 4, 0, 4) if reserved else (0, 0, 4, 4))


def test_manual_release_overrides_order_linked_to_a_receipt(bridge, app):
    """*Order linked to a receipt* is available only with automatic release: with manual
    release every receipt is reserved, whatever it was set to."""
    helper, make = bridge
    helper.opts("sales_order", receipt_linked_action="ship")
    helper.opts("sales_order", receipt_release="manual")
    so_id, po_id, pl = make(2)
    helper.receive(po_id, {pl: 2})
    assert _buckets(helper, so_id) == (0, 2, 0, 2)


def test_credit_check_puts_the_order_in_suspense_and_never_refuses_the_receipt(bridge, app):
    helper, make = bridge
    helper.opts("sales_order", check_credit_limit=True, credit_current_only=True, credit_check_on_ship_move=True)
    so_id, po_id, pl = make(5)
    with app.app_context():
        order = db.session.get(SalesOrder, so_id)
        order.customer.credit_limit = D("1")
        db.session.commit()
    helper.receive(po_id, {pl: 5})  # posted: no refusal
    assert _buckets(helper, so_id) == (0, 0, 5, 5)
    assert _status(app, so_id) == "S"


def test_an_order_in_suspense_gets_its_goods_reserved(bridge, app):
    helper, make = bridge
    so_id, po_id, pl = make(3)
    with app.app_context():
        db.session.get(SalesOrder, so_id).status = "S"
        db.session.commit()
    helper.receive(po_id, {pl: 3})
    assert _buckets(helper, so_id) == (0, 3, 0, 3)
