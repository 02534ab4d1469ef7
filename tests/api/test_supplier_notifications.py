"""``/api/v1/supplier-notifications`` and a PO's sync state: the supplier sync pages' reads and *Resolve*."""

from __future__ import annotations

import sqlalchemy as sa

from core.db import db
from core.models import Partner
from plugins.supplier_sync.models import LineSync, PoSync, SupplierConnection, SyncNotification
from tests.supplier_sync.helpers import make_po

URL = "/api/v1/supplier-notifications"


def _vendor(number: str = "V2000") -> int:
    return db.session.scalar(sa.select(Partner.id).where(Partner.number == number))


def _notes(app) -> tuple[int, int]:
    with app.app_context():
        vendor = _vendor()
        rows = [SyncNotification(vendor_id=vendor, kind="unknown_item", item_code="ZZ-9", po_number="100001",
                                 message="The supplier's item ZZ-9 is not in the item list."),
                SyncNotification(vendor_id=vendor, kind="sync_failed", message="The supplier did not answer.")]
        db.session.add_all(rows)
        db.session.commit()
        return rows[0].id, rows[1].id


def _ids(resp) -> list[int]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return [row["id"] for row in resp.get_json()["items"]]


def test_list_filters_read_and_resolve(app, demo, api):
    unknown, failed = _notes(app)
    reader = api("readonly")
    assert _ids(reader.get(URL)) == [failed, unknown]  # open ones, newest first
    assert _ids(reader.get(f"{URL}?kind=unknown_item")) == [unknown]
    assert _ids(reader.get(f"{URL}?q=zz-9")) == [unknown]
    with app.app_context():
        vendor = _vendor()
    assert _ids(reader.get(f"{URL}?vendor={vendor}&limit=1")) == [failed]
    assert reader.get(f"{URL}?kind=lost").status_code == 422
    one = reader.get(f"{URL}/{unknown}").get_json()
    assert one["kind_label"] == "Item not found" and one["vendor_number"] == "V2000" and one["resolved"] is False
    assert reader.get(f"{URL}/999999").status_code == 404
    for role in ("readonly", "sales"):
        denied = api(role).post(f"{URL}/{unknown}/resolve")
        assert denied.status_code == 403 and denied.mimetype == "application/problem+json"
    resolved = api("purchasing").post(f"{URL}/{unknown}/resolve")
    assert resolved.status_code == 200 and resolved.get_json()["resolved"] is True
    assert resolved.get_json()["resolved_at"] and resolved.get_json()["resolved_by_id"]
    assert _ids(reader.get(URL)) == [failed]
    assert _ids(reader.get(f"{URL}?state=resolved")) == [unknown]
    assert _ids(reader.get(f"{URL}?state=all")) == [failed, unknown]
    assert api("purchasing").post(f"{URL}/999999/resolve").status_code == 404


def test_a_purchase_orders_sync_state(app, demo, api):
    with app.app_context():
        po_id, _number = make_po([("BOLT-10", 5, "1.00")])
        unconnected, _ = make_po([("BOLT-10", 1, "1.00")], vendor="V2001")
        db.session.add(SupplierConnection(vendor_id=_vendor(), base_url="http://127.0.0.1:9", webhook_secret="x"))
        db.session.add(PoSync(po_id=po_id, vendor_id=_vendor(), supplier_ref="SUP-77", auto_sync=True))
        db.session.add(LineSync(po_id=po_id, line_ref="1", supplier_item_code="B10", qty=5, status="accepted",
                                synced_fields="qty_ordered,unit_cost"))
        db.session.add(SyncNotification(vendor_id=_vendor(), po_id=po_id, kind="rejected_line", message="No."))
        db.session.commit()
    state = api("readonly").get(f"/api/v1/supplier-sync/purchase-orders/{po_id}")
    assert state.status_code == 200, state.get_data(as_text=True)
    body = state.get_json()
    assert (body["po_id"], body["supplier_ref"], body["auto_sync"], body["stale"]) == (po_id, "SUP-77", True, False)
    assert [(ln["line_ref"], ln["synced_fields"]) for ln in body["lines"]] == [("1", ["qty_ordered", "unit_cost"])]
    assert [n["kind"] for n in body["open_notifications"]] == ["rejected_line"]
    assert api("readonly").get(f"/api/v1/supplier-sync/purchase-orders/{unconnected}").status_code == 404
    assert api("readonly").get("/api/v1/supplier-sync/purchase-orders/999999").status_code == 404


def test_the_webhook_stays_out_of_the_api(app, api):
    paths = api(None).get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/supplier-notifications" in paths and not [p for p in paths if "webhook" in p]


def test_switched_off_with_its_plugin(app, demo, api, answers_404_when_off):
    unknown, _ = _notes(app)
    answers_404_when_off("supplier_sync", "/api/v1/supplier-", [
        ("get", URL), ("get", f"{URL}/{unknown}"), ("post", f"{URL}/{unknown}/resolve"),
        ("get", "/api/v1/supplier-sync/purchase-orders/1")])
