"""Supplier sync services for the pages and hooks (flush, never commit; never render)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from core import lookup
from core.db import db
from core.errors import ValidationError
from core.models import Partner, utcnow
from plugins.purchase_order.marks import LineMark
from plugins.purchase_order.models import OPEN_STATUSES, PurchaseOrder

from .apply import is_syncing
from .models import SYNCED_FIELDS, LineSync, PoSync, SupplierConnection, SyncNotification
from .sync import connectors  # noqa: F401  (the pages list them)

FIELD_LABELS = {"qty_ordered": "quantity ordered", "unit_cost": "unit cost", "required_date": "required date"}


# -- notifications ----------------------------------------------------------------------------


def notifications_query(*, state: str, vendor_id: int | None, kind: str, text: str) -> sa.Select:
    stmt = (sa.select(SyncNotification).options(joinedload(SyncNotification.vendor))
            .order_by(SyncNotification.id.desc()))
    if state == "open":
        stmt = stmt.where(sa.not_(SyncNotification.resolved))
    elif state == "resolved":
        stmt = stmt.where(SyncNotification.resolved)
    if vendor_id is not None:
        stmt = stmt.where(SyncNotification.vendor_id == vendor_id)
    if kind:
        stmt = stmt.where(SyncNotification.kind == kind)
    if text:
        like = f"%{text}%"
        stmt = stmt.where(sa.or_(SyncNotification.po_number.ilike(like), SyncNotification.item_code.ilike(like),
                                 SyncNotification.supplier_ref.ilike(like), SyncNotification.message.ilike(like)))
    return stmt


def resolve_notification(note: SyncNotification, *, user_id: int | None) -> None:
    note.resolved, note.resolved_at, note.resolved_by_id = True, utcnow(), user_id
    db.session.flush()


def open_notifications(po_id: int) -> list[SyncNotification]:
    return list(db.session.scalars(sa.select(SyncNotification).where(
        SyncNotification.po_id == po_id, sa.not_(SyncNotification.resolved)).order_by(SyncNotification.id)))


def vendors_with_connection() -> list[tuple[int, str]]:
    rows = db.session.execute(sa.select(Partner.id, Partner.number, Partner.name)
                              .join(SupplierConnection, SupplierConnection.vendor_id == Partner.id)
                              .order_by(Partner.number)).all()
    return [(r.id, f"{r.number} {r.name}") for r in rows]


# -- vendor connections ----------------------------------------------------------------------------


def secret_is_usable(secret: str | None) -> bool:
    raw = (secret or "").strip().removeprefix("whsec_")
    try:
        return len(base64.b64decode(raw + "==", validate=False)) >= 16
    except (binascii.Error, ValueError):
        return False


def save_connection(vendor_id: int, values: dict[str, Any]) -> SupplierConnection:
    conn = db.session.get(SupplierConnection, vendor_id) or SupplierConnection(vendor_id=vendor_id, auto_sync=False)
    for key, value in values.items():
        setattr(conn, key, value.strip() if isinstance(value, str) else value)
    db.session.add(conn)
    db.session.flush()
    return conn


def vendor_statement(q: str = "") -> sa.Select:
    """The vendors the connections page lists (a page at a time), by number; ``q`` narrows to
    numbers or names that begin with it (the look-up's index range scans)."""
    stmt = sa.select(Partner).where(Partner.is_vendor).order_by(Partner.number)
    text = lookup.clean_query(q)
    if text:
        ids = {p.id for p in lookup.search_partners(text, "vendors", limit=lookup.LIMIT * 5)}
        stmt = stmt.where(Partner.id.in_(ids) if ids else sa.false())
    return stmt


def connection_rows(vendors: list[Partner]) -> list[dict[str, Any]]:
    """Each vendor of a page with its connection (``None``: not connected), one query."""
    conns = {c.vendor_id: c for c in db.session.scalars(
        sa.select(SupplierConnection).where(SupplierConnection.vendor_id.in_([v.id for v in vendors])))}
    return [{"vendor": v, "conn": conns.get(v.id)} for v in vendors]


# -- auto-sync switches -----------------------------------------------------------------------------


def set_vendor_auto_sync(vendor_id: int, on: bool, *, open_pos_too: bool) -> int:
    """Switch the vendor's *Auto-sync purchase orders*; with ``open_pos_too`` every open PO follows.

    Returns how many open POs were switched on.
    """
    conn = db.session.get(SupplierConnection, vendor_id)
    if conn is None:
        raise ValidationError("ss_auto_sync", "This vendor has no supplier connection.")
    conn.auto_sync = on
    switched = 0
    if on and open_pos_too:
        po_ids = list(db.session.scalars(sa.select(PurchaseOrder.id).where(
            PurchaseOrder.vendor_id == vendor_id, PurchaseOrder.status.in_(OPEN_STATUSES))))
        states = {s.po_id: s for s in db.session.scalars(sa.select(PoSync).where(PoSync.po_id.in_(po_ids)))}
        for po_id in po_ids:
            state = states.get(po_id) or PoSync(po_id=po_id, vendor_id=vendor_id)
            state.auto_sync = True
            db.session.add(state)
            switched += 1
    db.session.flush()
    return switched


def set_po_auto_sync(po_id: int, on: bool) -> None:
    po = db.session.get(PurchaseOrder, po_id)
    if po is None or db.session.get(SupplierConnection, po.vendor_id) is None:
        raise ValidationError(None, "This purchase order's vendor has no supplier connection.")
    state = db.session.get(PoSync, po_id) or PoSync(po_id=po_id, vendor_id=po.vendor_id)
    state.auto_sync = on
    db.session.add(state)
    db.session.flush()


def po_box_saved(po: PurchaseOrder, form_data: dict[str, Any]) -> None:
    """The PO form's *Auto-sync* box, when the form had it and the vendor has a connection."""
    if "ss_auto_sync" in form_data and db.session.get(SupplierConnection, po.vendor_id) is not None:
        set_po_auto_sync(po.id, bool(form_data["ss_auto_sync"]))


def check_refreshable(po_id: int) -> None:
    state = db.session.get(PoSync, po_id)
    if state is None or not state.supplier_ref:
        raise ValidationError(None, "This purchase order is not linked to a supplier order yet.")


def on_po_created(po: PurchaseOrder, box: bool | None = None) -> None:
    """New POs of a vendor with auto-sync on default to auto-sync; ``box``, the PO form's
    *Auto-sync* box, can leave one out (unticked) but not turn it on for a vendor without it."""
    conn = db.session.get(SupplierConnection, po.vendor_id)
    if conn is not None and db.session.get(PoSync, po.id) is None:
        on = conn.auto_sync and (box is None or bool(box))
        db.session.add(PoSync(po_id=po.id, vendor_id=po.vendor_id, auto_sync=on))
        db.session.flush()


def on_po_sent(po: PurchaseOrder) -> None:
    """Sending a PO of a connected, auto-sync vendor submits it to the supplier after the commit."""
    from . import jobs

    on_po_created(po)  # POs made by other plugins get their default too
    state = db.session.get(PoSync, po.id)
    if state is not None and state.auto_sync and not state.supplier_ref:
        jobs.enqueue_submit(po.id)


# -- read-only synced fields -----------------------------------------------------------------------


def _enforced(po_id: int) -> PoSync | None:
    """The PO's sync state when its synced fields are read-only: auto-sync on and synced once."""
    state = db.session.get(PoSync, po_id)
    if state is None or not state.auto_sync or state.last_synced_at is None:
        return None
    return state


def check_synced_fields(po: PurchaseOrder) -> None:
    """Refuse a PO save that changes a field the supplier sync wrote (while auto-sync is on).

    Fires inside ``on_purchase_order_saved`` (the save's transaction): the ``ValidationError``
    names the line fields (``lines-2-qty_ordered``), so the form shows it beside them.
    """
    if is_syncing() or _enforced(po.id) is None:
        return
    states = list(db.session.scalars(sa.select(LineSync).where(LineSync.po_id == po.id)
                                     .execution_options(populate_existing=True)))
    lines = {ln.id: (i, ln) for i, ln in enumerate(po.lines)}
    errors: list[tuple[str | None, str]] = []
    for ls in states:
        if ls.po_line_id is None or ls.po_line_id not in lines:
            if ls.read_only:
                errors.append((None, f"Line {ls.line_ref} ({ls.supplier_item_code}) comes from the supplier's "
                                     "order and cannot be deleted here."))
            continue
        index, ln = lines[ls.po_line_id]
        synced = {"qty_ordered": ls.qty, "unit_cost": ls.unit_price, "required_date": ls.required_date}
        for name in SYNCED_FIELDS:
            if name in ls.read_only and not _same(getattr(ln, name), synced[name]):
                errors.append((f"lines-{index}-{name}", f"Line {ln.line_no} ({ln.item.code}): the "
                               f"{FIELD_LABELS[name]} is set by the supplier sync and cannot be changed."))
    if errors:
        raise ValidationError.many(errors)


def line_marks(po: PurchaseOrder) -> list[LineMark]:
    """For ``purchase_order_line_marks``: lines the supplier cancelled are hidden (kept for audit);
    while auto-sync is on, the fields the sync wrote are read-only."""
    state = db.session.get(PoSync, po.id)
    if state is None:
        return []
    enforced = _enforced(po.id) is not None
    note = (f"Set by the supplier sync (supplier order {state.supplier_ref}); turn auto-sync off for this "
            "purchase order to change them.")
    marks = []
    for ls in db.session.scalars(sa.select(LineSync).where(LineSync.po_id == po.id, LineSync.po_line_id.isnot(None))):
        read_only = tuple(sorted(ls.read_only)) if enforced else ()
        if ls.hidden or read_only:
            marks.append(LineMark(ls.po_line_id, hidden="cancelled by the supplier" if ls.hidden else "",
                                  read_only=read_only, note=note if read_only else ""))
    return marks


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == b


# -- what the PO page shows --------------------------------------------------------------------------


@dataclass
class PoSyncView:
    conn: SupplierConnection
    state: PoSync | None
    lines: list[LineSync] = field(default_factory=list)
    notes: list[SyncNotification] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        """Red: the last successful sync is older than the supplier's last notification."""
        s = self.state
        if s is None or s.last_notification_received_at is None:
            return False
        return s.last_synced_at is None or s.last_synced_at < s.last_notification_received_at

    @property
    def last_notification_at(self) -> datetime | None:
        return self.state.last_notification_at if self.state else None

    @property
    def hidden_lines(self) -> list[LineSync]:
        return [ls for ls in self.lines if ls.hidden]


def po_view(po: PurchaseOrder) -> PoSyncView | None:
    conn = db.session.get(SupplierConnection, po.vendor_id)
    if conn is None:
        return None
    state = db.session.get(PoSync, po.id)
    lines = list(db.session.scalars(sa.select(LineSync).where(LineSync.po_id == po.id).order_by(LineSync.id)))
    return PoSyncView(conn, state, lines, open_notifications(po.id))
