"""The one module that knows how supplier-sync work is queued.

Until the Huey queue (``core/jobs.py``) lands, each job runs synchronously right after
the transaction that asked for it commits (``core.lifecycle.after_commit``), in a fresh
application context so it gets its own database session. Switching to Huey means
changing only this module: register the tasks and the periodic ones with the platform
hook, and make ``enqueue_*`` call ``enqueue_after_commit(task, *args)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app

from core.lifecycle import after_commit

from . import sync

log = logging.getLogger(__name__)


def _after_commit(fn: Callable[..., Any], *args: Any) -> None:
    app = current_app._get_current_object()
    if not app.config.get("SUPPLIER_SYNC_INLINE_JOBS", True):
        return  # a separate worker (`orderbridge supplier-sync sweep`, bench/sync.py) claims from the inbox

    def run() -> None:
        with app.app_context():
            try:
                fn(*args)
            except Exception:  # the inbox row stays pending: the sweep picks it up again
                log.exception("supplier sync job %s%r failed", fn.__name__, args)

    after_commit(run)


def enqueue_pull(inbox_id: int) -> None:
    """A notification was stored: pull and apply its supplier order after the commit."""
    _after_commit(sync.pull_and_apply, inbox_id)


def enqueue_submit(po_id: int) -> None:
    """A PO was sent to its vendor: submit it to the supplier's system after the commit."""
    _after_commit(sync.submit_po, po_id)


def enqueue_refresh(po_id: int) -> None:
    """The Refresh button: pull this PO's supplier order after the commit."""
    _after_commit(_refresh_quietly, po_id)


def _refresh_quietly(po_id: int) -> None:
    try:
        sync.refresh_po(po_id)
    except sync.SyncError:
        pass  # recorded on the PO by refresh_po; the page shows it


# -- periodic work (a cron line or `orderbridge supplier-sync sweep` until the queue lands) --------


def sweep() -> dict[str, int]:
    """Retry the notifications that are due, then reconcile every auto-sync vendor."""
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
    """The periodic reconciliation pull of every vendor with auto-sync on."""
    counts: dict[str, int] = {}
    for vendor_id in sync.vendors_to_reconcile():
        try:
            sync.reconcile(vendor_id)
            counts["reconciled"] = counts.get("reconciled", 0) + 1
        except sync.SyncError as exc:
            log.warning("reconciliation of vendor %s failed: %s", vendor_id, exc)
            counts["reconcile_failed"] = counts.get("reconcile_failed", 0) + 1
    return counts
