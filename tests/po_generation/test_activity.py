"""The activity log (core.activity) as each plugin writes it: sales orders, POs, generation."""

from __future__ import annotations

import re
from decimal import Decimal as D

import sqlalchemy as sa

from core import activity
from core.db import db
from core.models import Activity
from plugins.po_generation.generation import generate_for_order
from plugins.purchase_order import services as po_services
from plugins.purchase_order.models import PurchaseOrder
from plugins.sales_order.models import SalesOrder

from .helpers import make_order, set_options, so_form


def log(doc_type: str, doc_id: int) -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(e.action, e.details) for e in reversed(activity.entries(doc_type, doc_id))]


def po_of(vendor: str) -> PurchaseOrder:
    return db.session.scalars(sa.select(PurchaseOrder).join(PurchaseOrder.vendor)
                              .where(sa.text("core_partner.number = :n")).params(n=vendor)).one()


def test_record_is_kept_only_when_the_transaction_commits(app, demo):
    with app.app_context():
        activity.record("sales_order", 42, "changed", "kept? no")
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0
        activity.record("sales_order", 42, "changed", "kept", number="0000042")
        db.session.commit()
        [entry] = activity.entries("sales_order", 42)
        assert (entry.details, entry.user_id, entry.document_number) == ("kept", None, "0000042")


def test_describe_changes_is_compact():
    before = {"ship_via": "UPS", "notes": "a" * 80, "qty": D("5.000")}
    after = {"ship_via": "FedEx", "notes": "b" * 80, "qty": D("5")}
    assert activity.describe_changes(before, after, {"ship_via": "Ship via", "notes": "Notes", "qty": "Qty"}) == [
        "Ship via: UPS -> FedEx", "Notes changed"]


def _resave(so_id: int, qtys: dict[str, str], **header) -> None:
    from plugins.sales_order.services import LineInput, OrderInput, save_order

    order = db.session.get(SalesOrder, so_id)
    data = OrderInput(customer_id=order.customer_id, number=order.number, warehouse_id=order.warehouse_id,
                      lines=[LineInput(id=ln.id, item_id=ln.item_id, qty_ordered=D(qtys[ln.item.code]), index=i)
                             for i, ln in enumerate(order.lines) if ln.item.code in qtys], **header)
    save_order(data, order)
    db.session.commit()


def test_sales_order_saves_record_created_and_a_compact_diff(app, demo):
    with app.app_context():
        so = make_order([("BOLT-10", 5), ("GLOVES", 2)])
        _resave(so.id, {"BOLT-10": "7"}, ship_via="Courier")
        entries = log("sales_order", so.id)
        assert entries[0][0] == "created" and entries[0][1].startswith("2 lines, total")
        action, details = entries[-1]
        assert action == "changed"
        assert "Ship via: UPS Ground -> Courier" in details
        assert "line 1 (BOLT-10) qty 5 -> 7" in details and "line 2 (GLOVES) removed (qty 2)" in details
        _resave(so.id, {"BOLT-10": "7"}, ship_via="Courier")  # nothing changed: nothing recorded
        assert len(log("sales_order", so.id)) == len(entries)


def test_status_changes_are_recorded_whatever_changes_them(app, demo):
    from plugins.sales_order.services import cancel_order

    with app.app_context():
        so = make_order([("BOLT-10", 1)])
        cancel_order(db.session.get(SalesOrder, so.id))
        db.session.commit()
        assert ("status", "Open order -> Cancelled") in log("sales_order", so.id)


def test_generated_pos_are_named_on_the_order_and_the_po(app, demo):
    with app.app_context():
        so = make_order([("SAW-TABLE", 2)])
        generate_for_order(so.id)
        db.session.commit()
        po = po_of("V2001")
        [(action, details)] = [e for e in log("sales_order", so.id) if e[0] == "pos_generated"]
        assert details == f"PO {po.number} (new)"
        created = dict(log("purchase_order", po.id))["created"]
        assert f"Generated from SO {so.number}" in created


def test_an_so_edit_that_changes_and_deletes_unsent_pos_says_so(app, demo, client_for):
    """The confirmation names the PO and the change; the PO's log records which SO and what."""
    with app.app_context():
        set_options(generate_on_save=True)
        so = make_order([("SAW-TABLE", 5), ("LADDER-8", 3)])
        so_id, number = so.id, so.number
        saw, ladder = po_of("V2001"), po_of("V2000")
        saw_id, saw_no, ladder_id, ladder_no = saw.id, saw.number, ladder.id, ladder.number
        line_ids = {ln.item.code: ln.id for ln in db.session.get(SalesOrder, so_id).lines}
    client = client_for("sales")
    form = so_form(app, [("SAW-TABLE", "3")], order_date="2026-05-04")
    form["lines-0-id"] = str(line_ids["SAW-TABLE"])  # the LADDER-8 line is left out: removed
    resp = client.post(f"/sales-orders/{so_id}/edit", data=form, follow_redirects=True)
    assert resp.status_code == 200
    page = re.sub(r"\s+", " ", resp.get_data(as_text=True))
    assert f"Sales order {number}: PO {saw_no} changed: line 1 (SAW-TABLE) quantity reduced from 5 to 3" in page
    assert f"PO {ladder_no} deleted (no lines left)" in page
    with app.app_context():
        saw_log = dict(log("purchase_order", saw_id))
        assert "line 1 (SAW-TABLE) qty 5 -> 3" in saw_log["changed"]
        assert f"Why: Sales order {number}: line 1 (SAW-TABLE) quantity reduced from 5 to 3" in saw_log["changed"]
        gone = dict(log("purchase_order", ladder_id))
        assert f"Sales order {number}" in gone["deleted"]
        assert any(a == "po_changed" and saw_no in d for a, d in log("sales_order", so_id))
    # the Activity panel on both pages, and the deleted PO says it was deleted
    so_page = client.get(f"/sales-orders/{so_id}").get_data(as_text=True)
    assert 'id="activity"' in so_page and "quantity reduced from 5 to 3" in so_page
    po_page = client.get(f"/purchase-orders/{saw_id}").get_data(as_text=True)
    assert 'id="activity"' in po_page and "Sales" in po_page  # who: the sales user's name
    deleted = client.get(f"/purchase-orders/{ladder_id}")
    assert deleted.status_code == 404 and f"Purchase order {ladder_no} was deleted on" in deleted.get_data(
        as_text=True)


def test_sent_receipts_and_returns_are_recorded_on_the_po(app, demo):
    with app.app_context():
        from tests.email_templates.test_vendor import make_po

        po = make_po()
        po_services.send_purchase_order(po, user_id=None)
        line_id = po.lines[0].id
        receipt = po_services.post_receipt(po.id, {line_id: "10"}).document
        ret = po_services.post_return(po.id, {line_id: "4"}).document
        db.session.commit()
        entries = dict(log("purchase_order", po.id))
        assert entries["sent"] == "Marked as sent to the vendor"
        assert entries["received"] == f"Receipt {receipt.number}: line 1 qty 10"
        assert entries["returned"] == f"Return {ret.number}: line 1 qty 4"
