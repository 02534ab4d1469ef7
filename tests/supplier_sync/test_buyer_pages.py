"""What the buyer sees and may do: read-only synced fields (server-side), Refresh, auto-sync
switches on the vendor and the PO, the syncing notifications page, the panel, connections."""

from __future__ import annotations

from decimal import Decimal as D

import sqlalchemy as sa

from core.db import db
from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderLine
from plugins.supplier_sync import sync
from plugins.supplier_sync.models import PoSync, SupplierConnection, SyncNotification

from .conftest import SECRET
from .helpers import count, make_po, po_lines


def _linked(app, wired, lines=(("BOLT-10", 100, "4.20"), ("GLOVES", 50, "2.10"))):
    with app.app_context():
        po_id, number = make_po(list(lines))
    ref = wired.sim.control("orders", {"buyer_po_number": number, "lines": [
        {"line_ref": str(n), "item_code": code, "qty": str(q), "unit_price": cost}
        for n, (code, q, cost) in enumerate(lines, start=1)]})["order_ref"]
    return po_id, number, ref


def _tag(page: str, name: str) -> str:
    """The whole ``<input …>`` tag of the field called ``name``."""
    before, after = page.split(f'name="{name}"', 1)
    return before[before.rindex("<"):] + after.split(">", 1)[0]


def _edit_form(app, po_id, **changes):
    with app.app_context():
        po = db.session.get(PurchaseOrder, po_id)
        data = {"vendor_id": str(po.vendor_id), "order_type": "S", "order_date": po.order_date.isoformat(),
                "required_date": "", "warehouse_id": str(po.warehouse_id or ""), "customer_id": "",
                "ship_to_address": po.ship_to_address, "ship_via": "", "fob": "", "confirm_to": "", "email": "",
                "comment": "", "line_reason_code": "", "ss_auto_sync": "y"}  # the PO's Auto-sync box, ticked
        for i, ln in enumerate(po.lines):
            data.update({f"lines-{i}-id": str(ln.id), f"lines-{i}-item": ln.item.code,
                         f"lines-{i}-qty_ordered": f"{ln.qty_ordered.normalize():f}",
                         f"lines-{i}-unit_cost": f"{ln.unit_cost.normalize():f}",
                         f"lines-{i}-required_date": ln.required_date.isoformat() if ln.required_date else "",
                         f"lines-{i}-description": ln.description, f"lines-{i}-vendor_item_code": ln.vendor_item_code,
                         f"lines-{i}-line_status_id": ""})
    data.update(changes)
    return data


def test_fields_written_by_the_sync_are_refused_by_the_server_the_others_stay_editable(app, wired, client):
    po_id, _number, _ref = _linked(app, wired)
    client.login("purchasing")
    for field, value in (("lines-0-qty_ordered", "999"), ("lines-1-unit_cost", "1.11"),
                         ("lines-0-required_date", "2027-02-02")):
        resp = client.post(f"/purchase-orders/{po_id}/edit", data=_edit_form(app, po_id, **{field: value}))
        assert resp.status_code == 422, field
        page = resp.get_data(as_text=True)
        cell = page.split(f'name="{field}"')[1].split("</td>")[0]
        assert "set by the supplier sync and cannot be changed" in cell  # beside the field, not at the top
        assert 'role="alert"' not in page and "failed in on_purchase_order_saved" not in page
    # deleting a synced line is refused too
    data = {k: v for k, v in _edit_form(app, po_id).items() if not k.startswith("lines-1-")}
    assert client.post(f"/purchase-orders/{po_id}/edit", data=data).status_code == 422
    with app.app_context():
        assert po_lines(po_id) == {"BOLT-10": (D("100"), D("4.2"), None), "GLOVES": (D("50"), D("2.1"), None)}
    # a field the sync does not write stays editable
    resp = client.post(f"/purchase-orders/{po_id}/edit", data=_edit_form(app, po_id, comment="call first",
                                                                            **{"lines-0-description": "Bolts"}))
    assert resp.status_code == 302
    with app.app_context():
        po = db.session.get(PurchaseOrder, po_id)
        assert po.comment == "call first" and po.lines[0].description == "Bolts"
    # with auto-sync off for the PO (its form's box unticked) the buyer may change them again
    resp = client.post(f"/purchase-orders/{po_id}/edit", data=_edit_form(app, po_id, ss_auto_sync=""))
    assert resp.status_code == 302, resp.get_data(as_text=True)[-3000:]
    with app.app_context():
        assert db.session.get(PoSync, po_id).auto_sync is False
    resp = client.post(f"/purchase-orders/{po_id}/edit", data=_edit_form(app, po_id, ss_auto_sync="",
                                                                            **{"lines-0-qty_ordered": "7"}))
    assert resp.status_code == 302
    with app.app_context():
        assert po_lines(po_id)["BOLT-10"][0] == D("7")


