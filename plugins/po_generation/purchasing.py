"""The one place po_generation calls purchase_order.

Every write to a purchase order (creating, adding lines, changing or deleting lines,
deleting POs to history, recording an exception for the buyer) and every question
about PO numbers goes through the functions below, which call purchase_order's
public service functions. The rest of the package never imports
``plugins.purchase_order.services`` and never writes purchase_order's tables, so
moving to another version of that API is a change to this file only.

The drafts mirror purchase_order's ``PurchaseOrderDraft``/``PurchaseOrderLineDraft``
(``plugins/purchase_order/documents.py``); :class:`Created` is what generation needs
back: the new PO's id and number and its line ids in line order, to write the links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from core.db import db
from core.models import Partner, utcnow
from plugins.purchase_order import services as po_services
from plugins.purchase_order.models import CancelReasonCode, PurchaseOrder, PurchaseOrderLine

ZERO = Decimal("0")
CHUNK = 5000

# raised by purchase_order when a rule refuses what was asked
PurchaseOrderError = po_services.PurchaseOrderError


@dataclass
class PurchaseOrderLineDraft:
    item_id: int
    qty_ordered: Decimal
    unit_cost: Decimal | None = None
    description: str = ""
    required_date: date | None = None
    vendor_item_code: str = ""
    origin_label: str = ""
    line_no: int | None = None


@dataclass
class PurchaseOrderDraft:
    vendor_id: int
    order_type: str  # "S" standard, "D" drop ship
    lines: list[PurchaseOrderLineDraft] = field(default_factory=list)
    number: str | None = None  # None: the next automatic number
    order_date: date | None = None
    required_date: date | None = None
    ship_to_address: str = ""
    ship_via: str = ""
    fob: str = ""
    confirm_to: str = ""
    email: str = ""
    warehouse_id: int | None = None
    customer_id: int | None = None
    comment: str = ""


@dataclass
class Created:
    id: int
    number: str
    line_ids: list[int]


def _chunks(values, size: int = CHUNK):
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]


# -- numbers --------------------------------------------------------------------------------


def number_max_length() -> int:
    """How long a PO number may be (the column's length)."""
    return PurchaseOrder.__table__.c.number.type.length


def numbers_in_use(numbers: set[str]) -> set[str]:
    out: set[str] = set()
    for chunk in _chunks(numbers):
        out |= po_services.po_numbers_in_use(chunk)
    return out


def draw_automatic(n: int, avoid: set[str]) -> list[str]:
    """``n`` next automatic PO numbers, skipping any already used by a PO (for instance one
    numbered after its sales order) or in ``avoid``."""
    out: list[str] = []
    while len(out) < n:
        drawn = [po_services.next_po_number() for _ in range(n - len(out))]
        taken = numbers_in_use(set(drawn)) | (set(drawn) & avoid)
        out += [d for d in drawn if d not in taken]
    return out


# -- creating -------------------------------------------------------------------------------


def create_purchase_orders(drafts: list[PurchaseOrderDraft]) -> list[Created]:
    """Create the POs with their lines in a few statements (however many lines). Drafts
    without a number get the next automatic ones. Flushes only."""
    if not drafts:
        return []
    auto = [d for d in drafts if not d.number]
    taken = {d.number for d in drafts if d.number}
    for d, number in zip(auto, draw_automatic(len(auto), taken), strict=True):
        d.number = number
    clash = numbers_in_use({d.number for d in drafts})
    if clash:
        raise PurchaseOrderError("purchase order number(s) already used: " + ", ".join(sorted(clash)), "number")
    ids = _insert_headers(drafts)
    line_ids = _insert_lines([(ids[d.number], d) for d in drafts])
    return [Created(ids[d.number], d.number, line_ids[ids[d.number]]) for d in drafts]


def _insert_headers(drafts: list[PurchaseOrderDraft]) -> dict[str, int]:
    vendor_defaults: dict[int, tuple[str, str]] = {}
    for chunk in _chunks({d.vendor_id for d in drafts}):
        for r in db.session.execute(sa.select(Partner.id, Partner.ship_via, Partner.fob).where(Partner.id.in_(chunk))):
            vendor_defaults[r.id] = (r.ship_via or "", r.fob or "")
    default_wh = po_services.default_warehouse_id() if any(d.warehouse_id is None for d in drafts) else None
    now = utcnow()
    rows = [dict(number=d.number, vendor_id=d.vendor_id, order_type=d.order_type,
                 order_date=d.order_date or date.today(), required_date=d.required_date,
                 ship_to_address=d.ship_to_address, ship_via=d.ship_via or vendor_defaults.get(d.vendor_id, ("", ""))[0],
                 fob=d.fob or vendor_defaults.get(d.vendor_id, ("", ""))[1], confirm_to=(d.confirm_to or "")[:80],
                 email=d.email or "", warehouse_id=d.warehouse_id or default_wh, customer_id=d.customer_id,
                 status="new", comment=d.comment, cancel_reason="", created_at=now, updated_at=now)
            for d in drafts]
    # plain executemany (batched), then the ids back by the unique numbers
    db.session.execute(sa.insert(PurchaseOrder.__table__), rows)
    ids: dict[str, int] = {}
    for chunk in _chunks([d.number for d in drafts]):
        ids.update(db.session.execute(sa.select(PurchaseOrder.number, PurchaseOrder.id)
                                      .where(PurchaseOrder.number.in_(chunk))).all())
    return ids


def _insert_lines(targets: list[tuple[int, PurchaseOrderDraft]]) -> dict[int, list[int]]:
    """Insert the lines of each (po id, draft); return the new line ids per PO in draft order."""
    rows = []
    for po_id, d in targets:
        for n, ln in enumerate(d.lines, start=1):
            rows.append(dict(po_id=po_id, line_no=ln.line_no or n, item_id=ln.item_id,
                             vendor_item_code=ln.vendor_item_code, description=(ln.description or "")[:200],
                             qty_ordered=ln.qty_ordered, qty_received=ZERO, qty_returned=ZERO,
                             unit_cost=ln.unit_cost or ZERO, required_date=ln.required_date or d.required_date,
                             closed=False, origin_label=ln.origin_label))
    if not rows:
        return {po_id: [] for po_id, _d in targets}
    db.session.execute(sa.insert(PurchaseOrderLine.__table__), rows)
    by_key: dict[tuple[int, int], int] = {}
    for chunk in _chunks({r["po_id"] for r in rows}):
        for r in db.session.execute(sa.select(PurchaseOrderLine.po_id, PurchaseOrderLine.line_no,
                                              PurchaseOrderLine.id).where(PurchaseOrderLine.po_id.in_(chunk))):
            by_key[(r.po_id, r.line_no)] = r.id
    out: dict[int, list[int]] = {po_id: [] for po_id, _d in targets}
    for r in rows:
        out[r["po_id"]].append(by_key[(r["po_id"], r["line_no"])])
    return out


def add_lines(po_id: int, lines: list[PurchaseOrderLineDraft]) -> list[int]:
    """Add lines to an open PO (a combined generation); returns their ids in order."""
    po = db.session.get(PurchaseOrder, po_id)
    if po is None or po_services.is_sent(po) or po.status != "new":
        raise PurchaseOrderError("lines can be added only to an open purchase order that was not sent")
    draft = PurchaseOrderDraft(vendor_id=po.vendor_id, order_type=po.order_type, lines=lines,
                               required_date=po.required_date)
    return _insert_lines([(po_id, draft)])[po_id]


def create_drop_ship_po(draft: PurchaseOrderDraft) -> PurchaseOrder:
    """One drop-ship PO from PO entry's own create (its defaults and validation)."""
    header = dict(customer_id=draft.customer_id, ship_to_address=draft.ship_to_address, ship_via=draft.ship_via,
                  fob=draft.fob, confirm_to=(draft.confirm_to or "")[:80], email=draft.email,
                  warehouse_id=draft.warehouse_id, required_date=draft.required_date, comment=draft.comment)
    number = draft.number or draw_automatic(1, set())[0]
    return po_services.create_purchase_order(
        vendor_id=draft.vendor_id, order_type=draft.order_type, number=number,
        lines=[dict(item_id=ln.item_id, qty_ordered=ln.qty_ordered, unit_cost=ln.unit_cost,
                    description=ln.description, required_date=ln.required_date,
                    vendor_item_code=ln.vendor_item_code, origin_label=ln.origin_label) for ln in draft.lines],
        **header)


# -- changing and deleting ------------------------------------------------------------------


def change_line_quantity(po_line_id: int, new_qty: Decimal, *, reason: str) -> None:
    """Set an unsent PO line's ordered quantity; zero or less removes the line."""
    line = db.session.get(PurchaseOrderLine, po_line_id)
    if line is None:
        return
    if new_qty <= 0:
        delete_lines([po_line_id])
        return
    line.qty_ordered = new_qty
    db.session.flush()


def delete_lines(po_line_ids: list[int]) -> None:
    parents = set()
    for line_id in po_line_ids:
        line = db.session.get(PurchaseOrderLine, line_id)
        if line is not None:
            parents.add(line.po_id)
            db.session.delete(line)
    db.session.flush()
    for po_id in parents:  # the PO's loaded line list no longer holds the deleted lines
        po = db.session.get(PurchaseOrder, po_id)
        if po is not None:
            db.session.expire(po, ["lines"])


def delete_purchase_orders(po_ids: list[int], *, reason_code: str | None = None, to_history: bool = True,
                           user_id: int | None = None) -> list[str]:
    """Delete POs (to history with the reason, as *Retain Deleted Orders* says); returns their numbers."""
    numbers = []
    for po_id in po_ids:
        po = db.session.get(PurchaseOrder, po_id)
        if po is None:
            continue
        numbers.append(po.number)
        po_services.delete_purchase_order(po, reason_code=reason_code, user_id=user_id)
    return numbers


def record_buyer_exception(po_id: int, text: str) -> None:
    po = db.session.get(PurchaseOrder, po_id)
    if po is not None:
        po_services.add_exception(po, text)


def line_count(po_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrderLine)
                             .where(PurchaseOrderLine.po_id == po_id)) or 0


# -- questions ------------------------------------------------------------------------------


def load_pos(po_ids) -> list[PurchaseOrder]:
    ids = list(po_ids)
    if not ids:
        return []
    return list(db.session.scalars(sa.select(PurchaseOrder).where(PurchaseOrder.id.in_(ids))
                                   .options(sa.orm.selectinload(PurchaseOrder.lines),
                                            sa.orm.joinedload(PurchaseOrder.vendor),
                                            sa.orm.joinedload(PurchaseOrder.customer))
                                   .order_by(PurchaseOrder.number)))


def is_sent(po: PurchaseOrder) -> bool:
    return po_services.is_sent(po)


def has_receipts(po: PurchaseOrder) -> bool:
    return po_services.has_receipts(po)


def reason_required() -> bool:
    """*Retain Deleted Orders* says Prompt: deleting a PO needs a cancel/reason code."""
    return po_services.deleted_reason_required("order")


def reason_codes() -> list:
    return list(db.session.scalars(sa.select(CancelReasonCode).order_by(CancelReasonCode.code)))


def check_reason_code(code: str | None) -> str:
    return po_services.check_reason_code(code, required=False)
