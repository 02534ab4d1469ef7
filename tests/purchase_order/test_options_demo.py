"""The options page shows the Sage options in the seed's words; the demo hook adds POs."""

from __future__ import annotations

import sqlalchemy as sa

from core.db import db
from plugins.purchase_order.models import CancelReasonCode, PoLineStatus, PurchaseOrder


def test_options_page_tabs_and_help(admin_client, demo):
    body = admin_client.get("/admin/options/purchase_order").get_data(as_text=True)
    for text in ("Main", "Entry", "Line Entry", "History", "Days to Retain Completed Purchase Orders",
                 "Next Automatic Receipt of Goods Number", "Default Warehouse for Purchase Orders",
                 "Allow Qty Received or Invoiced to Exceed Qty Ordered", "Retain Receipt History",
                 "Completed purchase orders older than this many days are removed at period end (up to 999)."):
        assert text in body, text
    for absent in ("Post Accounts Payable Invoices", "Default Bank Code for COD Payments", "Combine Sales Orders"):
        assert absent not in body, absent


def test_demo_data_adds_purchase_orders(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        pos = db.session.scalars(sa.select(PurchaseOrder).order_by(PurchaseOrder.id)).all()
        assert len(pos) >= 2 and {p.status for p in pos} >= {"new", "sent"}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PoLineStatus)) >= 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CancelReasonCode)) >= 1
