"""The seed's story in headless Chromium: a supplier changes an order, the PO follows; a failed
sync shows the last-synced date in red with the supplier's notification time on hover; Refresh;
a cancelled item hidden behind a toggle with a notice; synced fields read-only on the PO form;
an order placed directly with the supplier appears as a PO and an unknown item is reported."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from core.db import db
from plugins.supplier_sync.models import PoSync
from tests.browser.conftest import login
from tests.supplier_sync.conftest import ob, sim, wired  # noqa: F401,F811  (simulator and OrderBridge on loopback)
from tests.supplier_sync.helpers import make_po


def test_the_buyer_watches_a_po_follow_the_supplier(app, wired, page):  # noqa: F811
    with app.app_context():
        po_id, number = make_po([("BOLT-10", 100, "4.20"), ("GLOVES", 50, "2.10")])
    ref = wired.sim.control("orders", {"buyer_po_number": number, "lines": [
        {"line_ref": "1", "item_code": "NW-B10", "qty": "100", "unit_price": "4.20"},
        {"line_ref": "2", "item_code": "NW-GL", "qty": "50", "unit_price": "2.10"}]})["order_ref"]
    wired.sim.control(f"orders/{ref}/lines/1", {"qty": "80", "unit_price": "4.35"})
    login(page, wired.ob, "purchasing")

    # the vendor form offers auto-sync for this connected vendor
    page.goto(f"{wired.ob.url}/partners/{wired.vendor_id}")
    expect(page.get_by_label("Auto-sync purchase orders")).to_be_checked()

    page.goto(f"{wired.ob.url}/purchase-orders/{po_id}")
    expect(page.locator("#line-1")).to_contain_text("80")
    synced = page.locator("#ss-last-synced")
    expect(synced).to_contain_text("UTC")
    assert "ss-stale" not in (synced.get_attribute("class") or "")

    # the supplier changes the order but our pull fails: the date turns red, the hover tells when
    wired.sim.control("fail", {"mode": "500", "count": 1})
    wired.sim.control(f"orders/{ref}/lines/1", {"qty": "60"})
    with app.app_context():
        sent = db.session.get(PoSync, po_id).last_notification_at
    page.reload()
    synced = page.locator("#ss-last-synced")
    expect(synced).to_have_class(re.compile("ss-stale"))
    color = synced.evaluate("el => getComputedStyle(el).color")
    red, green, blue = (int(x) for x in re.findall(r"\d+", color)[:3])
    assert red > 150 and green < 80 and blue < 80, color
    synced.hover()
    expect(synced).to_have_attribute(
        "title", f"The supplier's last update notification was sent {sent:%Y-%m-%d %H:%M} UTC")
    expect(page.locator("#line-1")).to_contain_text("80")  # unchanged by the failed pull

    # Refresh syncs now: the new quantity, and the date is no longer red
    page.get_by_role("button", name="Refresh from supplier").click()
    expect(page.locator("#line-1")).to_contain_text("60")
    expect(page.locator("#ss-last-synced")).not_to_have_class(re.compile("ss-stale"))

    # the supplier cancels the gloves: hidden on the PO, a notice names the item
    wired.sim.control(f"orders/{ref}/lines/2/cancel")
    page.reload()
    expect(page.locator("table.lines").first).not_to_contain_text("GLOVES")
    expect(page.locator("#ss-notice")).to_contain_text("GLOVES")
    toggle = page.locator("#hidden-lines summary")
    expect(toggle).to_have_text("1 line cancelled by the supplier (show)")
    expect(page.locator("#hidden-line-2")).to_be_hidden()
    toggle.click()
    expect(page.locator("#hidden-line-2")).to_contain_text("GLOVES")  # kept for audit

    # after the sync, the fields it wrote are greyed and read-only on the PO form; the others stay editable
    page.goto(f"{wired.ob.url}/purchase-orders/{po_id}/edit")
    expect(page.get_by_label("Auto-sync", exact=True)).to_be_checked()
    qty = page.locator("#lines-0-qty_ordered")
    expect(qty).to_have_attribute("readonly", "")
    expect(qty).to_have_attribute("title", re.compile("Set by the supplier sync"))
    assert qty.evaluate("el => getComputedStyle(el).backgroundColor") != page.locator(
        "#lines-0-description").evaluate("el => getComputedStyle(el).backgroundColor")
    qty.click()
    page.keyboard.type("9")  # a read-only input takes no typing
    expect(qty).to_have_value("60")
    page.locator("#lines-0-description").fill("Bolts, zinc")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#line-1")).to_contain_text("Bolts, zinc")
    expect(page.locator("#line-1")).to_contain_text("60")
    page.goto(f"{wired.ob.url}/purchase-orders/{po_id}")
    page.get_by_role("link", name="Open the syncing notifications").click()
    expect(page.locator("#ss-notifications")).to_contain_text("GLOVES")
    page.locator("#ss-notifications").get_by_role("link", name=number).click()
    expect(page).to_have_url(re.compile(f"/purchase-orders/{po_id}$"))

    # an order placed directly with the supplier appears as a PO; an item unknown here is reported
    direct = wired.sim.control("orders", {"lines": [
        {"line_ref": "A", "item_code": "GLOVES", "qty": "20", "unit_price": "2"},
        {"line_ref": "B", "item_code": "NW-UNHEARD", "description": "Unheard-of part", "qty": "1",
         "unit_price": "9"}]})
    page.goto(f"{wired.ob.url}/supplier-sync/notifications")
    notes = page.locator("#ss-notifications")
    expect(notes).to_contain_text(direct["order_ref"])
    expect(notes).to_contain_text("NW-UNHEARD")
    with app.app_context():
        direct_po = db.session.scalar(db.select(PoSync.po_id).where(PoSync.supplier_ref == direct["order_ref"]))
    page.goto(f"{wired.ob.url}/purchase-orders/{direct_po}")
    expect(page.locator("table.lines").first).to_contain_text("GLOVES")
    expect(page.locator("#ss-supplier-ref")).to_have_text(direct["order_ref"])

