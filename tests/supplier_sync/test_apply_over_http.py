"""Notifications in, changes applied: the simulator and OrderBridge over real HTTP on loopback."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError
from core.models import Item
from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderException
from plugins.supplier_sync.models import InboxMessage, LineSync, PoSync, SyncNotification

from .helpers import count, make_po, po_lines


def _order_for(wired, po_number, lines=None, notify=True):
    lines = lines or [
        {"line_ref": "1", "item_code": "NW-B10", "qty": "100", "unit_price": "4.20"},
        {"line_ref": "2", "item_code": "NW-GL", "qty": "50", "unit_price": "2.10"},
    ]
    return wired.sim.control("orders", {"buyer_po_number": po_number, "lines": lines, "notify": notify})


def _bolt_order(app, wired, qty="100", *, notify=True, origin=None) -> tuple[int, str]:
    """A PO for 100 BOLT-10 at 4.20 (``origin``: its line's origin label) and the supplier's
    one-line order of ``qty`` for it: (PO id, the supplier's order ref)."""
    with app.app_context():
        po_id, number = make_po([("BOLT-10", 100, "4.20", *([origin] if origin else []))])
    line = {"line_ref": "1", "item_code": "NW-B10", "qty": qty, "unit_price": "4.2"}
    return po_id, _order_for(wired, number, [line], notify=notify)["order_ref"]


def test_a_notification_replaces_quantity_price_and_date(app, wired):
    with app.app_context():
        po_id, number = make_po([("BOLT-10", 100, "4.20"), ("GLOVES", 50, "2.10")])
    order = _order_for(wired, number)
    ref = order["order_ref"]
    assert order["notified"] == [202]
    changed = wired.sim.control(f"orders/{ref}/lines/1", {"qty": "80", "unit_price": "4.35",
                                                            "required_date": "2026-12-24",
                                                            "status": "back_ordered"})
    assert changed["notified"] == [202]
    with app.app_context():
        lines = po_lines(po_id)
        assert lines["BOLT-10"] == (D("80"), D("4.35"), date(2026, 12, 24))
        assert lines["GLOVES"] == (D("50"), D("2.10"), None)
        state = db.session.get(PoSync, po_id)
        assert state.supplier_ref == ref and state.last_synced_at is not None and state.last_error == ""
        ls = db.session.scalar(sa.select(LineSync).where(LineSync.po_id == po_id, LineSync.line_ref == "1"))
        assert ls.status == "back_ordered" and ls.read_only == {"qty_ordered", "unit_cost", "required_date"}
    # a snapshot, not a delta: setting the same values again changes nothing
    wired.sim.control(f"orders/{ref}/lines/1", {"qty": "80"})
    with app.app_context():
        assert po_lines(po_id)["BOLT-10"][0] == D("80")


def test_duplicate_deliveries_are_applied_once(app, wired):
    po_id, ref = _bolt_order(app, wired, "90", notify=False)
    codes = wired.sim.control(f"orders/{ref}/notify", {"times": 3, "webhook_id": "msg_same"})["notified"]
    assert codes == [202, 200, 200]
    assert wired.sim.fetches == [ref]  # the duplicates caused no pull
    with app.app_context():
        assert count(InboxMessage) == 1
        assert po_lines(po_id)["BOLT-10"][0] == D("90")


def test_an_older_snapshot_arriving_late_is_skipped_newest_wins(app, wired):
    po_id, ref = _bolt_order(app, wired, notify=False)
    wired.sim.control(f"orders/{ref}/lines/1", {"qty": "70"}, )  # version 1, applied
    with app.app_context():
        assert po_lines(po_id)["BOLT-10"][0] == D("70")
        applied_at = db.session.get(PoSync, po_id).supplier_changed_at
    # the next answer comes from an older version (a late, out-of-order notification and replica)
    wired.sim.control(f"orders/{ref}/pin", {"version": 0, "fetches": 1})
    assert wired.sim.control(f"orders/{ref}/notify", {})["notified"] == [202]
    with app.app_context():
        assert po_lines(po_id)["BOLT-10"][0] == D("70")
        assert db.session.get(PoSync, po_id).supplier_changed_at == applied_at
        msg = db.session.scalars(sa.select(InboxMessage).order_by(InboxMessage.id.desc())).first()
        assert msg.status == "done" and msg.result == "skipped"


def test_a_cancelled_line_is_hidden_with_a_notification_naming_the_item(app, wired, client):
    """The line stays on the PO (for audit), closed: off the page's lines behind a "(show)" toggle, out of
    the total and receiving; a syncing notification names the item; its sales order's buyer hears of it."""
    from plugins.purchase_order.models import PoHistory, PurchaseOrder
    from plugins.purchase_order.services import post_receipt

    with app.app_context():
        po_id, number = make_po([("BOLT-10", 100, "4.20"), ("GLOVES", 50, "2.10", "SO 0000042 line 2")])
    ref = _order_for(wired, number)["order_ref"]
    wired.sim.control(f"orders/{ref}/lines/2/cancel")
    with app.app_context():
        assert set(po_lines(po_id)) == {"BOLT-10", "GLOVES"}  # kept
        po = db.session.get(PurchaseOrder, po_id)
        gloves = next(ln for ln in po.lines if ln.item.code == "GLOVES")
        gloves_id = gloves.id
        assert gloves.closed and gloves.qty_ordered == D("50") and gloves.qty_outstanding == 0
        assert po.total == D("420.00")  # 100 x 4.20: the cancelled line is out of the total
        ls = db.session.scalar(sa.select(LineSync).where(LineSync.po_id == po_id, LineSync.line_ref == "2"))
        assert ls.hidden and ls.status == "cancelled" and ls.po_line_id == gloves_id and ls.qty == D("50")
        assert ls.origin_label == "SO 0000042 line 2"  # kept for audit
        assert db.session.scalar(sa.select(PoHistory.detail).where(PoHistory.kind == "line_cancel")).count(ref)
        note = db.session.scalar(sa.select(SyncNotification).where(SyncNotification.kind == "cancelled_line"))
        assert note.item_code == "GLOVES" and "GLOVES" in note.message and note.po_id == po_id
        exc = db.session.scalar(sa.select(PurchaseOrderException).where(PurchaseOrderException.po_id == po_id))
        assert "SO 0000042" in exc.message  # the buyer hears that a sales order lost its supply
        with pytest.raises(ValidationError, match="closed"):  # nothing more is received on it
            post_receipt(po_id, {gloves_id: D("5")})
        db.session.rollback()
    client.login("purchasing")
    page = client.get(f"/purchase-orders/{po_id}").get_data(as_text=True)
    lines_table = page.split('<table class="lines">')[1].split("</table>")[0]
    assert "GLOVES" not in lines_table and "BOLT-10" in lines_table
    toggle = page.split('id="hidden-lines"')[1].split("</details>")[0]
    assert "1 line cancelled by the supplier (show)" in toggle and "GLOVES" in toggle
    assert 'id="ss-hidden-lines"' in page and 'id="ss-notice"' in page
    # the entry form posts it unchanged (hidden); saving the PO keeps it
    form = client.get(f"/purchase-orders/{po_id}/edit").get_data(as_text=True)
    assert f'value="{gloves_id}"' in form.split('id="hidden-lines"')[1]
    # a newer snapshot with the line still cancelled: no second notification
    wired.sim.control(f"orders/{ref}/lines/1", {"qty": "90"})
    with app.app_context():
        assert count(SyncNotification, SyncNotification.kind == "cancelled_line") == 1
        assert po_lines(po_id)["BOLT-10"][0] == D("90") and "GLOVES" in po_lines(po_id)


def test_a_cancelled_line_shrinks_the_back_order_links_and_tells_the_buyer(app, wired):
    """A PO line a sales order waits on (po_allocation's link) is cancelled by the supplier: the link
    shrinks to nothing and the buyer exception names the sales order."""
    from plugins.po_allocation.models import PaLink
    from plugins.sales_order.models import SalesOrder
    from tests.po_allocation.conftest import PA

    pa = PA(app)
    with app.app_context():
        from core.plugins import host_of

        host_of(app).set_enabled("po_allocation", True)
        db.session.commit()
    pa.set_stock("GLOVES", 0)
    po_id, (line_id,) = pa.po([("GLOVES", 30)])
    so_id = pa.so([("GLOVES", 20)])
    with app.app_context():
        links = list(db.session.scalars(sa.select(PaLink).where(PaLink.po_line_id == line_id)))
        assert links and sum(ln.qty_open for ln in links) == D("20")
        number = db.session.get(PurchaseOrder, po_id).number
        so_number = db.session.get(SalesOrder, so_id).number
    ref = wired.sim.control("orders", {"buyer_po_number": number, "lines": [
        {"line_ref": "1", "item_code": "NW-GL", "qty": "30", "unit_price": "1"}]})["order_ref"]
    wired.sim.control(f"orders/{ref}/lines/1/cancel")
    with app.app_context():
        db.session.expire_all()
        links = list(db.session.scalars(sa.select(PaLink).where(PaLink.po_line_id == line_id)))
        assert sum(ln.qty_open for ln in links) == 0
        messages = list(db.session.scalars(sa.select(PurchaseOrderException.message)
                                           .where(PurchaseOrderException.po_id == po_id)))
        assert any("cancelled by the supplier" in m and so_number in m for m in messages), messages


def test_a_reduced_line_that_serves_a_sales_order_raises_a_buyer_exception(app, wired):
    po_id, ref = _bolt_order(app, wired, origin="SO 0000077 line 1")
    wired.sim.control(f"orders/{ref}/lines/1", {"qty": "60"})
    with app.app_context():
        assert po_lines(po_id)["BOLT-10"][0] == D("60")
        messages = list(db.session.scalars(sa.select(PurchaseOrderException.message)))
        assert any("reduced from 100 to 60" in m and "SO 0000077" in m for m in messages)


def test_an_unknown_item_is_added_from_the_catalog_or_reported(app, wired):
    po_id, ref = _bolt_order(app, wired)
    wired.sim.control("catalog", {"code": "SAW-HAND", "description": "Hand saw 22in", "unit_cost": "11.5",
                                  "list_price": "19.9"})
    wired.sim.control(f"orders/{ref}/lines", {"item_code": "SAW-HAND", "qty": "4", "unit_price": "11.5"})
    wired.sim.control(f"orders/{ref}/lines", {"item_code": "NW-MYSTERY", "description": "Mystery part",
                                              "qty": "1", "unit_price": "3"})
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == "SAW-HAND"))
        assert item is not None and item.description == "Hand saw 22in" and item.default_vendor_id == wired.vendor_id
        lines = po_lines(po_id)
        assert lines["SAW-HAND"][:2] == (D("4"), D("11.5"))
        assert "NW-MYSTERY" not in lines and count(Item, Item.code == "NW-MYSTERY") == 0
        note = db.session.scalar(sa.select(SyncNotification).where(SyncNotification.kind == "unknown_item"))
        assert note.item_code == "NW-MYSTERY" and "NW-MYSTERY" in note.message and note.po_id == po_id


