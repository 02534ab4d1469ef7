"""Round trip through the API: SO with lines -> its POs -> receipt, then the same figures on the pages."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from core.db import db


def _id(app, model, **where):
    with app.app_context():
        return db.session.scalar(sa.select(model.id).filter_by(**where))


def test_so_to_pos_to_receipt_matches_the_web_pages(app, demo, api, client_for):
    from core.models import Item, Partner, Warehouse

    customer = db_customer = _id(app, Partner, is_customer=True)
    assert db_customer
    body = {"customer_id": customer, "warehouse_id": _id(app, Warehouse, code="MAIN"),
            "lines": [{"item_id": _id(app, Item, code="SAW-TABLE"), "qty_ordered": "3", "unit_price": "480"},
                      {"item_id": _id(app, Item, code="LADDER-8"), "qty_ordered": 4}]}
    so = api("sales").post("/api/v1/sales-orders", json=body)
    assert so.status_code == 201, so.get_data(as_text=True)
    so = so.get_json()["order"]
    buyer = api("purchasing")
    preview = buyer.post(f"/api/v1/po-generation/orders/{so['id']}/preview", json={})
    assert preview.status_code == 200, preview.get_data(as_text=True)
    drafts = preview.get_json()["drafts"]
    assert sorted(d["vendor_number"] for d in drafts) and sum(len(d["lines"]) for d in drafts) == 2
    assert buyer.get("/api/v1/purchase-orders").get_json()["items"] == []  # a preview writes nothing
    result = buyer.post(f"/api/v1/po-generation/orders/{so['id']}/generate", json={})
    assert result.status_code == 200, result.get_data(as_text=True)
    po_ids = result.get_json()["po_ids"]
    assert len(po_ids) == 2 and result.get_json()["lines"] == 2
    again = buyer.post(f"/api/v1/po-generation/orders/{so['id']}/generate", json={}).get_json()
    assert again["created"] == 0  # generating twice orders nothing more
    saw_po = next(p for p in (buyer.get(f"/api/v1/purchase-orders/{i}").get_json() for i in po_ids)
                  if p["lines"][0]["item_code"] == "SAW-TABLE")
    line = saw_po["lines"][0]
    assert Decimal(line["qty_ordered"]) == 3 and line["origin_label"] == f"SO {so['number']} line 1"
    assert buyer.post(f"/api/v1/purchase-orders/{saw_po['id']}/send").get_json()["status"] == "sent"
    receipt = buyer.post(f"/api/v1/purchase-orders/{saw_po['id']}/receipts",
                         json={"lines": [{"line_id": line["id"], "qty": "2"}], "comment": "first delivery"})
    assert receipt.status_code == 201, receipt.get_data(as_text=True)
    rec = receipt.get_json()
    assert Decimal(rec["total_qty"]) == 2 and Decimal(rec["total_amount"]) == Decimal("620.00")
    assert buyer.get(f"/api/v1/receipts/{rec['id']}").get_json()["number"] == rec["number"]
    po_after = buyer.get(f"/api/v1/purchase-orders/{saw_po['id']}").get_json()
    assert po_after["status"] == "partial" and Decimal(po_after["lines"][0]["qty_received"]) == 2
    # the same figures on the web pages
    web = client_for("purchasing")
    po_page = web.get(f"/purchase-orders/{saw_po['id']}").get_data(as_text=True)
    assert saw_po["number"] in po_page and rec["number"] in po_page and "SAW-TABLE" in po_page
    receipt_page = web.get(f"/receipts/{rec['id']}").get_data(as_text=True)
    assert "620.00" in receipt_page and saw_po["number"] in receipt_page
    so_page = web.get(f"/sales-orders/{so['id']}").get_data(as_text=True)
    assert so["number"] in so_page and saw_po["number"] in so_page  # po_generation's panel links the PO
    assert f"{Decimal(so['total']):,.2f}" in so_page
    # a return through the API, read back
    ret = buyer.post(f"/api/v1/purchase-orders/{saw_po['id']}/returns",
                     json={"lines": [{"line_id": line["id"], "qty": "5"}]})
    assert ret.status_code == 422 and ret.get_json()["errors"][0]["field"] == "lines/0/qty"
    ret = buyer.post(f"/api/v1/purchase-orders/{saw_po['id']}/returns",
                     json={"lines": [{"line_id": line["id"], "qty": "1"}]})
    assert ret.status_code == 201 and Decimal(ret.get_json()["total_qty"]) == 1
    assert buyer.get(f"/api/v1/returns/{ret.get_json()['id']}").status_code == 200


def test_purchase_order_entry_rules_and_roles(app, demo, api):
    from core.models import Item, Partner

    vendor = _id(app, Partner, number="V2000") or _id(app, Partner, is_vendor=True)
    item = _id(app, Item, code="BOLT-10")
    body = {"vendor_id": vendor, "lines": [{"item_id": item, "qty_ordered": "10", "unit_cost": "4.2"}]}
    assert api("sales").post("/api/v1/purchase-orders", json=body).status_code == 403
    resp = api("purchasing").post("/api/v1/purchase-orders", json=body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    po = resp.get_json()
    bad = {**body, "lines": [{"item_id": item, "qty_ordered": "1.123456789", "unit_cost": "-1"}]}
    resp = api("purchasing").put(f"/api/v1/purchase-orders/{po['id']}", json=bad)
    errors = {e["field"]: e["message"] for e in resp.get_json()["errors"]}
    assert resp.status_code == 422 and set(errors) == {"lines/0/qty_ordered", "lines/0/unit_cost"}
    assert errors["lines/0/unit_cost"] == "The unit cost cannot be negative."
    keep = {**body, "lines": [{"id": po["lines"][0]["id"], "item_id": item, "qty_ordered": "12"}]}
    resp = api("purchasing").put(f"/api/v1/purchase-orders/{po['id']}", json=keep)
    assert resp.status_code == 200 and Decimal(resp.get_json()["lines"][0]["qty_ordered"]) == 12
    resp = api("purchasing").post(f"/api/v1/purchase-orders/{po['id']}/cancel", json={})
    assert resp.status_code == 200 and resp.get_json()["status"] == "cancelled"
    listed = api("readonly").get("/api/v1/purchase-orders?status=cancelled").get_json()["items"]
    assert [p["id"] for p in listed] == [po["id"]]
