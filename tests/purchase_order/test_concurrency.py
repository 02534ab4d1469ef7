"""Receipts from several sessions at once never receive more than is outstanding (row locks)."""

from __future__ import annotations

import threading
from decimal import Decimal

import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError
from plugins.purchase_order import services as svc
from plugins.purchase_order.models import PurchaseOrder, Receipt

from .helpers import make_po, on_hand


def test_concurrent_receipts_never_over_receive(app, demo):
    with app.app_context():
        po = make_po(lines=(("BOLT-10", 10, "1"),))
        po_id, lid = po.id, po.lines[0].id
        stock_before = on_hand("BOLT-10")
    threads_n = 4
    barrier = threading.Barrier(threads_n)
    outcomes: list[str] = []

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                svc.post_receipt(po_id, {lid: Decimal(6)})
                db.session.commit()
                outcomes.append("ok")
            except ValidationError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * (threads_n - 1)
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
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(po_id, lid):
        with app.app_context():
            barrier.wait()
            try:
                svc.post_receipt(po_id, {lid: Decimal(3)})
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
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
    threads_n = 4
    barrier = threading.Barrier(threads_n)
    outcomes: list[str] = []

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                draft = docs.PurchaseOrderDraft(vendor_id=k["V2000"], number="0100022", lines=[
                    docs.PurchaseOrderLineDraft(item_id=k["BOLT-10"], qty=Decimal(1))])
                auto = docs.PurchaseOrderDraft(vendor_id=k["V2001"], lines=[
                    docs.PurchaseOrderLineDraft(item_id=k["DRILL-18V"], qty=Decimal(1))])
                docs.create_purchase_orders([draft, auto])
                db.session.commit()
                outcomes.append("ok")
            except ValidationError as exc:
                db.session.rollback()
                outcomes.append("refused" if "already used" in str(exc) else str(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * (threads_n - 1)
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(PurchaseOrder.number))) == ["0000001", "0100022"]