def test_an_order_placed_directly_with_the_supplier_appears_as_a_po(app, wired):
    order = wired.sim.control("orders", {"lines": [
        {"line_ref": "A", "item_code": "NW-L8", "qty": "3", "unit_price": "44.5", "required_date": "2027-01-10"},
        {"line_ref": "B", "item_code": "GLOVES", "qty": "20", "unit_price": "2"},
    ]})
    with app.app_context():
        state = db.session.scalar(sa.select(PoSync).where(PoSync.supplier_ref == order["order_ref"]))
        assert state is not None and state.created_by_sync
        po_id = state.po_id
        po = db.session.get(PurchaseOrder, po_id)
        assert po.vendor_id == wired.vendor_id and order["order_ref"] in po.comment
        assert po_lines(po.id) == {"LADDER-8": (D("3"), D("44.5"), date(2027, 1, 10)),
                                   "GLOVES": (D("20"), D("2"), None)}
        assert count(SyncNotification, SyncNotification.kind == "direct_order") == 1
    # the next change to it is applied to that PO, not to a new one
    wired.sim.control(f"orders/{order['order_ref']}/lines/B", {"qty": "25"})
    with app.app_context():
        assert count(PoSync) == 1
        assert po_lines(po_id)["GLOVES"][0] == D("25")