def test_refresh_pulls_now_and_shows_the_new_time(app, wired, client):
    po_id, _number, ref = _linked(app, wired)
    wired.sim.sim.auto_notify = False  # a notification that never arrives
    wired.sim.control(f"orders/{ref}/lines/1", {"qty": "75"})
    with app.app_context():
        before = db.session.get(PoSync, po_id).last_synced_at
        assert po_lines(po_id)["BOLT-10"][0] == D("100")
    client.login("purchasing")
    page = client.get(f"/purchase-orders/{po_id}").get_data(as_text=True)
    assert "Refresh from supplier" in page
    resp = client.post(f"/supplier-sync/po/{po_id}/refresh", follow_redirects=True)
    assert resp.status_code == 200
    with app.app_context():
        after = db.session.get(PoSync, po_id).last_synced_at
        assert after > before and po_lines(po_id)["BOLT-10"][0] == D("75")
    assert after.strftime("%Y-%m-%d %H:%M") in resp.get_data(as_text=True)


def test_reconciliation_catches_a_lost_notification(app, wired):
    po_id, _number, ref = _linked(app, wired)
    wired.sim.sim.auto_notify = False
    wired.sim.control(f"orders/{ref}/lines/2", {"qty": "45"})
    with app.app_context():
        assert sync.reconcile(wired.vendor_id) == {ref: "applied"}
        assert po_lines(po_id)["GLOVES"][0] == D("45")
        # nothing changed since: the next reconciliation pulls nothing new
        assert sync.reconcile(wired.vendor_id) in ({}, {ref: "skipped"})


def test_the_last_sync_is_red_when_older_than_the_last_notification(app, wired, client):
    po_id, _number, ref = _linked(app, wired)
    client.login("purchasing")
    page = client.get(f"/purchase-orders/{po_id}").get_data(as_text=True)
    assert 'id="ss-last-synced" title=' in page  # not red: synced after the last notification
    wired.sim.control("fail", {"mode": "500", "count": 1})
    wired.sim.control(f"orders/{ref}/lines/1", {"qty": "10"})
    with app.app_context():
        state = db.session.get(PoSync, po_id)
        sent = state.last_notification_at
        assert state.last_synced_at < state.last_notification_received_at
    page = client.get(f"/purchase-orders/{po_id}").get_data(as_text=True)
    assert 'class="error ss-stale"' in page
    assert f"The supplier's last update notification was sent {sent:%Y-%m-%d %H:%M} UTC" in page
    assert "HTTP 500" in page  # the last error is shown


def test_vendor_form_offers_auto_sync_only_with_a_connection_and_can_switch_open_pos(app, wired, client):
    with app.app_context():
        po_id, _ = make_po([("BOLT-10", 5, "4.2")])
        other_vendor = db.session.scalar(sa.select(PurchaseOrder.vendor_id).where(PurchaseOrder.id == po_id))
        conn = db.session.get(SupplierConnection, wired.vendor_id)
        conn.auto_sync = False
        db.session.commit()
    client.login("purchasing")
    page = client.get(f"/partners/{wired.vendor_id}").get_data(as_text=True)
    assert "Auto-sync purchase orders" in page and "open purchase orders" in page
    with app.app_context():
        from core.models import Partner

        gx = db.session.scalar(sa.select(Partner.id).where(Partner.number == "V2001"))
        vendor = db.session.get(Partner, wired.vendor_id)
        form = {"number": vendor.number, "name": vendor.name, "is_vendor": "y", "active": "y",
                "credit_limit": "0", "terms_days": "30", "current_balance": "0", "credit_status": "0",
                "ss_auto_sync": "y", "ss_open_pos": "y"}
    assert "Auto-sync purchase orders" not in client.get(f"/partners/{gx}").get_data(as_text=True)
    assert client.post(f"/partners/{wired.vendor_id}", data=form).status_code == 302
    with app.app_context():
        assert db.session.get(SupplierConnection, wired.vendor_id).auto_sync is True
        assert other_vendor == wired.vendor_id and db.session.get(PoSync, po_id).auto_sync is True
        # a new PO of this vendor defaults to auto-sync (through on_purchase_order_saved)
    form_po = {"vendor_id": str(wired.vendor_id), "order_type": "S", "order_date": "2026-11-30",
               "required_date": "", "warehouse_id": "", "customer_id": "", "ship_to_address": "", "ship_via": "",
               "fob": "", "confirm_to": "", "email": "", "comment": "",
               "lines-0-id": "", "lines-0-item": "BOLT-10", "lines-0-qty_ordered": "3", "lines-0-unit_cost": "",
               "lines-0-description": "", "lines-0-vendor_item_code": "", "lines-0-required_date": "",
               "lines-0-line_status_id": "", "ss_auto_sync": "y"}
    assert client.post("/purchase-orders/new", data=form_po).status_code == 302
    with app.app_context():
        new_id = db.session.scalar(sa.select(sa.func.max(PurchaseOrder.id)))
        assert db.session.get(PoSync, new_id).auto_sync is True


