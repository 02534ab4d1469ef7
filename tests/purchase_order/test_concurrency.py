"""Receipts from several sessions at once never receive more than is outstanding (row locks)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError
from core.testing import race
from plugins.purchase_order import services as svc
from plugins.purchase_order.models import PurchaseOrder, Receipt

from .helpers import make_po, on_hand


def test_concurrent_receipts_never_over_receive(app, demo):
    with app.app_context():
        po = make_po(lines=(("BOLT-10", 10, "1"),))
        po_id, lid = po.id, po.lines[0].id
        stock_before = on_hand("BOLT-10")
    outcomes = race(app, lambda: svc.post_receipt(po_id, {lid: Decimal(6)}), [()] * 4, expected=(ValidationError,))
    assert sum(not isinstance(o, ValidationError) for o in outcomes) == 1  # one receipt, three refused
    with app.app_context():
        po = db.session.get(PurchaseOrder, po_id)
        assert po.lines[0].qty_received == 6
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)) == 1
        assert on_hand("BOLT-10") == stock_before + 6
        numbers = set(db.session.scalars(sa.select(Receipt.number)))
        assert len(numbers) == 1


def test_concurrent_receipts_on_different_pos_share_history_row(app, demo):
    """Two POs of one vendor and item received at once both land in one purchase-history row."""
    from plugins.purchase_order.models import PurchaseHistory

    with app.app_context():
        a = make_po(lines=(("BOLT-10", 10, "1"),))
        b = make_po(lines=(("BOLT-10", 10, "1"),))
        jobs = [(a.id, a.lines[0].id), (b.id, b.lines[0].id)]
    race(app, lambda po_id, lid: svc.post_receipt(po_id, {lid: Decimal(3)}), jobs)
    with app.app_context():
        row = db.session.scalars(sa.select(PurchaseHistory)).one()
        assert row.qty_received == 6
        assert len(set(db.session.scalars(sa.select(Receipt.number)))) == 2


def test_concurrent_bulk_creation_with_the_same_given_number_refuses_cleanly(app, demo):
    """Two generations both finding SO-derived number 0100022 free: one takes it, the other is
    refused with a message (the PO-number lock serialises them), never a unique-constraint error."""
    from plugins.purchase_order import documents as docs

    from .helpers import ids

    with app.app_context():
        k = ids()
        docs.lock_po_numbers()  # the counter row exists before the race
        db.session.commit()

    def generate():
        draft = docs.PurchaseOrderDraft(vendor_id=k["V2000"], number="0100022", lines=[
            docs.PurchaseOrderLineDraft(item_id=k["BOLT-10"], qty=Decimal(1))])
        auto = docs.PurchaseOrderDraft(vendor_id=k["V2001"], lines=[
            docs.PurchaseOrderLineDraft(item_id=k["DRILL-18V"], qty=Decimal(1))])
        docs.create_purchase_orders([draft, auto])

    outcomes = race(app, generate, [()] * 4, expected=(ValidationError,))
    refusals = [str(o) for o in outcomes if isinstance(o, ValidationError)]
    assert len(refusals) == 3 and all("already used" in r for r in refusals)
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(PurchaseOrder.number))) == ["0000001", "0100022"]