def test_notifications_are_ignored_while_auto_sync_is_off_for_the_po(app, wired):
    from plugins.supplier_sync import services

    po_id, ref = _bolt_order(app, wired)
    with app.app_context():
        services.set_po_auto_sync(po_id, False)
        db.session.commit()
    wired.sim.control(f"orders/{ref}/lines/1", {"qty": "10"})
    with app.app_context():
        assert po_lines(po_id)["BOLT-10"][0] == D("100")


def test_sending_a_po_submits_it_to_the_supplier_and_links_the_order(app, wired, client):
    with app.app_context():
        po_id, number = make_po([("BOLT-10", 30, "4.20"), ("LADDER-8", 2, "45")], send=False)
    client.login("purchasing")
    assert client.post(f"/purchase-orders/{po_id}/send").status_code == 302
    state = wired.sim.control("state", method="GET")
    order = next(o for o in state["orders"] if o["buyer_po_number"] == number)
    assert [(ln["line_ref"], ln["item_code"], ln["qty"]) for ln in order["lines"]] == [
        ("1", "NW-B10", "30"), ("2", "NW-L8", "2")]
    with app.app_context():
        assert db.session.get(PoSync, po_id).supplier_ref == order["order_ref"]
    wired.sim.control(f"orders/{order['order_ref']}/lines/2", {"qty": "1", "status": "back_ordered"})
    with app.app_context():
        assert po_lines(po_id)["LADDER-8"][0] == D("1")