def test_syncing_notifications_page_filters_and_resolves(app, wired, client):
    po_id, number, ref = _linked(app, wired)
    wired.sim.control(f"orders/{ref}/lines/2/cancel")
    wired.sim.control(f"orders/{ref}/lines", {"item_code": "NW-NONE", "qty": "1", "unit_price": "1"})
    client.login("purchasing")
    page = client.get("/supplier-sync/notifications").get_data(as_text=True)
    assert "GLOVES" in page and "NW-NONE" in page and f"/purchase-orders/{po_id}" in page
    page = client.get("/supplier-sync/notifications?kind=unknown_item").get_data(as_text=True)
    assert "NW-NONE" in page and "cancelled line 2" not in page
    assert "NW-NONE" not in client.get("/supplier-sync/notifications?q=GLOVES").get_data(as_text=True)
    for bad in ("?vendor=²", "?vendor=99999999999999999999", "?state=zzz", "?kind=nope"):
        assert client.get("/supplier-sync/notifications" + bad).status_code == 200
    for bad in ("?kind=%00", "?q=%00", "?q=a%00b"):  # refused by the host's request guard, or ignored
        assert client.get("/supplier-sync/notifications" + bad).status_code in (200, 400)
    with app.app_context():
        note_id = db.session.scalar(sa.select(SyncNotification.id).where(SyncNotification.kind == "unknown_item"))
    assert client.post(f"/supplier-sync/notifications/{note_id}/resolve").status_code == 302
    assert "NW-NONE" not in client.get("/supplier-sync/notifications").get_data(as_text=True)
    assert "NW-NONE" in client.get("/supplier-sync/notifications?state=resolved").get_data(as_text=True)
    assert client.post("/supplier-sync/notifications/99999/resolve").status_code == 404
    client.logout()
    client.login("readonly")
    assert client.post(f"/supplier-sync/notifications/{note_id}/resolve").status_code == 403


def test_administrators_set_the_connection_never_a_notification(app, wired, client):
    client.login("purchasing")
    assert client.get(f"/supplier-sync/vendors/{wired.vendor_id}").status_code == 403
    client.logout()
    client.login("admin")
    page = client.get(f"/supplier-sync/vendors/{wired.vendor_id}").get_data(as_text=True)
    assert f"/supplier-sync/webhook/{wired.vendor_id}" in page
    form = {"connector": "http_json", "base_url": "file:///etc/passwd", "api_key": "k", "webhook_secret": SECRET,
            "previous_webhook_secret": "", "timeout_seconds": "5"}
    resp = client.post(f"/supplier-sync/vendors/{wired.vendor_id}", data=form)
    assert resp.status_code == 422 and "http://" in resp.get_data(as_text=True)
    form.update(base_url=wired.sim.url + "/", webhook_secret="short")
    assert client.post(f"/supplier-sync/vendors/{wired.vendor_id}", data=form).status_code == 422
    form.update(webhook_secret=SECRET, timeout_seconds="2.5")
    assert client.post(f"/supplier-sync/vendors/{wired.vendor_id}", data=form).status_code == 302
    with app.app_context():
        conn = db.session.get(SupplierConnection, wired.vendor_id)
        assert conn.timeout_seconds == D("2.5") and conn.base_url == wired.sim.url + "/"


def test_an_order_reference_cannot_steer_the_connector_elsewhere(app, wired):
    """The reference is quoted into one path segment under the configured base URL (no SSRF)."""
    from plugins.supplier_sync.connectors import REFERENCE

    with app.app_context():
        conn = db.session.get(SupplierConnection, wired.vendor_id)
        url = REFERENCE._url(conn, "api", "orders", "../../admin?x=http://evil.example/")
    assert url.startswith(wired.sim.url + "/api/orders/")
    assert "/" not in url[len(wired.sim.url + "/api/orders/"):] and "?" not in url


