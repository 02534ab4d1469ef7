"""``/api/v1/back-orders``: back-order links, the lines no PO covers, assigning one by hand."""

from __future__ import annotations

from decimal import Decimal

from tests.po_allocation.conftest import D

LINKS = "/api/v1/back-orders/links"


def test_links_list_filters_and_read(pa, api):
    po_id, (pl,) = pa.po([("BOLT-10", 10)])
    glove_po, _ = pa.po([("GLOVES", 10)])
    so_id = pa.so([("BOLT-10", 5)])  # allocated to the open PO line on save
    other = pa.so([("GLOVES", 3)])
    reader = api("readonly")
    page = reader.get(LINKS).get_json()
    assert [(r["so_id"], r["po_id"], Decimal(r["qty_open"])) for r in page["items"]] == [
        (so_id, po_id, D(5)), (other, glove_po, D(3))]
    link = page["items"][0]
    assert link["po_line_id"] == pl and link["item_code"] == "BOLT-10" and link["customer_number"] == "C1000"
    assert [r["so_id"] for r in reader.get(f"{LINKS}?sales_order={other}").get_json()["items"]] == [other]
    assert [r["po_id"] for r in reader.get(f"{LINKS}?purchase_order={po_id}").get_json()["items"]] == [po_id]
    item_id = pa.ids()["GLOVES"]
    assert [r["so_id"] for r in reader.get(f"{LINKS}?item={item_id}").get_json()["items"]] == [other]
    second = reader.get(f"{LINKS}?limit=1&page=2").get_json()
    assert [r["so_id"] for r in second["items"]] == [other] and second["next_page"] is None
    assert reader.get(f"{LINKS}/{link['id']}").get_json() == link
    assert reader.get(f"{LINKS}/999999").status_code == 404


def test_skipped_lines_and_assigning_one_by_hand(pa, api):
    _, (pl,) = pa.po([("BOLT-10", 4)])
    so_id = pa.so([("BOLT-10", 5)])  # short 5, only 4 on order: all or nothing, so skipped
    line = pa.line(so_id)["id"]
    skipped = api("readonly").get("/api/v1/back-orders/skipped").get_json()["items"]
    assert [(s["so_line_id"], s["so_id"], Decimal(s["shortage"]), Decimal(s["available"]), s["po_lines"])
            for s in skipped] == [(line, so_id, D(5), D(4), 1)]
    sales = api("sales")
    view = sales.get(f"/api/v1/back-orders/lines/{line}").get_json()
    assert [c["po_line_id"] for c in view["candidates"]] == [pl] and view["links"] == []
    too_much = sales.post(f"/api/v1/back-orders/lines/{line}/assign", json={"po_lines": [{"po_line_id": pl, "qty": 5}]})
    assert too_much.status_code == 422 and too_much.mimetype == "application/problem+json"
    assert too_much.get_json()["errors"] == [{"field": "po_lines/0/qty",
                                              "message": "Only 4 is unallocated on this PO line."}]
    done = sales.post(f"/api/v1/back-orders/lines/{line}/assign", json={"po_lines": [{"po_line_id": pl, "qty": "4"}]})
    assert done.status_code == 200, done.get_json()
    assert [(r["po_line_id"], Decimal(r["qty"])) for r in done.get_json()["links"]] == [(pl, D(4))]
    assert [(r[3], r[4]) for r in pa.links(so_id=so_id)] == [(D(4), D(0))]
    again = sales.post(f"/api/v1/back-orders/lines/{line}/assign", json={"po_lines": [{"po_line_id": pl, "qty": 1}]})
    assert again.status_code == 422  # nothing left unallocated on the PO line
    assert sales.post("/api/v1/back-orders/lines/999999/assign",
                      json={"po_lines": [{"po_line_id": pl, "qty": 1}]}).status_code == 404


def test_assigning_needs_a_clerk(pa, api):
    _, (pl,) = pa.po([("BOLT-10", 4)])
    line = pa.line(pa.so([("BOLT-10", 5)]))["id"]
    readonly = api("readonly")
    for resp in (readonly.get(f"/api/v1/back-orders/lines/{line}"),
                 readonly.post(f"/api/v1/back-orders/lines/{line}/assign",
                               json={"po_lines": [{"po_line_id": pl, "qty": 4}]})):
        assert resp.status_code == 403 and resp.mimetype == "application/problem+json"
    assert api("purchasing").get(f"/api/v1/back-orders/lines/{line}").status_code == 200
    assert pa.links() == []


def test_switched_off_with_its_plugin(pa, answers_404_when_off):
    answers_404_when_off("po_allocation", "/api/v1/back-orders", [
        ("get", LINKS), ("get", f"{LINKS}/1"), ("get", "/api/v1/back-orders/skipped"),
        ("post", "/api/v1/back-orders/lines/1/assign")])
