"""Supplier sync on the real queue: the webhook answers at once and only stores the notification,
a real Huey consumer applies it (SQLite queue; Redis db 11 in the PostgreSQL leg), a retry is
scheduled with backoff, and a lost hint is recovered by the periodic sweep."""

from __future__ import annotations

import contextlib
import signal
import uuid
from datetime import timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from core.db import db
from core.jobs import jobs_of
from core.models import utcnow
from plugins.supplier_sync import jobs
from plugins.supplier_sync.models import InboxMessage, PoSync, SupplierConnection
from tests.conftest import DB_URL
from tests.core.test_jobs import wait_for

from .conftest import serve_live, wire
from .helpers import make_po, po_lines

REDIS_URL = "redis://127.0.0.1:6379/11"  # this area's Redis database: new queue tests only


@pytest.fixture
def queued(app_factory, app, users, demo, sim, tmp_path):
    """OrderBridge on loopback with a real queue (not immediate): SQLite file, or Redis in the PostgreSQL leg."""
    if DB_URL.startswith("postgres"):
        config = {"QUEUE_URL": REDIS_URL, "QUEUE_NAME": f"ob-sync-test-{uuid.uuid4().hex[:8]}"}
    else:
        config = {"QUEUE_PATH": str(tmp_path / "queue.db")}
    live = app_factory(QUEUE_IMMEDIATE=False, **config)
    huey = jobs_of(live).huey
    huey.flush()
    with serve_live(live) as served:
        yield wire(app, sim, served)
    huey.flush()


@contextlib.contextmanager
def consumer(live, workers: int = 1):
    """Huey's real consumer for ``live``'s queue (threads), stopped after the block."""
    c = jobs_of(live).consumer(workers=workers, periodic=False)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    c.start()
    try:
        yield c
    finally:
        c.stop(graceful=True)
        for s, h in handlers.items():
            signal.signal(s, h)


def _order(wired, number: str, qty: str = "100") -> str:
    return wired.sim.control("orders", {"buyer_po_number": number, "notify": False, "lines": [
        {"line_ref": "1", "item_code": "NW-B10", "qty": qty, "unit_price": "4.2"}]})["order_ref"]


def _inbox(app) -> InboxMessage:
    """The newest inbox row, read in a new read transaction (a GET's: no SQLite write lock taken)."""
    with app.test_request_context("/", method="GET"):
        msg = db.session.scalars(sa.select(InboxMessage).order_by(InboxMessage.id.desc())).first()
        db.session.expunge_all()
        db.session.remove()
    return msg


def test_the_webhook_answers_at_once_and_a_real_consumer_applies_it(app, queued):
    live = queued.ob.app
    assert {"supplier_sync.pull", "supplier_sync.sweep", "supplier_sync.reconcile"} <= set(jobs_of(live).tasks)
    with app.app_context():
        po_id, number = make_po([("BOLT-10", 100, "4.20")])
    ref = _order(queued, number, "70")
    code, body = queued.post_notification(ref, msg_id="msg_once")
    assert code == 202 and body["status"] == "accepted"
    # answered before any work: stored, hinted on the queue, nothing pulled, the PO unchanged
    assert queued.sim.fetches == [] and len(jobs_of(live).huey) == 1
    with app.app_context():
        assert _inbox(app).status == "pending" and po_lines(po_id)["BOLT-10"][0] == D("100")
    with consumer(live):
        with app.app_context():
            assert wait_for(lambda: _inbox(app).status == "done", 60), _inbox(app).last_error
            assert _inbox(app).result == "applied" and po_lines(po_id)["BOLT-10"][0] == D("70")
    assert queued.sim.fetches == [ref]
    # the same id again: 200, no hint, no work
    assert queued.post_notification(ref, msg_id="msg_once")[0] == 200
    assert len(jobs_of(live).huey) == 0
    with app.app_context():
        assert db.session.get(PoSync, po_id).last_synced_at is not None


def test_a_lost_hint_is_recovered_by_the_sweep(app, queued):
    live = queued.ob.app
    with app.app_context():
        po_id, number = make_po([("BOLT-10", 100, "4.20")])
    ref = _order(queued, number, "55")
    assert queued.post_notification(ref)[0] == 202
    jobs_of(live).huey.flush()  # the hint is lost (a queue restarted without persistence, say)
    with live.app_context():
        assert jobs.sweep_job() == 0  # a fresh row is not lost yet: its hint may still be coming
        db.session.execute(sa.update(InboxMessage).values(next_attempt_at=utcnow() - timedelta(minutes=3)))
        db.session.commit()
        assert jobs.sweep_job() == 1
    assert len(jobs_of(live).huey) == 1
    with consumer(live), app.app_context():
        assert wait_for(lambda: _inbox(app).status == "done", 60), _inbox(app).last_error
        assert po_lines(po_id)["BOLT-10"][0] == D("55")


def test_a_supplier_failure_is_retried_by_the_queue_with_backoff(app, queued):
    from core.options import apply_changes

    live = queued.ob.app
    with app.app_context():
        apply_changes("supplier_sync", {"retry_base_seconds": 1}, user_id=None, source="page")
        db.session.commit()
        po_id, number = make_po([("BOLT-10", 100, "4.20")])
    ref = _order(queued, number, "40")
    queued.sim.control("fail", {"mode": "500", "count": 1})
    assert queued.post_notification(ref)[0] == 202
    with consumer(live), app.app_context():
        # first try: HTTP 500, the PO unchanged; the queue runs the retry when the backoff ends
        assert wait_for(lambda: _inbox(app).status == "done", 60), _inbox(app).last_error
        msg = _inbox(app)
        assert msg.attempts == 2 and msg.result == "applied"
        assert po_lines(po_id)["BOLT-10"][0] == D("40")


def test_the_periodic_reconciliation_pulls_only_vendors_that_are_due(app, wired):
    from core.options import apply_changes

    with app.app_context():
        po_id, number = make_po([("BOLT-10", 100, "4.20")])
    ref = _order(wired, number, "30")  # changed at the supplier, no notification sent
    with app.app_context():
        apply_changes("supplier_sync", {"reconcile_minutes": 30}, user_id=None, source="page")
        db.session.execute(sa.update(SupplierConnection).values(last_reconciled_at=utcnow() - timedelta(minutes=10)))
        db.session.commit()
        assert jobs.reconcile_job() == {}  # reconciled 10 minutes ago: not due
        assert po_lines(po_id)["BOLT-10"][0] == D("100")
        db.session.execute(sa.update(SupplierConnection).values(last_reconciled_at=utcnow() - timedelta(minutes=31)))
        db.session.commit()
        assert jobs.reconcile_job() == {"reconciled": 1}
        assert po_lines(po_id)["BOLT-10"][0] == D("30")
    assert ref in wired.sim.fetches
