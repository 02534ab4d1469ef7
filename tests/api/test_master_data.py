"""Partners, items, warehouses, stock and setup options through the API."""

from __future__ import annotations

from decimal import Decimal


def test_reads_with_filters(app, demo, api):
    ro = api("readonly")
    items = ro.get("/api/v1/items?supply_method=buy_to_order").get_json()["items"]
    assert {i["code"] for i in items} == {"SAW-TABLE", "LADDER-8"}
    one = ro.get(f"/api/v1/items/{items[0]['id']}").get_json()
    assert one["code"] == items[0]["code"] and Decimal(one["list_price"]) > 0
    assert [w["code"] for w in ro.get("/api/v1/warehouses").get_json()["items"]] == ["EAST", "MAIN"]
    assert ro.get("/api/v1/partners/99999").status_code == 404
    assert ro.get("/api/v1/stock?q=BOLT").status_code == 200


def test_stock_adjustment_same_roles_and_rules_as_the_stock_page(app, demo, api):
    wh = api("readonly").get("/api/v1/warehouses").get_json()["items"][0]["id"]
    body = {"item_code": "BOLT-10", "warehouse_id": wh, "on_hand": "25"}
    assert api("sales").post("/api/v1/stock/adjustments", json=body).status_code == 403
    resp = api("purchasing").post("/api/v1/stock/adjustments", json=body)
    assert resp.status_code == 200 and Decimal(resp.get_json()["on_hand"]) == 25
    bad = api("admin").post("/api/v1/stock/adjustments", json={**body, "on_hand": "-1", "item_code": "NOPE"})
    errors = {e["field"]: e["message"] for e in bad.get_json()["errors"]}
    assert bad.status_code == 422 and errors == {"on_hand": "Enter a number of at least 0."}
    bad = api("admin").post("/api/v1/stock/adjustments", json={**body, "item_code": "NOPE"})
    assert bad.get_json()["errors"] == [{"field": "item_code", "message": "No item with this code."}]


def test_options_read_for_all_write_for_administrators(app, api):
    listed = api("readonly").get("/api/v1/options").get_json()
    assert "sales_order" in {p["plugin"] for p in listed}
    assert api("sales").patch("/api/v1/options/core", json={"values": {"company_name": "A"}}).status_code == 403
    resp = api("admin").patch("/api/v1/options/sales_order", json={"values": {"scheduled_days": -5, "nope": 1}})
    assert resp.status_code == 422
    fields = {e["field"] for e in resp.get_json()["errors"]}
    assert fields == {"values/scheduled_days", "values/nope"}
    resp = api("admin").patch("/api/v1/options/core", json={"values": {"company_name": "Springfield Tools"}})
    assert resp.status_code == 200
    got = {o["key"]: o["value"] for o in api("readonly").get("/api/v1/options/core").get_json()["options"]}
    assert got["company_name"] == "Springfield Tools"
    assert api("readonly").get("/api/v1/options/nothing").status_code == 404
