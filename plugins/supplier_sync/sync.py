"""The sync's service functions, run by background jobs (see :mod:`.jobs`) or tests.

Each function owns its transactions: it commits its own work and never holds a
transaction open while it talks to the supplier (on SQLite every transaction takes
the write lock, on PostgreSQL an open transaction would hold row locks).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.db import db
from core.errors import ValidationError
from core.models import utcnow
from core.plugins import host_of
from plugins.purchase_order.services import PurchaseOrderError

from .apply import ApplyResult, apply_snapshot, notify
from .connectors import ConnectorError
from .items import lookup_catalog, unknown_codes
from .models import InboxMessage, PoSync, SupplierConnection
from .options import options
from .snapshot import MalformedSnapshot, Snapshot, parse_snapshot

log = logging.getLogger(__name__)
MAX_DELAY = timedelta(hours=6)
STALE_CLAIM = timedelta(minutes=10)
FAILURES = (ConnectorError, MalformedSnapshot, ValidationError, PurchaseOrderError)


class SyncError(Exception):
    """A pull could not be done; the message says why (shown to the buyer)."""


def connectors() -> dict:
    found = {}
    for group in host_of(current_app).hook.supplier_connectors():
        for c in group or []:
            found.setdefault(c.name, c)
    return found


def connector_for(conn: SupplierConnection):
    connector = connectors().get(conn.connector)
    if connector is None:
        raise ConnectorError(f"no connector called {conn.connector!r} is installed")
    return connector


def backoff(attempts: int) -> timedelta:
    """1st retry after the base delay, then twice as long each time, at most six hours."""
    return min(timedelta(seconds=options.retry_base_seconds * 2 ** max(0, attempts - 1)), MAX_DELAY)


# -- the inbox --------------------------------------------------------------------------------


def record_notification(vendor_id: int, webhook_id: str, sent_at: datetime, supplier_ref: str) -> int | None:
    """Store a verified notification; None when its webhook-id is already stored (a duplicate).

    Runs in the caller's transaction (the webhook request). One statement decides, so two
    deliveries of one id racing each other store it once on SQLite and PostgreSQL alike.
    """
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    new_id = db.session.scalar(
        insert(InboxMessage).values(webhook_id=webhook_id, vendor_id=vendor_id, supplier_ref=supplier_ref,
                                    sent_at=sent_at, received_at=utcnow(), status="pending", attempts=0,
                                    next_attempt_at=utcnow(), result="", last_error="")
        .on_conflict_do_nothing(index_elements=["webhook_id"]).returning(InboxMessage.id))
    if new_id is None:
        return None
    column = SupplierConnection.last_notification_at
    db.session.execute(sa.update(SupplierConnection)
                       .where(SupplierConnection.vendor_id == vendor_id, sa.or_(column.is_(None), column < sent_at))
                       .values(last_notification_at=sent_at).execution_options(synchronize_session=False))
    note_on_po(vendor_id, supplier_ref, sent_at, utcnow())
    return new_id


def note_on_po(vendor_id: int, supplier_ref: str, sent_at: datetime | None, received_at: datetime) -> None:
    """The PO remembers the supplier's latest notification (the red date compares with it)."""
    column = PoSync.last_notification_received_at
    db.session.execute(sa.update(PoSync).where(PoSync.vendor_id == vendor_id, PoSync.supplier_ref == supplier_ref,
                                               sa.or_(column.is_(None), column < received_at))
                       .values(last_notification_at=sent_at, last_notification_received_at=received_at)
                       .execution_options(synchronize_session=False))


