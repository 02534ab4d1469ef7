"""Platform in a real browser: sign-in, the Modules page, setup options with audit and errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

import core.plugins
from tests.browser.conftest import login, menu, menu_link

PROBE = "probe_platform"


@pytest.fixture
def probe_server(monkeypatch, app_factory, app, users):
    """A live server whose app also loads the probe plugin (menu entry + typed options)."""
    from core.testing import serve_live

    monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, PROBE, "tests.browser.probe_platform")
    with serve_live(app_factory()) as served:
        yield served


def test_login_rejects_wrong_credentials_with_one_neutral_message(live_server, page):
    for username, password in (("admin", "wrong password"), ("nobody", "correct horse battery")):
        page.goto(f"{live_server.url}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form button[type=submit]")
        expect(page.locator(".flash.error")).to_have_text("Unknown user name or wrong password.")
        assert page.url.startswith(f"{live_server.url}/login")
        expect(page.locator("input[name=username]")).to_have_value(username)
        expect(page.locator("header .who")).to_have_count(0)
    # an anonymous visit to any page lands on the sign-in form
    page.goto(f"{live_server.url}/admin/modules")
    expect(page.locator("h1")).to_have_text("Sign in")
    login(page, live_server, "admin")
    expect(page.locator("h1")).to_contain_text("Welcome")


def test_disable_and_enable_a_module_hides_and_restores_its_menu_entry(probe_server, page):
    srv = probe_server
    login(page, srv, "admin")
    expect(menu_link(page, "Probe orders")).to_have_count(1)
    menu(page, "Probe orders")
    expect(page.locator("h1")).to_have_text("Probe page")

    page.goto(f"{srv.url}/")
    menu(page, "Modules")
    expect(page.locator("h1")).to_have_text("Modules")
    row = page.locator(f"#module-{PROBE}")
    expect(row.locator(".badge")).to_have_text("enabled")
    row.get_by_role("button", name="Disable").click()

    expect(page.locator(".flash.success")).to_contain_text(f"Module '{PROBE}' disabled.")
    expect(row.locator(".badge")).to_have_text("disabled")
    expect(menu_link(page, "Probe orders")).to_have_count(0)
    expect(row.get_by_role("link", name="Options")).to_have_count(0)
    resp = page.goto(f"{srv.url}/probe/")
    assert resp is not None and resp.status == 404
    resp = page.goto(f"{srv.url}/admin/options/{PROBE}")
    assert resp is not None and resp.status == 404

    page.goto(f"{srv.url}/admin/modules")
    row.get_by_role("button", name="Enable").click()
    expect(page.locator(".flash.success")).to_contain_text(f"Module '{PROBE}' enabled.")
    expect(row.locator(".badge")).to_have_text("enabled")
    expect(menu_link(page, "Probe orders")).to_have_count(1)
    menu(page, "Probe orders")
    expect(page.locator("h1")).to_have_text("Probe page")


def test_change_an_option_shows_the_audit_entry_and_a_wrong_value_its_message(probe_server, page):
    srv = probe_server
    login(page, srv, "admin")
    menu(page, "Setup options")
    page.locator("main").get_by_role("link", name="Probe (browser tests)").click()
    expect(page.locator("h1")).to_contain_text("setup options")
    expect(page.locator("#audit")).to_contain_text("No changes yet.")

    # a good change: saved, flashed, audited with who / old -> new
    page.fill("input[name=order_days]", "90")
    page.click("#options-form button[type=submit]:has-text('Save options')")
    expect(page.locator(".flash.success")).to_have_text("Saved 1 change(s).")
    audit_row = page.locator("#audit tbody tr").first
    expect(audit_row).to_contain_text("Days to keep orders")
    expect(audit_row).to_contain_text("admin")
    expect(audit_row.locator("td").nth(3)).to_have_text("30")
    expect(audit_row.locator("td").nth(4)).to_have_text("90")
    expect(page.locator("input[name=order_days]")).to_have_value("90")

    # the "available only if" field follows its controller on the other tab
    page.get_by_role("tab", name="Credit").click()
    expect(page.locator("select[name=credit_action]")).to_be_disabled()
    page.check("input[name=check_credit]")
    expect(page.locator("select[name=credit_action]")).to_be_enabled()
    page.select_option("select[name=credit_action]", "prevent")

    # wrong values: the message sits beside the field, the other typed values are kept
    page.get_by_role("tab", name="Main").click()
    page.fill("input[name=order_days]", "1000")
    page.fill("input[name=reference]", "typed by the user")
    page.fill("input[name=min_margin]", "12.345")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click("#options-form button[type=submit]:has-text('Save options')")
    assert posted.value.status == 422
    expect(page.locator(".flash.error")).to_contain_text("Nothing was saved")
    expect(page.locator("#field-order_days .error")).to_be_visible()
    expect(page.locator("#field-order_days .error")).to_contain_text("365")
    expect(page.locator("#field-min_margin .error")).to_contain_text("decimal places")
    expect(page.locator("input[name=order_days]")).to_have_value("1000")
    expect(page.locator("input[name=min_margin]")).to_have_value("12.345")
    expect(page.locator("input[name=reference]")).to_have_value("typed by the user")
    expect(page.locator("input[name=check_credit]")).to_be_checked()
    expect(page.locator("select[name=credit_action]")).to_have_value("prevent")
    expect(page.locator(".tabs button[data-tab=Main]")).to_have_class(re.compile("has-error"))
    # nothing was stored: the audit still has only the first change
    expect(page.locator("#audit tbody tr")).to_have_count(1)

    # correct the value: everything typed is saved in one go
    page.fill("input[name=order_days]", "120")
    page.fill("input[name=min_margin]", "7.5")
    page.click("#options-form button[type=submit]:has-text('Save options')")
    expect(page.locator(".flash.success")).to_have_text("Saved 5 change(s).")
    expect(page.locator("#audit tbody tr")).to_have_count(6)


def test_disable_a_built_in_module_hides_its_menu_and_pages_and_enabling_brings_them_back(live_server, page):
    """The real ``purchase_order`` plugin; plugins that depend on it need the cascade confirmation."""
    from core.plugins import host_of

    srv = live_server
    with srv.app.app_context():
        host = host_of(srv.app)
        assert "purchase_order" in host.enabled(), host.failed.get("purchase_order")
        dependants = host.plan_disable("purchase_order")
    menu_entry = menu_link(page, "Purchase orders")

    login(page, srv, "admin")
    expect(menu_entry).to_have_count(1)
    menu(page, "Purchase orders")
    assert page.url == f"{srv.url}/purchase-orders" or page.url.startswith(f"{srv.url}/purchase-orders")

    menu(page, "Modules")
    row = page.locator("#module-purchase_order")
    row.get_by_role("button", name="Disable").click()
    if dependants:  # refused without confirmation, naming the dependants
        expect(page.locator("h1")).to_have_text("Disable purchase_order?")
        for name in dependants:
            expect(page.locator("main")).to_contain_text(name)
        page.get_by_role("button", name="Disable all of them").click()
        expect(page.locator(".flash.success")).to_contain_text("Also disabled: " + ", ".join(reversed(dependants)))
    expect(page.locator(".flash.success")).to_contain_text("Module 'purchase_order' disabled.")
    expect(row.locator(".badge")).to_have_text("disabled")
    expect(menu_entry).to_have_count(0)
    resp = page.goto(f"{srv.url}/purchase-orders")
    assert resp is not None and resp.status == 404
    expect(page.locator("main")).to_contain_text("switched off")

    page.goto(f"{srv.url}/admin/modules")
    if dependants:  # enabling a dependant says it pulls purchase_order in, and does
        top = page.locator(f"#module-{dependants[-1]}")
        expect(top.locator(".note")).to_contain_text("purchase_order")
        top.get_by_role("button", name="Enable").click()
        expect(page.locator(".flash.success")).to_contain_text("purchase_order")
        for name in dependants:
            if page.locator(f"#module-{name} .badge", has_text="disabled").count():
                page.locator(f"#module-{name}").get_by_role("button", name="Enable").click()
                expect(page.locator(".flash.success")).to_contain_text(f"Module '{name}' enabled.")
    else:
        row.get_by_role("button", name="Enable").click()
        expect(page.locator(".flash.success")).to_contain_text("Module 'purchase_order' enabled.")
    expect(row.locator(".badge")).to_have_text("enabled")
    for name in dependants:
        expect(page.locator(f"#module-{name} .badge")).to_have_text("enabled")
    expect(menu_entry).to_have_count(1)
    menu(page, "Purchase orders")
    assert page.url.startswith(f"{srv.url}/purchase-orders")
    expect(page.locator("h1")).to_be_visible()