def test_open_notifications_show_a_notice_on_the_po(app, wired, client):
    po_id, _number, ref = _linked(app, wired)
    client.login("purchasing")
    assert 'id="ss-notice"' not in client.get(f"/purchase-orders/{po_id}").get_data(as_text=True)
    wired.sim.control(f"orders/{ref}/lines", {"item_code": "NW-NONE", "qty": "1", "unit_price": "1"})
    assert 'id="ss-notice"' in client.get(f"/purchase-orders/{po_id}").get_data(as_text=True)
    with app.app_context():
        assert count(PurchaseOrderLine, PurchaseOrderLine.po_id == po_id) == 2


def test_the_po_form_greys_synced_fields_and_notes_why(app, wired, client):
    po_id, _number, ref = _linked(app, wired)
    client.login("purchasing")
    page = client.get(f"/purchase-orders/{po_id}/edit").get_data(as_text=True)
    for name in ("lines-0-qty_ordered", "lines-0-unit_cost", "lines-1-required_date"):
        tag = page.split(f'name="{name}"')[1].split(">")[0]
        assert "readonly" in tag and "read-only" in tag and ref in tag, name  # greyed, with the note on hover
    for name in ("lines-0-description", "lines-0-vendor_item_code"):
        assert "readonly" not in page.split(f'name="{name}"')[1].split(">")[0], name
    assert 'id="read-only-note"' in page and "Set by the supplier sync" in page
    assert "checked" in _tag(page, "ss_auto_sync")
    # auto-sync off for this PO: the fields are editable again
    client.post(f"/purchase-orders/{po_id}/edit", data=_edit_form(app, po_id, ss_auto_sync=""))
    page = client.get(f"/purchase-orders/{po_id}/edit").get_data(as_text=True)
    assert "readonly" not in page.split('name="lines-0-qty_ordered"')[1].split(">")[0]


def test_the_po_form_auto_sync_box_defaults_from_the_vendor_and_can_be_unticked(app, wired, client):
    """Only for vendors with a connection; new POs of an auto-sync vendor default to it; unticked
    keeps a PO out; ticked cannot turn it on for a vendor with auto-sync off."""
    from core.models import Partner

    client.login("purchasing")
    page = client.get("/purchase-orders/new").get_data(as_text=True)
    assert "checked" in _tag(page, "ss_auto_sync")

    def new_po(vendor_id, **extra):
        data = {"vendor_id": str(vendor_id), "order_type": "S", "order_date": "2026-11-30", "lines-0-id": "",
                "lines-0-item": "BOLT-10", "lines-0-qty_ordered": "3", **extra}
        assert client.post("/purchase-orders/new", data=data).status_code == 302
        with app.app_context():
            new_id = db.session.scalar(sa.select(sa.func.max(PurchaseOrder.id)))
            state = db.session.get(PoSync, new_id)
            return new_id, (state.auto_sync if state else None)

    assert new_po(wired.vendor_id, ss_auto_sync="y")[1] is True
    assert new_po(wired.vendor_id)[1] is False  # unticked for this PO
    with app.app_context():
        other = db.session.scalar(sa.select(Partner.id).where(Partner.is_vendor, Partner.id != wired.vendor_id))
    other_po, state = new_po(other, ss_auto_sync="y")
    assert state is None  # no connection: nothing to sync
    assert 'name="ss_auto_sync"' not in client.get(f"/purchase-orders/{other_po}/edit").get_data(as_text=True)
    with app.app_context():
        db.session.get(SupplierConnection, wired.vendor_id).auto_sync = False
        db.session.commit()
    assert new_po(wired.vendor_id, ss_auto_sync="y")[1] is False  # the vendor's Auto-sync is off



def test_the_connections_page_lists_vendors_a_page_at_a_time_and_finds_them_by_number(app, demo, client):
    from core.models import Partner

    with app.app_context():
        vendors = db.session.scalars(sa.select(Partner).where(Partner.is_vendor).order_by(Partner.number)).all()
        db.session.add(SupplierConnection(vendor_id=vendors[0].id, base_url="http://127.0.0.1:9/", auto_sync=True))
        numbers = [v.number for v in vendors]
        db.session.commit()
    assert len(numbers) >= 3
    app.config["PAGE_SIZE"] = 2
    client.login("admin")
    page = client.get("/supplier-sync/vendors").get_data(as_text=True)
    shown = [n for n in numbers if f">{n} " in page]
    assert shown == numbers[:2] and f"page 1 of {-(-len(numbers) // 2)}" in page and "http://127.0.0.1:9/" in page
    found = client.get(f"/supplier-sync/vendors?q={numbers[1].lower()}").get_data(as_text=True)
    assert [n for n in numbers if f">{n} " in found] == [numbers[1]]
    assert "No vendors." in client.get("/supplier-sync/vendors?q=nobody").get_data(as_text=True)
