"""Sales orders in a real browser: a three-line order with a field error corrected without
retyping, then a partial shipment that leaves a back order."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from core.db import db
from core.models import Item
from tests.browser.conftest import login, menu


def test_enter_three_line_order_fix_error_ship_part_and_see_back_order(live_server, page):
    from core.demo import add_core_demo

    with live_server.app.app_context():
        add_core_demo(db.session)
        db.session.commit()
        items = {i.code: str(i.id) for i in db.session.scalars(sa.select(Item))}
    url = live_server.url
    login(page, live_server, "sales")
    menu(page, "Sales orders")
    expect(page.locator("h1")).to_have_text("Sales orders")
    page.click("text=New sales order")
    page.fill("#customer_code", "C1000")  # typed, as a clerk without the type-ahead would
    page.fill("#customer_po_number", "BROWSER-1")
    page.click("#add-line")
    page.click("#add-line")
    rows = page.locator("#so-lines tbody tr")
    expect(rows).to_have_count(3)
    for i, (code, qty) in enumerate((("BOLT-10", "5"), ("DRILL-18V", "15"), ("GLOVES", "0"))):
        page.fill(f"[name='lines-{i}-item_code']", code)
        page.fill(f"[name='lines-{i}-qty_ordered']", qty)
    page.fill("[name='lines-0-discount_pct']", "10")
    # a fourth line added and removed again in the page
    page.click("#add-line")
    expect(rows).to_have_count(4)
    rows.nth(3).get_by_role("button", name="Remove").click()
    expect(rows).to_have_count(3)
    page.click("#save-order")

    error = page.locator("#error-lines-2-qty_ordered")
    expect(error).to_contain_text("cannot be zero")
    # nothing typed is lost
    expect(page.locator("#customer_po_number")).to_have_value("BROWSER-1")
    expect(page.locator("[name='lines-0-qty_ordered']")).to_have_value("5")
    expect(page.locator("[name='lines-0-discount_pct']")).to_have_value("10")
    expect(page.locator("[name='lines-1-item_code']")).to_have_value("DRILL-18V")
    expect(page.locator("[name='lines-1-item_id']")).to_have_value(items["DRILL-18V"])
    page.fill("[name='lines-2-qty_ordered']", "6")
    page.click("#save-order")

    expect(page.locator(".flash.success")).to_contain_text("Saved sales order")
    expect(page.locator("#order-status")).to_have_text("Open order")
    expect(page.locator("#order-lines tbody tr")).to_have_count(3)
    drill = page.locator("#line-2")
    expect(drill.locator(".qty-to-ship")).to_have_text("12")
    expect(drill.locator(".qty-backordered")).to_have_text("3")
    expect(page.locator("#order-total")).to_have_text("1,553.57")  # 33.75 + 1,485.00 + 34.82

    page.get_by_role("link", name="Ship").click()
    expect(page.locator("h1")).to_contain_text("Ship sales order")
    ship_inputs = page.locator("#ship-lines input")
    expect(ship_inputs).to_have_count(3)
    ship_inputs.nth(1).fill("10")
    page.click("#ship-submit")

    expect(page.locator(".flash.success")).to_contain_text(re.compile(r"Shipped: invoice \d+"))
    expect(page.locator("#order-status")).to_have_text("Open back order")
    expect(drill.locator(".qty-shipped")).to_have_text("10")
    expect(drill.locator(".qty-backordered")).to_have_text("5")
    expect(page.locator("#invoices tbody tr")).to_have_count(1)

    menu(page, "Back orders")
    expect(page.locator("#backorder-lines tbody tr")).to_have_count(1)
    expect(page.locator("#backorder-lines")).to_contain_text("DRILL-18V")
    page.goto(f"{url}/sales-orders?status=2")
    expect(page.locator("#sales-orders tbody tr")).to_have_count(1)
    expect(page.locator("#sales-orders")).to_contain_text("Open back order")
