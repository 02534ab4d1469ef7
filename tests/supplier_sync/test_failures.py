"""Supplier failures (500, timeout, garbage, malformed) leave the PO unchanged and are retried."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from core.db import db
from core.models import utcnow
from plugins.supplier_sync import jobs, sync
from plugins.supplier_sync.models import InboxMessage, PoSync, SyncNotification

from .helpers import make_po, po_lines


def _linked(app, wired, qty="100"):
    with app.app_context():
        po_id, number = make_po([("BOLT-10", 100, "4.20")])
    ref = wired.sim.control("orders", {"buyer_po_number": number, "lines": [
        {"line_ref": "1", "item_code": "NW-B10", "qty": qty, "unit_price": "4.2"}]})["order_ref"]
    return po_id, ref


def _make_due(app) -> None:
    with app.app_context():
        db.session.execute(sa.update(InboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


@pytest.mark.parametrize("mode, words", [("500", "HTTP 500"), ("timeout", "did not answer within 1 s"),
                                         ("garbage", "not JSON"), ("malformed", "lines must be a list")])
def test_a_failed_pull_leaves_the_po_unchanged_records_the_error_and_retries(app, wired, mode, words):
    po_id, ref = _linked(app, wired)
    wired.sim.control("fail", {"mode": mode, "count": 1})
    wired.sim.control(f"orders/{ref}/lines/1", {"qty": "40"})
    with app.app_context():
        assert po_lines(po_id)["BOLT-10"][0] == D("100")
        state = db.session.get(PoSync, po_id)
        assert words in state.last_error and state.last_error_at is not None
        msg = db.session.scalars(sa.select(InboxMessage).order_by(InboxMessage.id.desc())).first()
        assert msg.status == "pending" and msg.attempts == 1 and words in msg.last_error
        assert msg.next_attempt_at > utcnow() + timedelta(seconds=20)  # backoff: the first delay is 30 s
        # not due yet: the sweep leaves it alone
        assert jobs.retry_due().get("applied") is None
    _make_due(app)
    with app.app_context():
        assert jobs.retry_due()["applied"] == 1
        assert po_lines(po_id)["BOLT-10"][0] == D("40")
        state = db.session.get(PoSync, po_id)
        assert state.last_error == "" and state.last_synced_at is not None


def test_backoff_doubles_and_the_last_attempt_is_reported(app, wired):
    from core.options import apply_changes

    with app.app_context():
        assert [sync.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
        assert sync.backoff(30) == timedelta(hours=6)
        apply_changes("supplier_sync", {"max_attempts": 2}, user_id=None, source="page")
        db.session.commit()
    po_id, ref = _linked(app, wired)
    wired.sim.control("fail", {"mode": "500", "count": 5})
    wired.sim.control(f"orders/{ref}/lines/1", {"qty": "40"})
    _make_due(app)
    with app.app_context():
        assert jobs.retry_due()["failed"] == 1
        msg = db.session.scalars(sa.select(InboxMessage).order_by(InboxMessage.id.desc())).first()
        assert msg.status == "failed" and msg.attempts == 2
        note = db.session.scalar(sa.select(SyncNotification).where(SyncNotification.kind == "sync_failed"))
        assert ref in note.message and note.po_id == po_id
        assert po_lines(po_id)["BOLT-10"][0] == D("100")


def test_a_stuck_claim_is_taken_over_and_a_claimed_message_is_not_run_twice(app, wired):
    po_id, ref = _linked(app, wired)
    with app.app_context():
        msg_id = db.session.scalar(sa.select(InboxMessage.id))
        db.session.execute(sa.update(InboxMessage).values(status="pending", next_attempt_at=utcnow()))
        db.session.commit()
        assert sync.claim(msg_id) is True
        assert sync.claim(msg_id) is False  # another worker gets nothing
        assert sync.pull_and_apply(msg_id) == "taken"
        db.session.execute(sa.update(InboxMessage).values(claimed_at=utcnow() - timedelta(minutes=11)))
        db.session.commit()
        assert sync.pull_and_apply(msg_id) == "skipped"  # already applied by the first delivery
