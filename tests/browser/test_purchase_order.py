"""Purchase orders in a real browser: enter, send, receive part, over-receipt message, complete."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from core.db import db
from tests.browser.conftest import login, menu


def test_enter_send_receive_over_receipt_and_complete(live_server, page):
    from core.demo import add_core_demo
    from tests.purchase_order.helpers import set_options

    with live_server.app.app_context():
        add_core_demo(db.session)
        db.session.commit()
        set_options(auto_close=True, receipt_variance_pct="5")
    url = live_server.url
    login(page, live_server, "purchasing")
    menu(page, "Purchase orders")
    page.click("text=New purchase order")
    # the vendor is typed: suggestions come from the look-up as it is typed, not from a list of every vendor
    page.fill("#vendor_code", "v20")
    expect(page.locator("#vendor-numbers option[value=V2000]")).to_have_count(1)
    page.fill("#vendor_code", "v2000")  # any case
    page.fill("input[name=confirm_to]", "Pat at the vendor")
    page.fill("input[name='lines-0-item']", "BOLT-10")
    page.fill("input[name='lines-0-qty_ordered']", "100")
    page.fill("input[name='lines-0-unit_cost']", "0.25")
    # a second line added with the Add line button, then a bad quantity: kept with its message
    page.click("button[data-add-line=po-lines]")
    page.fill("input[name='lines-1-item']", "GLOVES")
    page.fill("input[name='lines-1-qty_ordered']", "many")
    page.click("form.card button[type=submit]")
    expect(page.locator("#po-lines .error")).to_contain_text("must be a number")
    expect(page.locator("input[name='lines-1-qty_ordered']")).to_have_value("many")
    expect(page.locator("input[name=confirm_to]")).to_have_value("Pat at the vendor")
    page.locator("input[name='lines-1-item']").locator("xpath=ancestor::tr").locator("[data-remove-line]").click()
    page.click("form.card button[type=submit]")
    expect(page.locator(".flash.success")).to_contain_text("saved")
    expect(page.locator("#po-status")).to_have_text("New")
    po_url = page.url

    page.get_by_role("button", name="Send to vendor").click()
    expect(page.locator("#po-status")).to_have_text("Sent to vendor")
    expect(page.locator("body")).to_contain_text("by purchasing")
    with page.context.expect_page() as printed:
        page.get_by_role("link", name="Printable page").click()
    printed.value.wait_for_load_state()
    expect(printed.value.locator("h1")).to_contain_text("Purchase order")
    printed.value.close()

    # receive part of it: the quantity defaults to the outstanding 100
    page.get_by_role("link", name="Receive goods").click()
    qty = page.locator("input[name^=qty_]").first
    expect(qty).to_have_value("100")
    qty.fill("50")
    page.get_by_role("button", name="Post receipt").click()
    expect(page.locator(".flash.success")).to_contain_text("Receipt")
    expect(page.locator("#po-status")).to_have_text("Partially received")

    # too much: refused with the message beside the field, the typed value kept
    page.get_by_role("link", name="Receive goods").click()
    qty = page.locator("input[name^=qty_]").first
    qty.fill("60")
    page.get_by_role("button", name="Post receipt").click()
    expect(page.locator("td.has-error .error")).to_contain_text("only 50 outstanding")
    expect(page.locator("input[name^=qty_]").first).to_have_value("60")

    # the rest within the 5 % variance: 46 more makes 96 of 100, the line closes, the PO completes
    page.locator("input[name^=qty_]").first.fill("46")
    page.get_by_role("button", name="Post receipt").click()
    expect(page.locator(".flash.success")).to_contain_text("Closed within the receipt variance")
    expect(page.locator("#po-status")).to_have_text("Closed")
    expect(page.locator("#po-complete")).to_have_text("complete")
    assert re.search(r"/purchase-orders/\d+$", po_url)
    page.goto(f"{url}/receipts")
    expect(page.locator("table tbody tr")).to_have_count(2)