def claim(inbox_id: int) -> bool:
    """Take one due message for this worker (a conditional update: one worker wins). Commits."""
    now = utcnow()
    won = db.session.execute(
        sa.update(InboxMessage)
        .where(InboxMessage.id == inbox_id, InboxMessage.next_attempt_at <= now,
               sa.or_(InboxMessage.status == "pending",
                      sa.and_(InboxMessage.status == "working", InboxMessage.claimed_at < now - STALE_CLAIM)))
        .values(status="working", claimed_at=now, attempts=InboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()
    return won


def due_messages(limit: int = 100) -> list[int]:
    now = utcnow()
    ids = list(db.session.scalars(
        sa.select(InboxMessage.id).where(InboxMessage.status == "pending", InboxMessage.next_attempt_at <= now)
        .order_by(InboxMessage.id).limit(limit)))
    db.session.rollback()
    return ids


def pull_and_apply(inbox_id: int) -> str:
    """The job behind a notification: claim it, fetch the supplier's order, apply it.

    Returns the outcome ("applied", "skipped", "created", "ignored", "retry", "failed" or
    "taken" when another worker has it). A failure leaves the PO unchanged, records the
    error and schedules a retry with backoff; after the last attempt it is reported.
    """
    if not claim(inbox_id):
        return "taken"
    return run_claimed(inbox_id)


def run_claimed(inbox_id: int) -> str:
    """Fetch and apply the supplier order of a message this worker has claimed."""
    msg = db.session.get(InboxMessage, inbox_id)
    vendor_id, ref, attempts = msg.vendor_id, msg.supplier_ref, msg.attempts
    sent_at, received_at = msg.sent_at, msg.received_at
    try:
        result = pull(vendor_id, ref)
    except SyncError as exc:
        return record_failure(inbox_id, vendor_id, ref, attempts, str(exc))
    msg = db.session.get(InboxMessage, inbox_id)
    note_on_po(vendor_id, ref, sent_at, received_at)  # a PO linked by this very pull learns it too
    msg.status, msg.result, msg.processed_at, msg.last_error = "done", result.outcome, utcnow(), ""
    db.session.commit()
    return result.outcome


def record_failure(inbox_id: int | None, vendor_id: int, ref: str, attempts: int, error: str) -> str:
    """Note the error on the message and the PO; retry later, or report after the last attempt."""
    db.session.rollback()
    now = utcnow()
    final = attempts >= options.max_attempts
    if inbox_id is not None:
        msg = db.session.get(InboxMessage, inbox_id)
        msg.status = "failed" if final else "pending"
        msg.last_error, msg.next_attempt_at = error[:2000], now + backoff(attempts)
    state = db.session.scalar(sa.select(PoSync).where(PoSync.vendor_id == vendor_id, PoSync.supplier_ref == ref))
    if state is not None:
        state.last_error, state.last_error_at = error[:2000], now
    if final:
        po = db.session.get(_po_model(), state.po_id) if state is not None else None
        notify(vendor_id, "sync_failed", f"Supplier order {ref} could not be synced after {attempts} attempts: "
               f"{error}", po=po, supplier_ref=ref)
    db.session.commit()
    log.warning("supplier order %s of vendor %s: sync failed (attempt %s): %s", ref, vendor_id, attempts, error)
    return "failed" if final else "retry"


def _po_model():
    from plugins.purchase_order.models import PurchaseOrder

    return PurchaseOrder


# -- pulling ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fetched:
    snapshot: Snapshot
    catalog: dict


def _detached_connection(vendor_id: int) -> SupplierConnection:
    conn = db.session.get(SupplierConnection, vendor_id)
    if conn is None:
        db.session.rollback()
        raise SyncError("the vendor has no supplier connection")
    db.session.expunge(conn)  # keeps its loaded values for the network calls
    db.session.rollback()
    return conn


def fetch(vendor_id: int, ref: str) -> _Fetched:
    """Fetch and check the supplier's order, and ask the catalog about unknown items; no transaction held."""
    conn = _detached_connection(vendor_id)
    try:
        snap = parse_snapshot(connector_for(conn).fetch_order(conn, ref))
        if snap.order_ref != ref:
            raise MalformedSnapshot(f"asked for order {ref}, the supplier answered order {snap.order_ref}")
        unknown = unknown_codes(vendor_id, [ln.item_code for ln in snap.lines])
        db.session.rollback()
        catalog = lookup_catalog(conn, unknown) if unknown else {}
    except FAILURES as exc:
        db.session.rollback()
        raise SyncError(str(exc)) from None
    return _Fetched(snap, catalog)


def pull(vendor_id: int, ref: str, *, manual: bool = False) -> ApplyResult:
    """Fetch supplier order ``ref`` and apply it in one transaction; raises SyncError (rolled back)."""
    fetched = fetch(vendor_id, ref)
    try:
        conn = db.session.get(SupplierConnection, vendor_id)
        result = apply_snapshot(conn, fetched.snapshot, manual=manual, catalog=fetched.catalog)
        db.session.commit()
    except FAILURES as exc:
        db.session.rollback()
        raise SyncError(str(exc)) from None
    return result


def refresh_po(po_id: int) -> ApplyResult:
    """The Refresh button: pull this PO's supplier order now (whatever the auto-sync boxes say)."""
    state = db.session.get(PoSync, po_id)
    if state is None or not state.supplier_ref:
        db.session.rollback()
        raise SyncError("this purchase order is not linked to a supplier order yet")
    vendor_id, ref = state.vendor_id, state.supplier_ref
    db.session.rollback()
    try:
        return pull(vendor_id, ref, manual=True)
    except SyncError as exc:
        record_failure(None, vendor_id, ref, 0, str(exc))
        raise


def reconcile(vendor_id: int) -> dict[str, str]:
    """Periodic pull of the orders the supplier changed since the last reconciliation.

    Catches notifications that never arrived; an order already applied is skipped by its
    change time, so this is safe to run any time. Returns order ref -> outcome.
    """
    conn = _detached_connection(vendor_id)
    started = utcnow()
    since = conn.last_reconciled_at - timedelta(minutes=5) if conn.last_reconciled_at else None
    try:
        changed = connector_for(conn).orders_changed_since(conn, since)
    except ConnectorError as exc:
        raise SyncError(str(exc)) from None
    outcomes: dict[str, str] = {}
    for entry in changed:
        ref = str(entry.get("order_ref") or "")
        if not ref:
            continue
        try:
            outcomes[ref] = pull(vendor_id, ref).outcome
        except SyncError as exc:
            outcomes[ref] = record_failure(None, vendor_id, ref, 0, str(exc))
    db.session.execute(sa.update(SupplierConnection).where(SupplierConnection.vendor_id == vendor_id)
                       .values(last_reconciled_at=started))
    db.session.commit()
    return outcomes


def vendors_to_reconcile(*, due_only: bool = False) -> list[int]:
    """Vendors with auto-sync on; ``due_only``: those whose reconciliation interval has passed."""
    stmt = sa.select(SupplierConnection.vendor_id).where(SupplierConnection.auto_sync)
    if due_only:
        since = utcnow() - timedelta(minutes=options.reconcile_minutes)
        stmt = stmt.where(sa.or_(SupplierConnection.last_reconciled_at.is_(None),
                                 SupplierConnection.last_reconciled_at <= since))
    ids = list(db.session.scalars(stmt))
    db.session.rollback()
    return ids


def submit_po(po_id: int) -> str | None:
    """Send a PO to a supplier whose connector takes orders; remember the supplier's reference.

    Runs after the send committed (never inside the save). Returns the supplier order
    reference, or None when there is nothing to do (no connection, auto-sync off, already
    linked, or a connector without ``submit_order``). A failure is recorded on the PO.
    """
    from plugins.purchase_order.services import load_po

    po = load_po(po_id)
    state = db.session.get(PoSync, po_id)
    conn = db.session.get(SupplierConnection, po.vendor_id) if po is not None else None
    if po is None or conn is None or state is None or not state.auto_sync or state.supplier_ref:
        db.session.rollback()
        return None
    order = {"buyer_po_number": po.number, "lines": [
        {"line_ref": str(ln.line_no), "item_code": ln.vendor_item_code or ln.item.code,
         "description": ln.description, "qty": f"{ln.qty_ordered.normalize():f}",
         "unit_price": f"{ln.unit_cost.normalize():f}",
         "required_date": ln.required_date.isoformat() if ln.required_date else None} for ln in po.lines]}
    conn = _detached_connection(po.vendor_id)  # ends the transaction: no lock held while calling out
    connector = connectors().get(conn.connector)
    if connector is None or not hasattr(connector, "submit_order"):
        return None
    try:
        ref = connector.submit_order(conn, order)
    except ConnectorError as exc:
        log.warning("sending purchase order %s to the supplier failed: %s", order["buyer_po_number"], exc)
        db.session.execute(sa.update(PoSync).where(PoSync.po_id == po_id).values(
            last_error=f"sending to the supplier failed: {exc}", last_error_at=utcnow()))
        db.session.commit()
        return None
    db.session.execute(sa.update(PoSync).where(PoSync.po_id == po_id, PoSync.supplier_ref.is_(None))
                       .values(supplier_ref=ref[:60]))
    db.session.commit()
    return ref
