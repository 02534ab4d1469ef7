"""PO generation in a real browser: a sales order with a stocked line, two buy-to-order lines
for two vendors and a drop-ship line, saved through the sales-order form; Generate POs; the
three POs with the right numbers, types and ship-to."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from core.db import db
from core.models import Warehouse
from plugins.purchase_order.models import PurchaseOrder
from tests.browser.conftest import login


def test_save_order_then_generate_pos_shows_three_pos(live_server, page):
    from core.demo import add_core_demo

    with live_server.app.app_context():
        add_core_demo(db.session)
        db.session.commit()
        main_address = db.session.scalar(sa.select(Warehouse.address).where(Warehouse.code == "MAIN"))
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/sales-orders/new")
    page.fill("#customer_code", "C1000")  # typed, as a clerk without the type-ahead would
    page.fill("#ship_to_address", "Site 7\nQuarry Lane")
    for _ in range(3):
        page.click("#add-line")
    expect(page.locator("#so-lines tbody tr")).to_have_count(4)
    for i, (code, qty) in enumerate((("BOLT-10", "2"), ("SAW-TABLE", "1"), ("LADDER-8", "3"), ("DESK-OAK", "1"))):
        page.fill(f"[name='lines-{i}-item_code']", code)
        page.fill(f"[name='lines-{i}-qty_ordered']", qty)
    page.check("[name='lines-3-drop_ship']")
    page.click("#save-order")
    expect(page.locator(".flash.success")).to_contain_text("Saved sales order")
    so_number = page.locator("h1").inner_text().split()[2]
    # the new order asks whether to generate now; no PO exists yet
    expect(page.locator("#pogen-prompt")).to_be_visible()
    page.get_by_role("link", name="Generate POs", exact=True).click()
    expect(page.locator("h1")).to_have_text(f"Generate purchase orders for SO {so_number}")
    expect(page.locator(".pogen-draft")).to_have_count(3)  # the preview; nothing written yet
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder)) == 0
    page.click("#pogen-generate")
    expect(page.locator(".flash.success")).to_contain_text("3 purchase order(s) created")

    bumped = ("1" + so_number[1:], "2" + so_number[1:]) if so_number.startswith("0") \
        else ("0" + so_number, "1" + so_number)
    warehouse = main_address.replace("\n", ", ")
    rows = page.locator("#pogen-numbers tbody tr")
    expect(rows).to_have_count(3)
    got = {}
    for i in range(3):
        number, order_type, vendor, ship_to = (rows.nth(i).locator("td").nth(j).inner_text().strip() for j in range(4))
        got[number] = (order_type, vendor.split()[0], ship_to)
    assert got == {
        so_number: ("D", "V2002", "Site 7, Quarry Lane"),  # drop ship: to the customer's site, the SO number
        bumped[0]: ("S", "V2000", warehouse),  # LADDER-8: to our warehouse, the first incremented number
        bumped[1]: ("S", "V2001", warehouse),  # SAW-TABLE
    }

    # the sales order's panel links each purchased line to its PO, with the PO's status in words
    page.goto(f"{live_server.url}/sales-orders")
    page.get_by_role("link", name=so_number).first.click()
    links = page.locator("#pogen-links tbody tr")
    expect(links).to_have_count(3)  # BOLT-10 is covered by stock: not purchased
    expect(page.locator("#pogen-links")).not_to_contain_text("BOLT-10")
    expect(links.first).to_contain_text("New")

