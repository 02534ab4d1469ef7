"""Refresh the README's screenshots: ``.venv/bin/python docs/screenshots.py``.

Builds a throw-away demo database (every enabled plugin's demo data) in a temporary
instance directory, serves it on a free local port and photographs the main pages
with Debian's headless Chromium into ``docs/screenshots/*.png``. Nothing outside that
folder is touched; ``DATABASE_URL`` is ignored so a real database is never used.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("ORDERBRIDGE_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "screenshots-only"


def build_app(instance: str):
    os.environ["ORDERBRIDGE_INSTANCE"] = instance
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    from core import create_app
    from core.db import db
    from core.demo import load_demo
    from core.migrate import upgrade_all
    from core.models import User
    from core.plugins import host_of

    app = create_app({"SECRET_KEY": "screenshots"})
    with app.app_context():
        upgrade_all(host_of(app))
        load_demo(host_of(app), if_empty=True)
        user = User(username="admin", role="admin", full_name="Alex Admin", email="admin@example.com")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    return app


def first_link(page, pattern: str) -> str | None:
    """The first link in the page's main table whose href matches ``pattern`` (a regex)."""
    return page.evaluate(
        """(pattern) => { const re = new RegExp(pattern);
             const a = [...document.querySelectorAll('main table a')].find((a) => re.test(a.getAttribute('href')));
             return a ? a.getAttribute('href') : null; }""",
        pattern,
    )


def order_entry(page, url: str) -> None:
    """Order entry: a customer and two items chosen by type-ahead, live totals."""
    page.goto(url + "/sales-orders/new")
    for selector, typed in (("#customer_code", "acm"), ("[name='lines-0-item_code']", "hex")):
        field = page.locator(selector)
        field.click()
        field.press_sequentially(typed, delay=30)
        page.locator("#lookup-list li").first.wait_for()
        field.press("Enter")
    page.fill("[name='lines-0-qty_ordered']", "6")
    page.locator("[name='lines-0-vendor_code']").press("Enter")  # Enter on the last field adds a line
    field = page.locator("[name='lines-1-item_code']")
    field.press_sequentially("dri", delay=30)
    page.locator("#lookup-list li").first.wait_for()
    field.press("Enter")
    page.fill("[name='lines-1-qty_ordered']", "2")
    page.locator("[name='lines-1-discount_pct']").fill("10")
    page.locator("#so-total").click()
    page.screenshot(path=str(OUT / "order_entry.png"), full_page=True)


def main() -> int:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    instance = tempfile.mkdtemp(prefix="orderbridge-shots-")
    app = build_app(instance)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    OUT.mkdir(parents=True, exist_ok=True)
    taken: list[str] = []
    rules = set(app.view_functions)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1366, "height": 800})
        page.set_default_timeout(10_000)

        def shot(name: str, path: str | None = None) -> None:
            if path is not None:
                page.goto(url + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
            taken.append(name)

        shot("login", "/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url(url + "/")
        shot("home")  # the dashboard
        page.locator("details.navgroup[data-group='Purchasing'] > summary").click()
        page.screenshot(path=str(OUT / "menu.png"), clip={"x": 0, "y": 0, "width": 1366, "height": 420})
        taken.append("menu")
        shot("modules", "/admin/modules")
        shot("partners", "/partners")
        shot("items", "/items")

        from core.options import registry
        from core.plugins import host_of

        with app.app_context():
            enabled = host_of(app).enabled()
            with_options = [n for n in host_of(app).order() if n in registry().declared and n in enabled]
        preferred = [n for n in ("sales_order", "purchase_order", "po_generation") if n in with_options]
        if preferred or with_options:
            shot("options", f"/admin/options/{(preferred or with_options)[0]}")

        for name, endpoint, path, detail in (
            ("sales_orders", "sales_order.index", "/sales-orders", r"^/sales-orders/\d+$"),
            ("purchase_orders", "purchase_order.index", "/purchase-orders", r"^/purchase-orders/\d+$"),
        ):
            if endpoint not in rules:
                print(f"skipped {name}: plugin not loaded")
                continue
            shot(name, path)
            href = first_link(page, detail)
            if href:
                shot(name[:-1], href)
                if name == "sales_orders":
                    shot("order_confirmation", href + "/print")
        if "sales_order.new" in rules:
            order_entry(page, url)
            taken.append("order_entry")
        # a phone (390 px): the menu folds behind one button
        phone = browser.new_context(viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state())
        small = phone.new_page()
        small.goto(url + "/")
        small.wait_for_load_state("networkidle")
        small.screenshot(path=str(OUT / "phone_home.png"), full_page=False)
        small.locator("[data-nav-toggle]").click()
        small.screenshot(path=str(OUT / "phone_menu.png"), full_page=False)
        taken += ["phone_home", "phone_menu"]
        phone.close()
        browser.close()
    server.shutdown()
    print(f"wrote {', '.join(taken)} into {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
