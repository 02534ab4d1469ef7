"""The shell a new clerk meets, in headless Chromium at 1366 px and 390 px: the dashboard and its
links, the grouped menu, sorting and CSV export, the activity log after an SO change that alters
a PO, and the phone layout (menu folded away, no sideways scrolling)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from core.db import db
from tests.browser.conftest import login, menu

DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shell(live_server):
    """Demo master data, three sales orders, two POs (one late and unsent), one buyer exception."""
    from core.demo import add_core_demo
    from plugins.purchase_order.documents import record_buyer_exception
    from plugins.purchase_order.services import create_purchase_order, send_purchase_order
    from tests.po_generation.helpers import item, make_order, partner

    with live_server.app.app_context():
        add_core_demo(db.session)
        db.session.commit()
        orders = [make_order([(code, qty)]).number for code, qty in (("GLOVES", 1), ("DRILL-18V", 3),
                                                                     ("BOLT-10", 20))]
        late = create_purchase_order(vendor_id=partner("V2000").id, order_type="S",
                                     required_date=date.today() - timedelta(days=5),
                                     lines=[{"item_id": item("BOLT-10").id, "qty_ordered": Decimal("50")}])
        sent = create_purchase_order(vendor_id=partner("V2001").id, order_type="S",
                                     lines=[{"item_id": item("SAW-TABLE").id, "qty_ordered": Decimal("1")}])
        send_purchase_order(sent, user_id=None)
        record_buyer_exception(sent.id, "Sales order 1 was cancelled")
        db.session.commit()
        numbers = {"orders": orders, "late": late.number, "sent": sent.number}
    return live_server, numbers


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_dashboard_figures_link_to_their_lists_and_the_header_fits_1366(shell, browser):
    srv, numbers = shell
    page = browser.new_page(viewport=DESKTOP)
    login(page, srv, "admin")
    expect(page.locator("[data-area='Sales'] h2")).to_have_text("Sales")
    unsent = page.locator("a.figure[data-figure='POs not yet sent']")
    expect(unsent.locator(".figure-value")).to_have_text("1")
    expect(page.locator("svg.chart[aria-label='Open PO value by vendor']")).to_be_visible()
    expect(page.locator("svg.chart[aria-label='Back-order ageing']")).to_be_visible()
    # the header is one row at 1366 px: brand, every area and the user on the same line
    boxes = [page.locator(sel).first.bounding_box() for sel in
             (".brand", "details.navgroup[data-group='Sales'] > summary",
              "details.navgroup[data-group='Settings'] > summary", ".userbox")]
    assert max(b["y"] for b in boxes) - min(b["y"] for b in boxes) < 12, boxes
    assert page.locator(".toprow").bounding_box()["height"] < 60
    _no_sideways_scroll(page)
    unsent.click()
    expect(page.locator("h1")).to_have_text("Purchase orders")
    expect(page.locator("tr[data-po]")).to_have_count(1)
    expect(page.locator(f"tr[data-po='{numbers['late']}']")).to_be_visible()
    page.go_back()
    page.locator("a.figure[data-figure='Open buyer exceptions']").click()
    row = page.locator(f"tr[data-po='{numbers['sent']}']")
    expect(row.locator("[data-flag='exception']")).to_be_visible()
    expect(page.locator("nav.breadcrumbs")).to_contain_text("Purchasing")
    page.close()


def test_sorting_and_csv_export_of_the_sales_order_list(shell, browser):
    srv, numbers = shell
    page = browser.new_page(viewport=DESKTOP, accept_downloads=True)
    login(page, srv, "sales")
    menu(page, "Sales orders")
    page.locator("th a.sort", has_text="Total").click()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Total")
    shown = page.locator("tr[data-so]").evaluate_all("rows => rows.map(r => r.dataset.so)")
    totals = page.locator("tr[data-so] td.num").all_inner_texts()
    values = [Decimal(t.replace(",", "")) for t in totals]
    assert values == sorted(values) and len(shown) == 3
    page.locator("th a.sort", has_text="Total").click()
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Total")
    assert page.locator("tr[data-so]").evaluate_all("rows => rows.map(r => r.dataset.so)") == shown[::-1]
    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8").read())))
    assert [r[0] for r in rows[1:]] == shown[::-1]
    page.close()


def test_activity_log_after_an_so_change_that_alters_its_po(live_server, page):
    from core.demo import add_core_demo
    from core.testing import apply_options
    from plugins.purchase_order.models import PurchaseOrder
    from tests.po_generation.helpers import make_order

    with live_server.app.app_context():
        add_core_demo(db.session)
        db.session.commit()
        apply_options("po_generation", generate_on_save=True)
        order = make_order([("SAW-TABLE", 5)])
        order_id, so_number = order.id, order.number
        po = db.session.scalars(sa.select(PurchaseOrder)).one()
        po_id, po_number = po.id, po.number
    login(page, live_server, "sales")
    page.goto(f"{live_server.url}/sales-orders/{order_id}/edit")
    page.fill("[name='lines-0-qty_ordered']", "3")
    page.click("#save-order")
    expect(page.locator(".flash.warning")).to_contain_text(
        f"Sales order {so_number}: PO {po_number} changed: line 1 (SAW-TABLE) quantity reduced from 5 to 3")
    expect(page.locator("#activity")).to_contain_text("line 1 (SAW-TABLE) qty 5 -> 3")
    page.goto(f"{live_server.url}/purchase-orders/{po_id}")
    log = page.locator("#activity tbody tr").first
    expect(log).to_contain_text("Sales")  # who
    expect(log).to_contain_text(f"Why: Sales order {so_number}: line 1 (SAW-TABLE) quantity reduced from 5 to 3")


def test_phone_layout_folds_the_menu_and_never_scrolls_sideways(shell, browser):
    srv, numbers = shell
    page = browser.new_page(viewport=PHONE)
    login(page, srv, "admin")
    toggle = page.locator("[data-nav-toggle]")
    expect(toggle).to_be_visible()
    expect(page.locator("#mainnav")).to_be_hidden()
    _no_sideways_scroll(page)
    toggle.click()
    expect(page.locator("#mainnav")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    menu(page, "Purchase orders")
    expect(page.locator("h1")).to_have_text("Purchase orders")
    expect(page.locator("#mainnav")).to_be_hidden()  # a new page starts folded again
    for path in ("/", "/sales-orders", "/purchase-orders", "/sales-orders/back-orders", "/items"):
        page.goto(srv.url + path)
        _no_sideways_scroll(page)
    page.close()
