"""Fixtures for the platform tests: apps with the small plugins of ``tests/platform_plugins``."""

from __future__ import annotations

import pytest

import core.plugins
from core.testing import Client
from core.testing import client_of as client_for  # noqa: F401  (imported by the core tests)
from tests.platform_plugins import probe

PKG = "tests.platform_plugins"


def add_plugins(monkeypatch, *names: str, **aliases: str) -> None:
    """Install test plugins as built-ins: ``add_plugins(mp, "probe", sales_order="fake_sales_order")``."""
    for name in names:
        monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, name, f"{PKG}.{name}")
    for name, module in aliases.items():
        monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, name, f"{PKG}.{module}")


@pytest.fixture(autouse=True)
def _reset_probe():
    probe.EVENTS.clear()
    probe.SWITCHES.clear()
    yield
    probe.EVENTS.clear()
    probe.SWITCHES.clear()


@pytest.fixture
def probe_app(app, users, app_factory, monkeypatch):
    """All installed plugins plus ``probe`` and ``probe_child``, on clean tables with one user per role."""
    add_plugins(monkeypatch, "probe", "probe_child")
    return app_factory()


@pytest.fixture
def pc(probe_app) -> Client:
    """An administrator's client on ``probe_app``."""
    return client_for(probe_app, "admin")
