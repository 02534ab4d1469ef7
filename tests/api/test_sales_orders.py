"""Sales orders through the API: the order form's rules, words and field paths."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from core.db import db

PROBLEM = "application/problem+json"


def _ids(app):
    from core.models import Item, Partner, Warehouse

    with app.app_context():
        customer = db.session.scalar(sa.select(Partner.id).where(Partner.is_customer).order_by(Partner.id))
        warehouse = db.session.scalar(sa.select(Warehouse.id).order_by(Warehouse.id))
        items = db.session.scalars(sa.select(Item.id).where(Item.supply_method == "stock", Item.active)
                                   .order_by(Item.id)).all()
    return customer, warehouse, items


def order_body(app, n_lines=2, qty="2"):
    customer, warehouse, items = _ids(app)
    return {"customer_id": customer, "warehouse_id": warehouse,
            "lines": [{"item_id": items[i % len(items)], "qty_ordered": qty} for i in range(n_lines)]}


def test_create_read_update_cancel(app, demo, api):
    sales = api("sales")
    resp = sales.post("/api/v1/sales-orders", json=order_body(app))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    order = resp.get_json()["order"]
    assert resp.headers["Location"].endswith(f"/api/v1/sales-orders/{order['id']}")
    assert len(order["lines"]) == 2 and Decimal(order["lines"][0]["qty_ordered"]) == 2
    got = sales.get(f"/api/v1/sales-orders/{order['id']}").get_json()
    assert got["number"] == order["number"] and [ln["id"] for ln in got["lines"]] == [ln["id"] for ln in order["lines"]]
    body = order_body(app)
    body["lines"] = [{"id": order["lines"][0]["id"], "item_id": order["lines"][0]["item_id"], "qty_ordered": 5}]
    resp = sales.put(f"/api/v1/sales-orders/{order['id']}", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    changed = resp.get_json()["order"]
    assert len(changed["lines"]) == 1 and changed["lines"][0]["qty_ordered"].startswith("5")
    resp = sales.post(f"/api/v1/sales-orders/{order['id']}/cancel")
    assert resp.status_code == 200 and resp.get_json()["status_label"].lower().startswith("cancel")
    again = sales.post(f"/api/v1/sales-orders/{order['id']}/cancel")
    assert again.status_code == 422 and again.mimetype == PROBLEM
    assert "cannot be cancelled" in again.get_json()["detail"]


def test_roles(app, demo, api):
    body = order_body(app)
    for role, code in (("readonly", 403), ("purchasing", 403), ("sales", 201), ("admin", 201)):
        resp = api(role).post("/api/v1/sales-orders", json=body)
        assert resp.status_code == code, (role, resp.get_data(as_text=True))
    assert api("readonly").get("/api/v1/sales-orders").status_code == 200


def test_validation_errors_name_the_field_path_in_the_forms_words(app, demo, api):
    from plugins.sales_order.views import _form_input  # noqa: F401 - the form's path to the same service

    body = order_body(app, n_lines=3)
    body["lines"][2]["qty_ordered"] = "123456789012345"  # more than the column holds
    body["lines"][1]["qty_ordered"] = "0"
    body["lines"][0]["item_id"] = 2**40  # no such record anywhere
    body["customer_id"] = 999999
    resp = api("sales").post("/api/v1/sales-orders", json=body)
    assert resp.status_code == 422 and resp.mimetype == PROBLEM
    errors = {e["field"]: e["message"] for e in resp.get_json()["errors"]}
    assert errors["customer_id"] == "Choose a customer."
    assert errors["lines/0/item_id"] == "Choose an item."
    assert errors["lines/1/qty_ordered"] == "The quantity cannot be zero."
    assert errors["lines/2/qty_ordered"].startswith("Enter a number of at most ")
    # text that is no number at all is refused by the schema, in core.parsing's words
    body["lines"][2]["qty_ordered"] = "twelve"
    errors = {e["field"]: e["message"] for e in api("sales").post("/api/v1/sales-orders", json=body).get_json()["errors"]}
    assert errors == {"lines/2/qty_ordered": "Enter a number like 12 or 12.50."}


def test_hostile_input_is_422_never_500(app, demo, api):
    sales = api("sales")
    body = order_body(app)
    cases = [
        ({**body, "notes": "a\x00b"}, "notes"),
        ({**body, "lines": [{**body["lines"][0], "qty_ordered": "１２"}]}, "lines/0/qty_ordered"),
        ({**body, "lines": [{**body["lines"][0], "qty_ordered": 10**30}]}, "lines/0/qty_ordered"),
        ({**body, "lines": [{**body["lines"][0], "qty_ordered": "NaN"}]}, "lines/0/qty_ordered"),
        ({**body, "customer_po_number": "x" * 41}, "customer_po_number"),
        ({**body, "order_date": "2026-02-30"}, "order_date"),
        ({**body, "lines": [body["lines"][0]] * 501}, "lines"),
        ({**body, "email": "not-an-address"}, "email"),
    ]
    for payload, field in cases:
        resp = sales.post("/api/v1/sales-orders", json=payload)
        assert resp.status_code == 422, (field, resp.status_code, resp.get_data(as_text=True)[:300])
        assert field in {e["field"] for e in resp.get_json()["errors"]}, (field, resp.get_json())
    assert sales.post("/api/v1/sales-orders", data="[" * 100000, content_type="application/json").status_code == 400
    assert sales.post("/api/v1/sales-orders", data="x=1").status_code == 415
    assert sales.get("/api/v1/sales-orders/99999999999").status_code == 404
    assert sales.get("/api/v1/sales-orders?customer=%00").status_code == 422
    assert sales.get("/api/v1/sales-orders?limit=201").status_code == 422
    assert sales.get("/api/v1/sales-orders?page=²").status_code == 422


def test_ship_and_unknown_line(app, demo, api):
    sales = api("sales")
    order = sales.post("/api/v1/sales-orders", json=order_body(app, n_lines=1, qty="1")).get_json()["order"]
    line = order["lines"][0]
    resp = sales.post(f"/api/v1/sales-orders/{order['id']}/ship", json={"lines": [{"line_id": 999999, "qty": 1}]})
    assert resp.status_code == 422 and resp.get_json()["errors"][0]["field"] == "lines/0/line_id"
    if line["qty_to_ship"] in ("0", "0.0000") or float(line["qty_to_ship"]) == 0:
        return  # not in stock in the demo: nothing to ship (covered by the round trip)
    resp = sales.post(f"/api/v1/sales-orders/{order['id']}/ship",
                      json={"lines": [{"line_id": line["id"], "qty": "1000"}]})
    assert resp.status_code == 422 and resp.get_json()["errors"][0]["field"] == "lines/0/qty"
    assert resp.get_json()["errors"][0]["message"].startswith("At most")
    resp = sales.post(f"/api/v1/sales-orders/{order['id']}/ship",
                      json={"lines": [{"line_id": line["id"], "qty": line["qty_to_ship"]}]})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.get_json()["invoice_number"]


def test_list_filters_and_constant_queries(app, demo, api, count_queries):
    sales = api("sales")
    body = order_body(app, n_lines=3)
    for _ in range(12):
        assert sales.post("/api/v1/sales-orders", json=body).status_code == 201
    sales.get("/api/v1/sales-orders?limit=1")  # per-process caches warm (enabled modules)
    with count_queries() as few:
        r5 = sales.get("/api/v1/sales-orders?limit=5")
    with count_queries() as many:
        r12 = sales.get("/api/v1/sales-orders?limit=50")
    assert len(r5.get_json()["items"]) == 5 and len(r12.get_json()["items"]) == 12
    assert r5.get_json()["next_page"] == 2 and r12.get_json()["next_page"] is None
    assert few.count == many.count, ([s[:60] for s in few.statements], [s[:60] for s in many.statements])
    first = r12.get_json()["items"]
    paged = [o["id"] for p in (1, 2, 3) for o in sales.get(f"/api/v1/sales-orders?limit=5&page={p}").get_json()["items"]]
    assert paged == [o["id"] for o in first]  # stable order across pages
    one = first[0]["number"]
    assert [o["number"] for o in sales.get(f"/api/v1/sales-orders?q={one}").get_json()["items"]] == [one]


def test_the_answer_is_read_back_after_the_commit(app, demo, api, monkeypatch):
    """A write without an Idempotency-Key commits before its answer is built, so its row locks
    (the order number's counter, stock rows) are not held while the JSON is made; with a key,
    the stored answer commits together with the order."""
    import plugins.sales_order.api as so_api

    commits: list[int] = []
    seen: list[int] = []
    read_back = so_api._load

    def count(session):
        if not session.in_nested_transaction():  # a savepoint released is no commit
            commits.append(1)

    def load_after(order_id):
        seen.append(len(commits))  # how many commits the request made before reading back
        return read_back(order_id)

    monkeypatch.setattr(so_api, "_load", load_after)
    sales = api("sales")
    sa.event.listen(sa.orm.Session, "after_commit", count)
    try:
        for headers in ({}, {"Idempotency-Key": "k-1"}):
            commits.clear()
            assert sales.post("/api/v1/sales-orders", json=order_body(app), headers=headers).status_code == 201
            assert len(commits) >= 1  # and the request committed in the end, either way
    finally:
        sa.event.remove(sa.orm.Session, "after_commit", count)
    assert seen == [1, 0]
