"""Browser-test fixtures: a live server on the test database and headless Chromium.

``live_server`` serves a fresh app (clean tables, the ``users`` fixture's users) with
werkzeug in a background thread; ``page`` is a Playwright page in a fresh browser
context; ``login(page, live_server, "admin")`` signs in through the real form.

Chromium is Debian's (``/usr/bin/chromium``): Playwright cannot download its own
browsers here. When it is missing or cannot start, every browser test is SKIPPED
with the reason (never silently passed).

SQLite has one writer at a time: do database set-up in
``with live_server.app.app_context():`` blocks that END before driving the browser,
or the server thread will wait on the test thread's write lock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from core.testing import LiveServer, serve_live
from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("ORDERBRIDGE_CHROMIUM", "/usr/bin/chromium")
def require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"browser tests need Chromium at {CHROMIUM} (Debian package 'chromium', installed by "
                    "`make browser-deps`); it is not installed")


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
DEFAULT_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server(app_factory, app, users) -> Iterator[LiveServer]:
    """The app served on 127.0.0.1:<free port> in a thread; ``.url`` has no trailing slash.

    Built after ``app``/``users``, so the tables are clean and one user per role exists.
    A test that registers a probe plugin with ``monkeypatch.setitem(BUILTIN_PLUGINS, ...)``
    must do so before requesting this fixture (or build its own server with ``serve_live``).
    """
    with serve_live(app_factory()) as served:
        yield served


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session. A browser that is missing or cannot start
    fails the tests with the reason: ``make test`` installs it (``make browser-deps``), and a
    skipped browser test would prove nothing."""
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:
        pw.stop()
        reason = " ".join(str(exc).split())[:300]
        pytest.fail(f"Playwright could not launch {CHROMIUM}: {reason}")
    yield chromium
    chromium.close()
    pw.stop()


@pytest.fixture
def page(browser):
    """A fresh context (no cookies) and page per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    pg = context.new_page()
    yield pg
    context.close()


def login(page, live_server: LiveServer, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form and wait for the home page."""
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.wait_for_selector("header .who", state="attached")  # on a phone the menu is folded away


def _entry(page, label: str, within: str = "nav.mainnav .navmenu a"):
    import re

    return page.locator(within).filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))


def menu_link(page, label: str):
    """The menu entry called exactly ``label`` (a locator; it may sit in a closed area)."""
    return _entry(page, label)


def menu(page, label: str) -> None:
    """Go to a page through the menu as a person would: open the menu (phone), its area, click the entry."""
    link = menu_link(page, label)
    toggle = page.locator("[data-nav-toggle]")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    area = page.locator("details.navgroup", has=_entry(page, label, ".navmenu a"))
    if area.get_attribute("open") is None:
        area.locator("summary").click()
    link.click()
