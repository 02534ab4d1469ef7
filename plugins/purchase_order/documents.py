"""The public service functions other plugins call to write purchase orders.

A bridge (PO generation, back-order allocation, supplier sync) never writes ``po_order``
or ``po_line`` rows itself: it describes what it wants with :class:`PurchaseOrderDraft`
and :class:`PurchaseOrderLineDraft` and calls these functions, so this plugin's
validation, numbering, defaults, history and hooks apply to every purchase order,
however it was made.

Every function runs in the caller's transaction: it flushes, never commits, and
raises :class:`core.errors.ValidationError` (nothing is written then; the caller's
request rolls back). The bulk paths take a fixed number of statements however many
purchase orders or lines they write (:func:`core.bulk.insert_rows`: the driver's
``executemany`` on SQLite, ``COPY`` on PostgreSQL, ids back without ``RETURNING``);
reference data and numbers in use are read with one query per table, the values in one
bound parameter (:func:`core.bulk.among`). Validation runs by set (every vendor, item,
status at once) and builds per-line messages only when something is wrong.

Public API::

    create_purchase_orders(drafts) -> CreatedPurchaseOrders (a Sequence[PurchaseOrder], loaded on use)
    add_lines(po_id, lines) -> list[int]                 add_lines_bulk({po_id: lines}) -> list[int]
    change_line_quantity(po_line_id, new_qty, *, reason, user_id=None, sent_confirmed=False)
    change_line_quantities({po_line_id: new_qty}, *, reason, user_id=None, sent_confirmed=False)
    delete_lines(po_line_ids, *, reason_code=None, user_id=None, reason="") -> list[int]   (POs left empty)
    delete_purchase_orders(po_ids, *, reason_code=None, to_history=None, user_id=None, reason="") -> list[str]
    record_buyer_exception(po_id, text) -> PurchaseOrderException
    is_sent(po), qty_received(po_line), has_receipts(po), is_open_unsent(po)
    lock_po_numbers(), po_numbers_in_use(numbers), draw_po_numbers(n, avoid)
    deleted_reason_required(kind), check_reason_code(code, required=...)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from core import activity
from core.bulk import among, insert_rows
from core.db import ZERO, db
from core.errors import ValidationError
from core.models import utcnow

from .activity_log import DOCUMENT, line_words, lines_changed, log
from .common import (
    CLOSED_STATUSES,
    MAX_LINES,
    add_exception,
    check_reason_code,
    deleted_reason_required,
    has_receipts,
    history_row,
    hooks,
    is_sent,
    line_history_row,
    line_text,
    parse_quantity,
    qty_received,
    refresh_status,
    retain_deleted,
)
from .drafts import (
    PurchaseOrderDraft,
    PurchaseOrderLineDraft,
    chunks,
    draft_problems,
    header_values,
    line_errors,
    line_values,
    load_refs,
)
from .models import PurchaseOrder, PurchaseOrderException, PurchaseOrderLine
from .numbers import NUMBER_LENGTH, draw_po_numbers, lock_po_numbers, po_numbers_in_use
from .options import options

__all__ = [
    "MAX_LINES", "CreatedPurchaseOrders", "PurchaseOrderDraft", "PurchaseOrderLineDraft", "add_lines", "add_lines_bulk",
    "change_line_quantities", "change_line_quantity", "check_reason_code", "create_purchase_orders",
    "delete_lines", "delete_purchase_orders", "deleted_reason_required", "draw_po_numbers", "has_receipts",
    "is_open_unsent", "is_sent", "lock_po_numbers", "po_numbers_in_use", "qty_received", "record_buyer_exception",
]


def _check_numbers(drafts: Sequence[PurchaseOrderDraft], many: bool) -> list[tuple[str, str]]:
    """Given numbers: within the column, unused, not twice; a fallback draft draws instead."""
    errors: list[tuple[str, str]] = []
    given = {d.number.strip() for d in drafts if d.number and d.number.strip()}
    taken = po_numbers_in_use(n for n in given if len(n) <= NUMBER_LENGTH)
    seen: set[str] = set()
    for d in drafts:
        number = (d.number or "").strip()
        problem = ""
        if not number:
            d.number = None
            continue
        if len(number) > NUMBER_LENGTH:
            problem = f"A purchase order number has at most {NUMBER_LENGTH} characters."
        elif number in taken or number in seen:
            problem = f"Purchase order number {number} is already used."
        if problem and d.number_fallback:
            d.number = None
        elif problem:
            errors.append(("number", problem if not many else f"{number}: {problem}"))
        else:
            d.number = number
            seen.add(number)
    return errors


class CreatedPurchaseOrders(Sequence[PurchaseOrder]):
    """The purchase orders a call created, in draft order, loaded with their lines on first use.

    ``len()`` and ``ids`` cost nothing; reading an order loads them all in two queries
    in all. A bulk generation whose caller needs only the ids (they are on the
    drafts) and whose hook has no implementation never loads 50,000 ORM objects.
    """

    def __init__(self, ids: list[int]):
        self.ids = ids
        self._pos: list[PurchaseOrder] | None = None

    def _load(self) -> list[PurchaseOrder]:
        if self._pos is None:
            found = {po.id: po for po in db.session.scalars(
                sa.select(PurchaseOrder).where(among(PurchaseOrder.id, self.ids))
                .options(selectinload(PurchaseOrder.lines)))}
            self._pos = [found[i] for i in self.ids]
        return self._pos

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):  # type: ignore[override]
        return self._load()[index]

    def __iter__(self):
        return iter(self._load())

    def __repr__(self) -> str:
        return f"CreatedPurchaseOrders({self.ids!r})"


# -- creating ---------------------------------------------------------------------------------------


def _insert_lines(rows: list[dict[str, Any]], drafts: list[PurchaseOrderLineDraft]) -> list[int]:
    """All lines in one bulk insert; fills ``po_line_id``/``line_no`` on the drafts in order."""
    ids = insert_rows(PurchaseOrderLine.__table__, rows)
    for row, ln, line_id in zip(rows, drafts, ids, strict=True):
        ln.po_line_id, ln.line_no = line_id, row["line_no"]
    return ids


def _raise(errors: list[tuple[str | None, str]]) -> None:
    if errors:
        raise ValidationError.many(errors)


def create_purchase_orders(drafts: Sequence[PurchaseOrderDraft]) -> CreatedPurchaseOrders:
    """Create purchase orders with their lines in bulk; return them in draft order
    (a sequence of :class:`PurchaseOrder` loaded on first use, see :class:`CreatedPurchaseOrders`).

    Validates everything first (vendor is a vendor, order type S or D, drop-ship
    customer, warehouse, items, quantities above zero and within the column, costs, line
    statuses, at most :data:`MAX_LINES` lines, given numbers) and raises one
    ``ValidationError`` listing every problem, writing nothing. Then numbers the drafts
    (given numbers; the next automatic numbers, skipping numbers in use, for the rest)
    under the PO-number lock, inserts all headers in one statement and all lines in
    another, fills ``po_id``/``number``/``number_source`` on each draft and
    ``po_line_id``/``line_no`` on each line draft, and fires ``on_purchase_orders_created``
    inside the transaction (an exception there aborts the caller's save).
    """
    return create(drafts, fire_hook=True)


def create(drafts: Sequence[PurchaseOrderDraft], *, fire_hook: bool) -> CreatedPurchaseOrders:
    """:func:`create_purchase_orders`; PO entry passes ``fire_hook=False`` and fires
    ``on_purchase_order_saved`` itself."""
    drafts = list(drafts)
    if not drafts:
        return CreatedPurchaseOrders([])
    refs = load_refs(drafts)
    lock_po_numbers()  # before the given numbers are checked: a concurrent save waits for this one
    _raise(draft_problems(drafts, refs) + _check_numbers(drafts, len(drafts) > 1))
    for d in drafts:
        d.number_source = "given" if d.number else "automatic"
    auto = [d for d in drafts if not d.number]
    for d, number in zip(auto, draw_po_numbers(len(auto), {d.number for d in drafts if d.number}), strict=True):
        d.number = number
    now, today = utcnow(), date.today()
    po_ids = insert_rows(PurchaseOrder.__table__, [header_values(d, refs, now, today) for d in drafts])
    rows, line_drafts = [], []
    for d, po_id in zip(drafts, po_ids, strict=True):
        d.po_id = po_id
        for n, ln in enumerate(d.lines, start=1):
            rows.append(line_values(d.po_id, n, ln, vendor_id=d.vendor_id, required_date=d.required_date, refs=refs))
            line_drafts.append(ln)
    _insert_lines(rows, line_drafts)
    activity.record_many(activity.Entry(DOCUMENT, d.po_id, "created", f"{len(d.lines)} line"
                                        f"{'s' if len(d.lines) != 1 else ''}" + (f". {d.comment}" if d.comment else ""),
                                        d.number or "") for d in drafts)
    pos = CreatedPurchaseOrders([d.po_id for d in drafts])
    if fire_hook:
        hooks().on_purchase_orders_created(pos=pos)
    return pos


# -- changing lines of unsent orders ------------------------------------------------------------


def is_open_unsent(po: PurchaseOrder) -> bool:
    """Open and never sent to the vendor: its lines may still be added to and changed.

    Goods received against a PO that was never sent (a counter purchase) keep it
    changeable, but never below what was received.
    """
    return po.sent_at is None and po.status in ("new", "partial")


def _lock_pos(po_ids: Iterable[int]) -> dict[int, PurchaseOrder]:
    """The POs and their lines under row locks (PostgreSQL), fresh from the database."""
    found: dict[int, PurchaseOrder] = {}
    for chunk in chunks(po_ids):
        found.update((po.id, po) for po in db.session.scalars(
            sa.select(PurchaseOrder).where(PurchaseOrder.id.in_(chunk)).order_by(PurchaseOrder.id)
            .options(selectinload(PurchaseOrder.lines))
            .with_for_update().execution_options(populate_existing=True)))
        db.session.scalars(
            sa.select(PurchaseOrderLine).where(PurchaseOrderLine.po_id.in_(chunk)).order_by(PurchaseOrderLine.id)
            .with_for_update().execution_options(populate_existing=True)).all()
    return found


def _lock_headers(po_ids: Iterable[int]) -> tuple[dict[int, PurchaseOrder], dict[int, tuple[int, int]]]:
    """The POs under row locks, without their lines, and per PO (line count, last line number)
    from the (po_id, line_no) index: adding lines to a PO of 400 lines reads 2 numbers, not
    400 rows (generate-on-save into a combined PO stays as fast as the PO grows)."""
    ids = set(po_ids)
    pos = {po.id: po for po in db.session.scalars(
        sa.select(PurchaseOrder).where(among(PurchaseOrder.id, ids)).order_by(PurchaseOrder.id)
        .with_for_update().execution_options(populate_existing=True))}
    counts = {po_id: (0, 0) for po_id in pos}
    counts.update((r.po_id, (r.n, r.last)) for r in db.session.execute(
        sa.select(PurchaseOrderLine.po_id, sa.func.count().label("n"), sa.func.max(PurchaseOrderLine.line_no)
                  .label("last")).where(among(PurchaseOrderLine.po_id, ids)).group_by(PurchaseOrderLine.po_id)))
    return pos, counts


def _lines_with_pos(po_line_ids: Iterable[int]) -> tuple[dict[int, PurchaseOrderLine], dict[int, PurchaseOrder]]:
    ids = set(po_line_ids)
    po_ids: set[int] = set()
    for chunk in chunks(ids):
        po_ids |= set(db.session.scalars(sa.select(PurchaseOrderLine.po_id).where(PurchaseOrderLine.id.in_(chunk))))
    pos = _lock_pos(po_ids)
    lines = {ln.id: ln for po in pos.values() for ln in po.lines if ln.id in ids}
    missing = ids - set(lines)
    if missing:
        raise ValidationError(None, f"There is no purchase order line {min(missing)}.")
    return lines, pos


def add_lines_bulk(additions: Mapping[int, Sequence[PurchaseOrderLineDraft]]) -> list[int]:
    """Append lines to open, unsent POs (``{po_id: [line drafts]}``), numbered after each PO's
    last line; one INSERT for all of them. Returns the new line ids in the order given and
    fills ``po_line_id``/``line_no`` on the drafts. Refused for a sent, cancelled or complete
    PO, or beyond :data:`MAX_LINES`."""
    additions = {po_id: list(lines) for po_id, lines in additions.items() if lines}
    if not additions:
        return []
    pos, counts = _lock_headers(additions)
    probe = PurchaseOrderDraft(vendor_id=0, warehouse_id=0, lines=[ln for lines in additions.values() for ln in lines])
    refs = load_refs([probe], warehouse_ids=(po.warehouse_id for po in pos.values()))
    errors: list[tuple[str | None, str]] = []
    for po_id, lines in additions.items():
        po = pos.get(po_id)
        if po is None:
            errors.append((None, f"There is no purchase order {po_id}."))
            continue
        name = f"Purchase order {po.number}: "
        if not is_open_unsent(po):
            errors.append((None, f"{name}it is {po.status_label.lower()}: lines can be added only while it is "
                                 "new and not sent to the vendor."))
        if counts[po_id][0] + len(lines) > MAX_LINES:
            errors.append((None, f"{name}a purchase order takes at most {MAX_LINES} lines."))
        for j, ln in enumerate(lines):
            errors += line_errors(ln, j, order_type=po.order_type, warehouse_id=po.warehouse_id, refs=refs,
                                   name=name)
    _raise(errors)
    rows, drafts = [], []
    for po_id, lines in additions.items():
        po = pos[po_id]
        last = counts[po_id][1]  # numbers of deleted lines are not reused
        for n, ln in enumerate(lines, start=last + 1):
            rows.append(line_values(po_id, n, ln, vendor_id=po.vendor_id, required_date=po.required_date, refs=refs))
            drafts.append(ln)
    ids = _insert_lines(rows, drafts)
    activity.record_many(activity.Entry(DOCUMENT, po_id, "lines_added", "; ".join(
        f"line {ln.line_no} qty {Decimal(ln.qty).normalize():f}" + (f" for {ln.origin_label}" if ln.origin_label
                                                                  else "") for ln in lines), pos[po_id].number)
        for po_id, lines in additions.items())
    for po in pos.values():
        db.session.expire(po, ["lines"])
    return ids


def add_lines(po_id: int, lines: Sequence[PurchaseOrderLineDraft]) -> list[int]:
    """Append ``lines`` to the open, unsent PO ``po_id`` (combining); see :func:`add_lines_bulk`."""
    return add_lines_bulk({po_id: lines})


def change_line_quantities(changes: Mapping[int, Any], *, reason: str, user_id: int | None = None,
                           sent_confirmed: bool = False) -> None:
    """Set the ordered quantity of lines of unsent POs (``{po_line_id: new_qty}``).

    A sent PO is the vendor's business now: refused (record a buyer exception instead),
    unless the user confirmed changing sent orders (``sent_confirmed``, as *Reset Purchase
    Orders* asks); a cancelled or complete PO never changes.
    The quantity must be above zero, within the column, and not below what was received.
    ``reason`` says why ("SO 0100022 line 3 reduced from 5 to 3"); it is written to the
    PO's history when *Retain Purchase Order History* is selected.
    """
    if not changes:
        return
    if not (reason or "").strip():
        raise ValueError("change_line_quantities needs a reason")
    lines, pos = _lines_with_pos(changes)
    errors: list[tuple[str | None, str]] = []
    wanted: dict[int, Decimal] = {}
    for line_id, raw in changes.items():
        ln = lines[line_id]
        po = pos[ln.po_id]
        name = f"Purchase order {po.number} line {ln.line_no}: "
        if po.status in CLOSED_STATUSES:
            errors.append((None, f"{name}the order is {po.status_label.lower()}; its quantity cannot change."))
            continue
        if not sent_confirmed and not is_open_unsent(po):
            errors.append((None, f"{name}the order was already sent to the vendor; its quantity cannot change."))
            continue
        try:
            qty = parse_quantity(raw, None)
        except ValidationError as exc:
            errors.append((None, name + exc.message))
            continue
        if qty <= 0:
            errors.append((None, f"{name}the quantity must be more than zero (delete the line instead)."))
        elif qty < qty_received(ln):
            errors.append((None, f"{name}the quantity cannot be less than the {qty_received(ln).normalize():f} "
                                 "received."))
        else:
            wanted[line_id] = qty
    _raise(errors)
    keep = bool(options.current()["retain_po_history"])
    said: dict[int, list[str]] = {}
    for line_id, qty in wanted.items():
        ln = lines[line_id]
        if qty != ln.qty_ordered:
            said.setdefault(ln.po_id, []).append(f"{line_words(ln)} -> {qty.normalize():f}")
        if keep and qty != ln.qty_ordered:
            po = pos[ln.po_id]
            detail = f"{line_text(ln)} -> qty {qty.normalize():f}: {reason.strip()}"
            db.session.add(line_history_row(po, ln, "qty_changed", "", user_id, detail=detail))
        ln.qty_ordered = qty
    lines_changed(pos.values(), said, "changed", reason)
    db.session.flush()


def change_line_quantity(po_line_id: int, new_qty: Any, *, reason: str, user_id: int | None = None,
                         sent_confirmed: bool = False) -> None:
    """Set one line's ordered quantity; see :func:`change_line_quantities`."""
    change_line_quantities({po_line_id: new_qty}, reason=reason, user_id=user_id, sent_confirmed=sent_confirmed)


def cancel_lines(po_line_ids: Iterable[int], *, reason: str, reason_code: str = "",
                 user_id: int | None = None) -> None:
    """The vendor cancelled these lines: each stays on its PO as ordered (for audit), closed, so
    what was not received leaves the PO's total, receiving and the links to it.

    A history row (``line_cancel``) records it with ``reason``. Fires
    ``on_purchase_order_saved`` for each PO, so links to the lines shrink. Refused on
    cancelled or complete POs.
    """
    ids = list(dict.fromkeys(po_line_ids))
    if not ids:
        return
    if not (reason or "").strip():
        raise ValueError("cancel_lines needs a reason")
    lines, pos = _lines_with_pos(ids)
    _raise([(None, f"Purchase order {pos[ln.po_id].number} is {pos[ln.po_id].status_label.lower()}: its lines "
                   "cannot be cancelled.") for ln in lines.values() if pos[ln.po_id].status in CLOSED_STATUSES])
    for ln in lines.values():
        if ln.closed:
            continue  # already closed or cancelled
        db.session.add(line_history_row(pos[ln.po_id], ln, "line_cancel", reason_code, user_id,
                                        detail=f"{line_text(ln)}: {reason.strip()}"))
        ln.closed = True
    db.session.flush()
    for po in pos.values():
        refresh_status(po)
        db.session.flush()
        hooks().on_purchase_order_saved(po=po, created=False, form_data={})


def delete_lines(po_line_ids: Iterable[int], *, reason_code: str | None = None,
                 user_id: int | None = None, reason: str = "") -> list[int]:
    """Delete PO lines that received nothing (to history when *Retain Deleted Lines* says so).

    Refused for lines with received or returned quantity and on cancelled or complete
    POs. A sent PO's lines may be deleted (the caller confirmed it, as *Reset Purchase
    Orders* does). Returns the ids of POs left without lines (the caller decides whether
    to delete them with :func:`delete_purchase_orders`).
    """
    ids = list(dict.fromkeys(po_line_ids))
    if not ids:
        return []
    code = check_reason_code(reason_code, required=False)
    lines, pos = _lines_with_pos(ids)
    errors: list[tuple[str | None, str]] = []
    for ln in lines.values():
        po = pos[ln.po_id]
        if po.status in CLOSED_STATUSES:
            errors.append((None, f"Purchase order {po.number} is {po.status_label.lower()}: its lines cannot be "
                                 "deleted."))
        elif (ln.qty_received or ZERO) > 0 or (ln.qty_returned or ZERO) > 0:
            errors.append((None, f"Purchase order {po.number} line {ln.line_no} has received goods and cannot be "
                                 "deleted."))
    _raise(errors)
    keep = retain_deleted("line")
    said: dict[int, list[str]] = {}
    for ln in lines.values():
        po = pos[ln.po_id]
        said.setdefault(po.id, []).append(f"{line_words(ln)} deleted")
        if keep:
            db.session.add(line_history_row(po, ln, "line_deleted", code, user_id))
        po.lines.remove(ln)
    lines_changed(pos.values(), said, "lines_deleted", reason or code)
    db.session.flush()
    for po in pos.values():
        refresh_status(po)
    db.session.flush()
    return [po.id for po in pos.values() if not po.lines]


# -- deleting orders ------------------------------------------------------------------------------------


def delete_purchase_orders(po_ids: Iterable[int], *, reason_code: str | None = None, to_history: bool | None = None,
                           user_id: int | None = None, reason: str = "") -> list[str]:
    """Delete POs that received nothing; return their numbers.

    Each PO fires ``on_purchase_order_cancelled`` first (plugins drop their links), then
    goes to history with the reason code when ``to_history`` says so (``None``: when
    *Retain Deleted Orders* says Yes or Prompt). Refused, writing nothing, when any has
    received goods. A sent PO may be deleted: the caller confirmed it.
    """
    ids = list(dict.fromkeys(po_ids))
    if not ids:
        return []
    code = check_reason_code(reason_code, required=False)
    pos = _lock_pos(ids)
    missing = [i for i in ids if i not in pos]
    if missing:
        raise ValidationError(None, f"There is no purchase order {missing[0]}.")
    refused = [pos[i].number for i in ids if has_receipts(pos[i])]
    if refused:
        raise ValidationError(None, "Purchase orders with received goods cannot be deleted: "
                                    + ", ".join(refused) + ".")
    keep = retain_deleted("order") if to_history is None else to_history
    numbers = []
    for po_id in ids:
        po = pos[po_id]
        hooks().on_purchase_order_cancelled(po=po)
        log(po, activity.DELETED, "; ".join(t for t in (reason.strip(), f"reason code {code}" if code else "") if t))
        if keep:
            db.session.add(history_row(po, "deleted", code, user_id))
        numbers.append(po.number)
        db.session.delete(po)
    db.session.flush()
    return numbers


def record_buyer_exception(po_id: int, text: str) -> PurchaseOrderException:
    """Record an exception on PO ``po_id`` for the buyer (a sent PO a sales order no longer
    needs, say); it shows on the PO page until resolved."""
    po = db.session.get(PurchaseOrder, po_id)
    if po is None:
        raise ValidationError(None, f"There is no purchase order {po_id}.")
    if not (text or "").strip():
        raise ValidationError(None, "An exception needs a text.")
    log(po, "exception", text.strip())
    return add_exception(po, text.strip())
