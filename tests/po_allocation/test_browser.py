"""The main path in a real browser: stock short -> the new order is allocated to an existing
PO -> both pages show the link -> receive part -> part released -> fill report -> the rest.

The browser runs in a thread of its own with its own Playwright: tests/browser keeps one
sync Playwright running for the whole session in the main thread, and a second one cannot
start beside it there.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.plugins import host_of
from tests.browser.conftest import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    DEFAULT_TIMEOUT_MS,
    live_server,
    login,
    require_chromium,
)

from .conftest import PA

pytestmark = pytest.mark.browser


def _in_browser(steps) -> None:
    """Run ``steps(page)`` in a fresh headless Chromium, in a thread; re-raise what it raised."""
    import threading

    require_chromium()
    failures: list[BaseException] = []

    def run():
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as pw:
                chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                context = chromium.new_context(viewport={"width": 1280, "height": 800})
                context.set_default_timeout(DEFAULT_TIMEOUT_MS)
                try:
                    steps(context.new_page())
                finally:
                    chromium.close()
        except BaseException as exc:  # handed to the test thread
            failures.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failures:
        raise failures[0]


def test_allocate_receive_part_release_and_report(live_server):  # noqa: F811
    from core.demo import add_core_demo

    app = live_server.app
    with app.app_context():
        add_core_demo(db.session)
        db.session.commit()
        host_of(app).set_enabled("po_allocation", True)
    pa = PA(app)
    pa.set_stock("BOLT-10", 0)
    po_id, _ = pa.po([("BOLT-10", 10)])
    url = live_server.url

    def steps(page):
        login(page, live_server, "admin")
        page.goto(f"{url}/sales-orders/new")
        page.fill("#customer_code", "C1000")
        page.fill("[name='lines-0-item_code']", "BOLT-10")
        page.fill("[name='lines-0-qty_ordered']", "6")
        page.click("#save-order")
        expect(page.locator(".flash.success")).to_contain_text("Saved sales order")
        so_url = page.url
        expect(page.locator("#line-1 .qty-backordered")).to_have_text("6")
        links = page.locator("#pa-so-links tbody tr")
        expect(links).to_have_count(1)
        expect(links.first).to_contain_text("BOLT-10")

        links.first.get_by_role("link").click()  # to the purchase order
        expect(page.locator("#pa-po-links tbody tr")).to_have_count(1)
        page.get_by_role("link", name="Receive goods").click()
        page.locator("input[name^=qty_]").first.fill("4")
        page.get_by_role("button", name="Post receipt").click()
        expect(page.locator(".flash.success")).to_contain_text("Receipt")

        page.goto(so_url)
        expect(page.locator("#line-1 .qty-to-ship")).to_have_text("4")
        expect(page.locator("#line-1 .qty-backordered")).to_have_text("2")
        page.get_by_role("link", name="Back order fill report for this order").click()
        row = page.locator("#fill-report tbody tr").first
        expect(row).to_contain_text("BOLT-10")
        expect(row.locator("td.num")).to_have_text(["6", "4", "2"])

        page.goto(f"{url}/purchase-orders/{po_id}")
        page.get_by_role("link", name="Receive goods").click()
        page.locator("input[name^=qty_]").first.fill("6")
        page.get_by_role("button", name="Post receipt").click()
        page.goto(so_url)
        expect(page.locator("#line-1 .qty-to-ship")).to_have_text("6")
        expect(page.locator("#line-1 .qty-backordered")).to_have_text("0")

    _in_browser(steps)
    assert pa.stock("BOLT-10") == (10, 6)  # the other 4 are free stock
