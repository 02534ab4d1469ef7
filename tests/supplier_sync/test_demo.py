"""`orderbridge demo` wires vendor V2000 to the simulator that `supplier-sim --demo` starts."""

from __future__ import annotations

import sqlalchemy as sa
from supplier_sim.server import DEMO

from core.db import db
from core.demo import load_demo
from core.models import Partner
from core.plugins import host_of
from plugins.supplier_sync import demo as ss_demo
from plugins.supplier_sync.models import SupplierConnection


def test_demo_data_connects_v2000_to_the_simulator_with_the_same_values(app, monkeypatch):
    monkeypatch.setenv("SUPPLIER_SIM_URL", "http://127.0.0.1:5999")
    with app.app_context():
        load_demo(host_of(app), if_empty=True)
        vendor = db.session.scalar(sa.select(Partner).where(Partner.number == "V2000"))
        conn = db.session.get(SupplierConnection, vendor.id)
        assert conn.base_url == "http://127.0.0.1:5999" and conn.auto_sync and conn.connector == "http_json"
        assert (conn.api_key, conn.webhook_secret) == (DEMO["api_key"], DEMO["secret"])
        # `supplier-sim --demo` posts to vendor id 4: V2000's id in a fresh demo database (ids from 1)
        first = db.session.scalar(sa.select(sa.func.min(Partner.id)))
        assert DEMO["webhook_url"].endswith(f"/supplier-sync/webhook/{vendor.id - first + 1}")
    assert ss_demo.DEMO_SECRET == DEMO["secret"]
