"""Fixtures of the purchase_order tests."""

from __future__ import annotations

import pytest

import core.plugins
from core.db import db

from . import probe_plugin as probe


@pytest.fixture
def papp(app, monkeypatch):
    """A second app with the probe plugin enabled (tables already cleaned by ``app``)."""
    from core.demo import add_core_demo

    monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, "probe_purchase_order", "tests.purchase_order.probe_plugin")
    probe.CALLS.clear()
    probe.FAIL.clear()
    probe.FORM_DATA.clear()
    probe.MARKS.clear()
    probe.FILLS.clear()
    from tests.conftest import make_app

    app2 = make_app()
    with app2.app_context():
        add_core_demo(db.session)
        db.session.commit()
    yield app2
    with app2.app_context():
        db.session.remove()
        db.engine.dispose()
