"""A supplier's change applied to a PO is in the PO's activity log, with what changed."""

from __future__ import annotations

from core import activity
from core.db import db

from .helpers import make_po


def test_a_sync_applied_is_on_the_po_log(app, wired):
    with app.app_context():
        po_id, number = make_po([("BOLT-10", 100, "4.20"), ("GLOVES", 50, "2.10")])
    order = wired.sim.control("orders", {"buyer_po_number": number, "notify": True, "lines": [
        {"line_ref": "1", "item_code": "NW-B10", "qty": "100", "unit_price": "4.20"},
        {"line_ref": "2", "item_code": "NW-GL", "qty": "50", "unit_price": "2.10"}]})
    wired.sim.control(f"orders/{order['order_ref']}/lines/1", {"qty": "80"})
    with app.app_context():
        db.session.expire_all()
        entries = [(e.action, e.details) for e in activity.entries("purchase_order", po_id)]
        assert any(a == "synced" and d.startswith("Supplier's order applied") for a, d in entries)
        assert any(a == "changed" and "line 1: qty 100 -> 80" in d for a, d in entries)
