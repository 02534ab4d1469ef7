"""The one module that knows how supplier-sync work is queued (Huey, :mod:`core.jobs`).

The inbox row (``ss_inbox``) is the truth, the queue message only a hint: the webhook
stores the notification in its transaction and asks for ``supplier_sync.pull`` after the
commit (:func:`core.jobs.enqueue_after_commit`). Whoever runs a pull first claims the row
(:func:`.sync.claim`), so a hint delivered twice, or re-sent by the sweep, does the work once.

* ``pull(inbox_id)``: fetch and apply the supplier order; a supplier failure (500, timeout,
  malformed answer) leaves the PO unchanged, records the error on the row and schedules the
  next try with backoff (:func:`.sync.backoff`);
* ``sweep`` (every minute): re-enqueue the rows whose hint was lost (due for a while and
  still pending, or claimed by a worker that died);
* ``reconcile`` (every 5 minutes): the reconciliation pull of each auto-sync vendor whose
  *Reconciliation pull every (minutes)* has passed;
* ``submit(po_id)``, ``refresh(po_id)``: send a PO to the supplier, the Refresh button.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from core.db import db
from core.jobs import Job, enqueue_after_commit, jobs_of
from core.models import utcnow

from . import sync

log = logging.getLogger(__name__)
PULL = "supplier_sync.pull"
# a pending row due this long ago has lost its hint: a live hint is run within seconds
LOST_AFTER = timedelta(minutes=2)


def background_jobs() -> list[Job]:
    """What ``plugin.background_jobs`` offers (the names are ``supplier_sync.<name>``)."""
    return [
        Job("pull", pull_job),
        Job("submit", sync.submit_po, retries=3, retry_delay=60),
        Job("refresh", _refresh_quietly),
        Job("sweep", sweep_job, every_minutes=1),
        Job("reconcile", reconcile_job, every_minutes=5),
    ]


# -- asking for work (inside the caller's transaction: sent after its commit) ---------------------


def enqueue_pull(inbox_id: int) -> None:
    """A notification was stored: pull and apply its supplier order after the commit."""
    enqueue_after_commit(PULL, inbox_id)


def enqueue_submit(po_id: int) -> None:
    """A PO was sent to its vendor: submit it to the supplier's system after the commit."""
    enqueue_after_commit("supplier_sync.submit", po_id)


def enqueue_refresh(po_id: int) -> None:
    """The Refresh button: pull this PO's supplier order after the commit."""
    enqueue_after_commit("supplier_sync.refresh", po_id)


# -- the jobs ------------------------------------------------------------------------------------------


def pull_job(inbox_id: int) -> str:
    """Run one notification; on a supplier failure, hint the retry for when its backoff ends."""
    outcome = sync.pull_and_apply(inbox_id)
    if outcome == "retry":
        due = db.session.scalar(sa.select(sync.InboxMessage.next_attempt_at).where(sync.InboxMessage.id == inbox_id))
        db.session.rollback()
        delay = max(1, int((due - utcnow()).total_seconds())) if due else 1
        _schedule(inbox_id, delay)
    return outcome


def _schedule(inbox_id: int, delay: int) -> None:
    """A delayed hint; lost (queue down, immediate mode) it is re-sent by the sweep."""
    try:
        jobs = jobs_of()
        if not jobs.huey.immediate:
            jobs.task(PULL).schedule(args=(inbox_id,), delay=delay)
    except Exception:  # the row is pending with its next attempt time: the sweep finds it
        log.exception("could not schedule the retry of supplier notification %s", inbox_id)


def _refresh_quietly(po_id: int) -> None:
    try:
        sync.refresh_po(po_id)
    except sync.SyncError:
        pass  # recorded on the PO by refresh_po; the page shows it


def lost_messages(limit: int = 500) -> list[int]:
    """Inbox rows whose hint is gone: pending and due for :data:`LOST_AFTER`, or claimed by a
    worker that stopped (:data:`.sync.STALE_CLAIM`)."""
    now = utcnow()
    msg = sync.InboxMessage
    ids = list(db.session.scalars(
        sa.select(msg.id).where(sa.or_(sa.and_(msg.status == "pending", msg.next_attempt_at <= now - LOST_AFTER),
                                       sa.and_(msg.status == "working", msg.claimed_at < now - sync.STALE_CLAIM)))
        .order_by(msg.id).limit(limit)))
    db.session.rollback()
    return ids


def sweep_job() -> int:
    """Re-enqueue the notifications whose hint was lost; how many."""
    ids = lost_messages()
    jobs = jobs_of()
    for inbox_id in ids:
        jobs.enqueue(PULL, inbox_id)
    if ids:
        log.info("supplier sync sweep re-enqueued %s notification(s)", len(ids))
    return len(ids)


def reconcile_job() -> dict[str, int]:
    """The periodic reconciliation pull of every auto-sync vendor that is due."""
    return _reconcile(sync.vendors_to_reconcile(due_only=True))


def _reconcile(vendor_ids: list[int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for vendor_id in vendor_ids:
        try:
            sync.reconcile(vendor_id)
            counts["reconciled"] = counts.get("reconciled", 0) + 1
        except sync.SyncError as exc:
            log.warning("reconciliation of vendor %s failed: %s", vendor_id, exc)
            counts["reconcile_failed"] = counts.get("reconcile_failed", 0) + 1
    return counts


# -- by hand (``orderbridge supplier-sync sweep``, tests): the same work, in this process ---------------


def sweep() -> dict[str, int]:
    """Run the notifications that are due now, then reconcile every auto-sync vendor."""
    counts = retry_due()
    for key, value in reconcile_all().items():
        counts[key] = counts.get(key, 0) + value
    return counts


def retry_due() -> dict[str, int]:
    """Run the notifications whose (re)try time has come; outcome -> how many."""
    counts: dict[str, int] = {}
    for inbox_id in sync.due_messages():
        outcome = sync.pull_and_apply(inbox_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def reconcile_all() -> dict[str, int]:
    """The reconciliation pull of every vendor with auto-sync on, due or not."""
    return _reconcile(sync.vendors_to_reconcile())
