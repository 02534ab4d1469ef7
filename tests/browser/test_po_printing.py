"""Quick printing from the PO list in a real browser: once printed, back to the PO or the list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.db import db
from tests.browser.conftest import login


@pytest.mark.parametrize("redisplay", [True, False])
def test_quick_printed_receiver_returns_where_the_option_says(live_server, page, redisplay):
    from core.demo import add_core_demo
    from tests.purchase_order.helpers import make_po, set_options

    with live_server.app.app_context():
        add_core_demo(db.session)
        db.session.commit()
        set_options(redisplay_receiver=redisplay, barcode_receivers=True)
        po_id = make_po().id
    login(page, live_server, "purchasing")
    page.goto(f"{live_server.url}/purchase-orders")
    with page.expect_popup() as popup:
        page.locator("td.quick-print").get_by_role("link", name="Receiver").click()
    printed = popup.value
    expect(printed.locator("#receiver-barcode svg")).to_be_visible()
    # the print dialog of headless Chromium closes at once; say it was printed if it has not
    if "/receiver" in printed.url:
        printed.evaluate("window.dispatchEvent(new Event('afterprint'))")
    want = rf"/purchase-orders/{po_id}$" if redisplay else r"/purchase-orders$"
    expect(printed).to_have_url(re.compile(want))
