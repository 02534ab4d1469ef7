"""Sales order entry in a real browser, at 1366 px and on a 390 px phone (issue 14): customer
and items chosen by type-ahead, what a choice fills, line values and the order total as you
type (with the options' discount method), Enter moving on instead of submitting, and the
prompt to generate POs only when something needs buying."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from core.db import db
from core.models import Partner
from core.testing import apply_options
from plugins.sales_order.models import SalesOrder
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, login

WIDTHS = {"desktop": (1366, 800), "phone": (390, 844)}


@pytest.fixture(params=sorted(WIDTHS))
def sized_page(browser, request):
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 500)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def entry_server(live_server):
    from core.demo import add_core_demo

    with live_server.app.app_context():
        add_core_demo(db.session)
        db.session.commit()
    return live_server


def choose(page, selector: str, typed: str, expected_code: str) -> None:
    """Type into a look-up field, wait for the list and take its highlighted row with Enter."""
    field = page.locator(selector)
    field.click()
    field.press_sequentially(typed, delay=20)
    expect(page.locator("#lookup-list")).to_be_visible()
    expect(page.locator("#lookup-list li").first).to_contain_text(expected_code)
    field.press("Enter")
    expect(field).to_have_value(expected_code)
    expect(page.locator("#lookup-list")).to_be_hidden()


def focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name")


def test_type_ahead_entry_of_a_three_line_order_with_live_totals(entry_server, sized_page):
    page, url = sized_page, entry_server.url
    with entry_server.app.app_context():
        acme = db.session.scalar(sa.select(Partner.id).where(Partner.number == "C1000"))
    login(page, entry_server, "sales")
    page.goto(f"{url}/sales-orders/new")

    # choosing a customer fills ship-to, ship via, FOB, e-mail and shows the terms
    choose(page, "#customer_code", "acm", "C1000")
    expect(page.locator("#customer_id")).to_have_value(str(acme))
    expect(page.locator("#ship_to_address")).to_have_value(re.compile("12 Main St"))
    expect(page.locator("#ship_via")).to_have_value("UPS Ground")
    expect(page.locator("#email")).to_have_value("orders@acme.example")
    expect(page.locator("#field-customer_code .lookup-note")).to_have_text("Acme Hardware · terms 30 days")
    page.locator("#customer_code").press("Enter")  # moves on, does not submit
    assert focused(page) == "customer_po_number"

    # line 1: a stocked item; description, unit, price (3 decimals, as the options say) and stock
    choose(page, "[name='lines-0-item_code']", "hex", "BOLT-10")
    row = page.locator("#so-lines tbody tr").nth(0)
    expect(row.locator("[name='lines-0-description']")).to_have_value("Hex bolt M10 (box of 50)")
    expect(row.locator("[name='lines-0-unit_price']")).to_have_value("7.500")
    expect(row.locator("[data-unit]")).to_have_text("EA")
    expect(row.locator("[data-stock]")).to_have_text("Available: 400")
    expect(row.locator("[name='lines-0-vendor_code']")).to_have_value("")  # stocked: no vendor filled
    page.fill("[name='lines-0-qty_ordered']", "6")
    expect(row.locator("[data-line-value]")).to_have_text("45.00")
    expect(page.locator("#so-total")).to_have_text("45.00")
    page.locator("[name='lines-0-qty_ordered']").press("Enter")
    assert focused(page) == "lines-0-unit_price" and page.url.endswith("/sales-orders/new")

    # Enter on the line's last field adds a line and goes to its item
    page.locator("[name='lines-0-vendor_code']").press("Enter")
    expect(page.locator("#so-lines tbody tr")).to_have_count(2)
    assert focused(page) == "lines-1-item_code"

    # line 2: bought to order: the vendor is filled
    choose(page, "[name='lines-1-item_code']", "saw", "SAW-TABLE")
    expect(page.locator("[name='lines-1-vendor_code']")).to_have_value("V2001")
    expect(page.locator("#so-lines tbody tr").nth(1).locator("[data-stock]")).to_have_text("Buy to order")
    page.fill("[name='lines-1-qty_ordered']", "1")
    expect(page.locator("#so-total")).to_have_text("544.00")

    page.locator("[name='lines-1-vendor_code']").press("Enter")
    expect(page.locator("#so-lines tbody tr")).to_have_count(3)
    # line 3: the seed's example, 6 x 5.804 at 25 % by line discount = 26.11
    choose(page, "[name='lines-2-item_code']", "glo", "GLOVES")
    page.fill("[name='lines-2-qty_ordered']", "6")
    page.fill("[name='lines-2-discount_pct']", "25")
    expect(page.locator("#so-lines tbody tr").nth(2).locator("[data-line-value]")).to_have_text("26.11")
    expect(page.locator("#so-total")).to_have_text("570.11")
    page.locator("[name='lines-2-discount_pct']").press("Enter")  # never submits the order
    expect(page.locator("#so-lines tbody tr")).to_have_count(3)
    assert page.url.endswith("/sales-orders/new")

    # Remove looks like a button (a bordered, padded control), not a bare link
    remove = page.locator("#so-lines tbody tr").nth(2).get_by_role("button", name="Remove")
    style = remove.evaluate("b => { const s = getComputedStyle(b); return [s.borderTopStyle, s.paddingLeft]; }")
    assert style[0] == "solid" and float(style[1].rstrip("px")) >= 4, style
    # the lines fit the screen without scrolling sideways (cards on a phone)
    box, card = page.locator("#so-lines").bounding_box(), page.locator("#order-form").bounding_box()
    assert box["x"] + box["width"] <= min(card["x"] + card["width"], page.viewport_size["width"]) + 1

    page.click("#save-order")
    expect(page.locator(".flash.success")).to_contain_text("Saved sales order")
    expect(page.locator("#order-total")).to_have_text("570.11")  # the server agrees with the page
    with entry_server.app.app_context():
        order = db.session.scalar(sa.select(SalesOrder))
        assert [line.item.code for line in order.lines] == ["BOLT-10", "SAW-TABLE", "GLOVES"]
        assert order.lines[1].vendor.number == "V2001"


def test_live_values_follow_the_price_discount_method(entry_server, page):
    with entry_server.app.app_context():
        apply_options("sales_order", discount_method="price", price_decimals=3)
    login(page, entry_server, "sales")
    page.goto(f"{entry_server.url}/sales-orders/new")
    choose(page, "#customer_code", "c1000", "C1000")
    choose(page, "[name='lines-0-item_code']", "gloves", "GLOVES")
    page.fill("[name='lines-0-qty_ordered']", "6")
    page.fill("[name='lines-0-discount_pct']", "25")
    expect(page.locator("[data-line-value]").first).to_have_text("26.12")  # 4.353 x 6, the seed's price discount
    page.fill("#invoice_discount_pct", "10")
    expect(page.locator("#so-invoice-discount")).to_have_text("3.48")  # 10 % of the gross 34.82 (option off)
    expect(page.locator("#so-total")).to_have_text("22.64")
    page.click("#save-order")
    expect(page.locator("#order-total")).to_have_text("22.64")


def test_generate_prompt_only_when_something_needs_buying(entry_server, page):
    login(page, entry_server, "admin")
    for typed, code, prompt in (("bolt", "BOLT-10", False), ("saw", "SAW-TABLE", True)):
        page.goto(f"{entry_server.url}/sales-orders/new")
        choose(page, "#customer_code", "acme", "C1000")
        choose(page, "[name='lines-0-item_code']", typed, code)
        page.fill("[name='lines-0-qty_ordered']", "1")
        page.click("#save-order")
        expect(page.locator(".flash.success")).to_contain_text("Saved sales order")
        expect(page.locator("#pogen-prompt")).to_have_count(1 if prompt else 0)
        expect(page.get_by_role("link", name="Generate POs", exact=True)).to_have_count(1 if prompt else 0)
        expect(page.get_by_role("link", name="Drop-ship PO")).to_have_count(0)  # no drop-ship line


def test_the_form_works_without_javascript(entry_server, browser):
    """Progressive enhancement: the codes are plain text the server resolves and checks."""
    context = browser.new_context(viewport={"width": 1366, "height": 800}, java_script_enabled=False)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        login(page, entry_server, "sales")
        page.goto(f"{entry_server.url}/sales-orders/new")
        expect(page.locator("#lookup-list")).to_have_count(0)  # no script ran
        page.fill("#customer_code", "c1001")
        page.fill("[name='lines-0-item_code']", "NO-SUCH-ITEM")
        page.fill("[name='lines-0-qty_ordered']", "2")
        page.click("#save-order")
        expect(page.locator("#error-lines-0-item_id")).to_have_text("No item has the code NO-SUCH-ITEM.")
        expect(page.locator("#customer_code")).to_have_value("c1001")  # kept as typed
        page.fill("[name='lines-0-item_code']", "drill-18v")
        page.click("#save-order")
        expect(page.locator(".flash.success")).to_contain_text("Saved sales order")
        expect(page.locator("#order-lines")).to_contain_text("DRILL-18V")
    finally:
        context.close()
