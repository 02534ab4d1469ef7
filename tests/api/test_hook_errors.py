"""A plugin that fails in a save hook: the API answers 422 naming it, and nothing is kept."""

from __future__ import annotations

import sqlalchemy as sa

from core.api.keys import create_key
from core.db import db
from core.models import User
from tests.api.test_sales_orders import order_body


def test_failing_save_hook_is_422_naming_the_plugin_and_nothing_is_kept(install_plugins, app_factory, app, demo,
                                                                       users, monkeypatch):
    import tests.sales_order.probe_plugin as probe
    from plugins.sales_order.models import SalesOrder

    install_plugins(probe_sales_order="tests.sales_order.probe_plugin")
    papp = app_factory()
    with papp.app_context():
        _row, key = create_key(db.session.get(User, users["sales"]), "probe", None)
        db.session.commit()
    monkeypatch.setattr(probe, "RAISE", {"on_sales_order_saved"})
    resp = papp.test_client().post("/api/v1/sales-orders", json=order_body(app),
                                   headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "once"})
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["plugin"] == "probe_sales_order" and body["hook"] == "on_sales_order_saved"
    assert "Plugin 'probe_sales_order' failed in on_sales_order_saved: probe refuses" in body["detail"]
    with papp.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SalesOrder)) == 0
    monkeypatch.setattr(probe, "RAISE", set())
    again = papp.test_client().post("/api/v1/sales-orders", json=order_body(app),
                                    headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "once"})
    assert again.status_code == 201  # the refusal was not kept under the key
