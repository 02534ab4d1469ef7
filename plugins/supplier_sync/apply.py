"""Applying a supplier order snapshot to its purchase order (runs in a job's transaction).

The snapshot replaces each line's state (quantity, price, date, supplier status);
it is never a delta, so a duplicate changes nothing and an older snapshot (by the
supplier's change time) is skipped. PO lines change through purchase_order's own
service (:func:`save_purchase_order`), new POs through :func:`create_purchase_order`:
the owner's rules and hooks run.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from core import activity
from core.db import ZERO, db
from core.models import utcnow
from plugins.purchase_order import documents as po_documents
from plugins.purchase_order import services as po_services
from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderLine

from .items import find_item, item_from_catalog
from .models import SYNCED_FIELDS, LineSync, PoSync, SupplierConnection, SyncNotification
from .options import options
from .snapshot import Snapshot, SnapshotLine

HIDDEN_STATUSES = ("cancelled",)


@dataclass
class ApplyResult:
    outcome: str  # applied | created | skipped | ignored
    po_id: int | None = None
    notes: list[str] = field(default_factory=list)


@contextlib.contextmanager
def syncing() -> Iterator[None]:
    """Mark the session as writing for the sync: the read-only check lets these saves through."""
    db.session.info["ss_syncing"] = True
    try:
        yield
    finally:
        db.session.info.pop("ss_syncing", None)


def is_syncing() -> bool:
    return bool(db.session.info.get("ss_syncing"))


def notify(conn_vendor_id: int, kind: str, message: str, *, po: PurchaseOrder | None = None,
           supplier_ref: str = "", item_code: str = "") -> None:
    db.session.add(SyncNotification(vendor_id=conn_vendor_id, po_id=po.id if po else None,
                                    po_number=po.number if po else "", supplier_ref=supplier_ref, kind=kind,
                                    item_code=item_code, message=message))


def _q(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _state_for(conn: SupplierConnection, snap: Snapshot) -> PoSync | None:
    return db.session.scalars(
        sa.select(PoSync).where(PoSync.vendor_id == conn.vendor_id, PoSync.supplier_ref == snap.order_ref)
        .with_for_update().execution_options(populate_existing=True)).one_or_none()


def _link_buyer_po(conn: SupplierConnection, snap: Snapshot) -> PoSync | None:
    """The supplier order names our PO number: link that PO (auto-sync as the vendor says)."""
    if not snap.buyer_po_number:
        return None
    po = db.session.scalar(sa.select(PurchaseOrder).where(PurchaseOrder.number == snap.buyer_po_number,
                                                          PurchaseOrder.vendor_id == conn.vendor_id))
    if po is None:
        return None
    state = db.session.get(PoSync, po.id, with_for_update=True)
    if state is None:
        state = PoSync(po_id=po.id, vendor_id=conn.vendor_id, auto_sync=conn.auto_sync)
        db.session.add(state)
    state.supplier_ref = snap.order_ref
    db.session.flush()
    return state


def _resolve_item(conn: SupplierConnection, snap: Snapshot, sl: SnapshotLine, po: PurchaseOrder | None):
    catalog = db.session.info.get("ss_catalog", {})
    item = find_item(conn.vendor_id, sl.item_code) or item_from_catalog(conn, sl.item_code,
                                                                        catalog.get(sl.item_code))
    if item is None:
        where = f"purchase order {po.number}" if po else "it"
        notify(conn.vendor_id, "unknown_item",
               f"Supplier order {snap.order_ref}: item {sl.item_code} ({sl.description or 'no description'}) "
               f"is not in OrderBridge nor in the supplier's catalog; the line was not added to {where}. "
               "Add the item, then refresh the purchase order.", po=po, supplier_ref=snap.order_ref,
               item_code=sl.item_code)
    return item


def _create_direct_po(conn: SupplierConnection, snap: Snapshot) -> PoSync:
    """An order placed directly with the supplier becomes a PO (through purchase_order's service)."""
    lines, refs = [], []
    for sl in snap.lines:
        if sl.status in HIDDEN_STATUSES or sl.qty <= 0:
            continue
        item = _resolve_item(conn, snap, sl, None)
        if item is None:
            continue
        lines.append({"item_id": item.id, "qty_ordered": sl.qty, "unit_cost": sl.unit_price,
                      "required_date": sl.required_date, "vendor_item_code": sl.item_code,
                      "description": sl.description or None})
        refs.append(sl)
    po = po_services.create_purchase_order(
        vendor_id=conn.vendor_id, order_type="S", lines=lines,
        comment=f"Placed directly with the supplier (supplier order {snap.order_ref}).")
    state = PoSync(po_id=po.id, vendor_id=conn.vendor_id, supplier_ref=snap.order_ref, auto_sync=True,
                   created_by_sync=True)
    db.session.add(state)
    for sl, ln in zip(refs, po.lines, strict=True):
        db.session.add(_line_state(po.id, sl, ln))
    for note in db.session.new:
        if isinstance(note, SyncNotification) and note.po_id is None and note.supplier_ref == snap.order_ref:
            note.po_id, note.po_number = po.id, po.number
    notify(conn.vendor_id, "direct_order", f"Supplier order {snap.order_ref} was placed directly with the "
           f"supplier; purchase order {po.number} was created for it.", po=po, supplier_ref=snap.order_ref)
    db.session.flush()
    return state


def _line_state(po_id: int, sl: SnapshotLine, ln: PurchaseOrderLine | None) -> LineSync:
    cancelled = sl.status in HIDDEN_STATUSES or sl.qty <= 0
    if cancelled and ln is not None:  # the kept line is the record: its fields stay as they are
        sl = dataclasses.replace(sl, qty=ln.qty_ordered, unit_price=ln.unit_cost, required_date=ln.required_date)
    return LineSync(po_id=po_id, line_ref=sl.line_ref, po_line_id=ln.id if ln is not None else None,
                    supplier_item_code=sl.item_code, description=sl.description, status=sl.status, qty=sl.qty,
                    unit_price=sl.unit_price, required_date=sl.required_date,
                    origin_label=(ln.origin_label or "") if ln is not None else "",
                    hidden=cancelled, synced_fields=",".join(SYNCED_FIELDS) if ln is not None else "")


def load_state(conn: SupplierConnection, snap: Snapshot, *, manual: bool) -> tuple[PoSync | None, ApplyResult | None]:
    """The PO sync state for ``snap``, or the result that ends the apply early."""
    state = _state_for(conn, snap) or _link_buyer_po(conn, snap)
    if state is None:
        if not conn.auto_sync and not manual:
            return None, ApplyResult("ignored", notes=["auto-sync is off for this vendor"])
        return _create_direct_po(conn, snap), None
    if state.supplier_changed_at is not None and snap.changed_at <= state.supplier_changed_at:
        return state, ApplyResult("skipped", state.po_id, ["an equal or newer supplier change is applied"])
    if not manual and not (conn.auto_sync and state.auto_sync):
        return state, ApplyResult("ignored", state.po_id, ["auto-sync is off"])
    return state, None


def apply_snapshot(conn: SupplierConnection, snap: Snapshot, *, manual: bool = False,
                   catalog: dict[str, Any] | None = None) -> ApplyResult:
    """Apply ``snap`` to its PO (creating the PO for a direct order). Flushes, never commits.

    ``catalog`` holds the catalog's answers for the snapshot's unknown item codes, asked
    before the transaction (:func:`.items.lookup_catalog`): no network call inside it.
    """
    db.session.info["ss_catalog"] = catalog or {}
    try:
        return _apply(conn, snap, manual=manual)
    finally:
        db.session.info.pop("ss_catalog", None)


def _apply(conn: SupplierConnection, snap: Snapshot, *, manual: bool) -> ApplyResult:
    state, early = load_state(conn, snap, manual=manual)
    if early is not None:
        return early
    assert state is not None
    if state.created_by_sync and state.supplier_changed_at is None:
        result = ApplyResult("created", state.po_id)
        activity.record("purchase_order", state.po_id, "synced", "Created from an order placed directly with "
                        "the supplier")
    else:
        po = po_services.load_po(state.po_id)
        if po is None or po.status in ("cancelled", "received", "closed"):
            return ApplyResult("ignored", state.po_id, ["the purchase order is no longer open"])
        _apply_lines(conn, snap, po)
        result = ApplyResult("applied", po.id)
        when = f" (their change of {snap.changed_at:%Y-%m-%d %H:%M})" if snap.changed_at else ""
        activity.record("purchase_order", po.id, "synced", f"Supplier's order applied{when}", number=po.number)
    now = utcnow()
    state.last_synced_at, state.supplier_changed_at = now, snap.changed_at
    state.last_error, state.last_error_at = "", None
    db.session.flush()
    return result


@dataclass
class _Plan:
    lines: list[dict[str, Any]] = field(default_factory=list)  # for save_purchase_order
    # (supplier line, PO line it is on now or None, stored state, the sales order it serves)
    states: list[tuple[SnapshotLine, PurchaseOrderLine | None, LineSync | None, str]] = field(default_factory=list)
    new: list[SnapshotLine] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    cancel: list[int] = field(default_factory=list)  # PO lines the supplier cancelled now: kept, closed, hidden


def _row(ln: PurchaseOrderLine, **changes: Any) -> dict[str, Any]:
    row = {"id": ln.id, "item_id": ln.item_id, "vendor_item_code": ln.vendor_item_code,
           "description": ln.description, "qty_ordered": ln.qty_ordered, "unit_cost": ln.unit_cost,
           "required_date": ln.required_date, "line_status_id": ln.line_status_id}
    row.update(changes)
    return row


def _match(po: PurchaseOrder, sl: SnapshotLine, known: dict[str, LineSync]) -> PurchaseOrderLine | None:
    """A supplier line's PO line: the one linked before, else the line whose number is its ref."""
    ls = known.get(sl.line_ref)
    if ls is not None:
        return next((ln for ln in po.lines if ln.id == ls.po_line_id), None)
    return next((ln for ln in po.lines if str(ln.line_no) == sl.line_ref), None)


def _plan(conn: SupplierConnection, snap: Snapshot, po: PurchaseOrder, known: dict[str, LineSync]) -> _Plan:
    plan = _Plan()
    touched: set[int] = set()
    for sl in snap.lines:
        ln = _match(po, sl, known)
        if ln is not None:
            touched.add(ln.id)
        code = ln.item.code if ln is not None else sl.item_code
        if sl.status in HIDDEN_STATUSES or sl.qty <= 0:
            if ln is not None:
                plan.lines.append(_row(ln))  # the line stays as it is: purchase_order closes it after the save
                if not ln.closed:
                    _cancelled(conn, snap, po, ln, code, plan)
            plan.states.append((sl, ln, known.get(sl.line_ref), (ln.origin_label or "") if ln else ""))
            continue
        if ln is None:
            plan.new.append(sl)
            continue
        qty = max(sl.qty, ln.qty_received or ZERO)
        if qty < ln.qty_ordered and ln.origin_label:
            plan.exceptions.append(f"Supplier order {snap.order_ref}: line {ln.line_no} ({code}) reduced from "
                                   f"{_q(ln.qty_ordered)} to {_q(qty)}; it serves {ln.origin_label}.")
        if sl.status == "rejected" and (known.get(sl.line_ref) is None or known[sl.line_ref].status != "rejected"):
            notify(conn.vendor_id, "rejected_line", f"The supplier rejected line {ln.line_no} ({code}) of "
                   f"supplier order {snap.order_ref} on purchase order {po.number}.", po=po,
                   supplier_ref=snap.order_ref, item_code=code)
        plan.lines.append(_row(ln, qty_ordered=qty, unit_cost=sl.unit_price, required_date=sl.required_date))
        plan.states.append((sl, ln, known.get(sl.line_ref), ln.origin_label or ""))
    # lines the supplier does not mention stay as they are
    plan.lines[:0] = [_row(ln) for ln in po.lines if ln.id not in touched]
    return plan


def _cancelled(conn: SupplierConnection, snap: Snapshot, po: PurchaseOrder, ln: PurchaseOrderLine, code: str,
               plan: _Plan) -> None:
    """A line the supplier cancelled now: to close (kept, hidden), a notification naming the item,
    and a buyer exception when it serves sales orders."""
    plan.cancel.append(ln.id)
    notify(conn.vendor_id, "cancelled_line", f"The supplier cancelled line {ln.line_no} ({code}, quantity "
           f"{_q(ln.qty_ordered)}) of supplier order {snap.order_ref}; it is hidden on purchase order {po.number}.",
           po=po, supplier_ref=snap.order_ref, item_code=code)
    served = _served_by(ln)
    if served:
        plan.exceptions.append(f"Supplier order {snap.order_ref}: line {ln.line_no} ({code}) was cancelled by the "
                               f"supplier; it served {served}.")


def _served_by(ln: PurchaseOrderLine) -> str:
    """The sales orders a PO line serves: its origin (bought for) and any bridge's waiting lines."""
    from flask import current_app

    from core.plugins import host_of

    names = [ln.origin_label] if ln.origin_label else []
    for rows in host_of(current_app).hook.purchase_line_demand(po_line_ids=[ln.id]) or []:
        for row in rows or []:
            name = f"SO {row['order_number']}"
            if row.get("qty", 1) and not any(name in n for n in names):
                names.append(name)
    return ", ".join(names)


def _apply_lines(conn: SupplierConnection, snap: Snapshot, po: PurchaseOrder) -> None:
    known = {ls.line_ref: ls for ls in db.session.scalars(sa.select(LineSync).where(LineSync.po_id == po.id))}
    plan = _plan(conn, snap, po, known)
    added: list[SnapshotLine] = []
    for sl in plan.new:
        item = _resolve_item(conn, snap, sl, po)
        if item is not None:
            added.append(sl)
            plan.lines.append({"item_id": item.id, "qty_ordered": sl.qty, "unit_cost": sl.unit_price,
                               "required_date": sl.required_date, "vendor_item_code": sl.item_code,
                               "description": sl.description or None, "line_status_id": None})
    before = {ln.id for ln in po.lines}
    with syncing():
        po_services.save_purchase_order(
            po, vendor_id=po.vendor_id, order_type=po.order_type, header={}, lines=plan.lines,
            line_reason_code=options.cancel_reason_code or None, user_id=None)
        if plan.cancel:
            po_documents.cancel_lines(plan.cancel, reason=f"cancelled by the supplier (supplier order "
                                      f"{snap.order_ref})", reason_code=options.cancel_reason_code or "")
    fresh = [ln for ln in po.lines if ln.id not in before]
    for sl, ln in zip(added, fresh, strict=True):
        plan.states.append((sl, ln, known.get(sl.line_ref), ""))
    for message in plan.exceptions:
        po_services.add_exception(po, message)
    for sl, ln, ls, origin in plan.states:
        _store_line_state(po.id, sl, ln, ls, origin)
    db.session.flush()


def _store_line_state(po_id: int, sl: SnapshotLine, ln: PurchaseOrderLine | None, ls: LineSync | None,
                      origin: str) -> None:
    new = _line_state(po_id, sl, ln)
    new.origin_label = origin or new.origin_label
    if ls is None:
        db.session.add(new)
        return
    for attr in ("po_line_id", "supplier_item_code", "description", "status", "qty", "unit_price",
                 "required_date", "hidden", "synced_fields"):
        setattr(ls, attr, getattr(new, attr))
    ls.origin_label = origin or ls.origin_label
    if ls.status in HIDDEN_STATUSES:
        ls.hidden = True
