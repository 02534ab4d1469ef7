"""Allocation services: load shortages and open PO lines, apply the pure rule, keep links true.

Functions flush, never commit: they run inside the caller's transaction (the sales order
save, the receipt, a page's request).

Concurrency: before reading what is still unallocated on PO lines, an allocation takes the
row lock of each PO line's ``pa_po_line`` row (ascending id, so two allocations never wait
on each other in a circle), then reads the committed links afresh. Two orders racing for
the last quantity of one PO line are thus served one after the other and the second sees
the first's links. On SQLite the BEGIN IMMEDIATE write lock already serialises them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from core.db import ZERO, db
from core.errors import ValidationError
from core.models import Item, Partner
from core.plugins import host_of
from plugins.purchase_order.models import OPEN_STATUSES as PO_OPEN
from plugins.purchase_order.models import PoLineStatus, PurchaseOrder, PurchaseOrderLine, Receipt, Return
from plugins.sales_order.fills import LinkedLine, last_receipt, record_fill
from plugins.sales_order.models import SalesOrder, SalesOrderLine

from . import options, purchasing, sales
from .models import PaFill, PaLink, PaPoLine
from .rules import Candidate, Decisions, Shortage, fill_order, plan_allocation, shrink, validate_assignment

DONE_SO = ("9", "*")
SUPPLY_HOOK = "sales_order_line_supply"  # po_generation's hook (pogen helper), when declared


# -- reading ---------------------------------------------------------------------------------------


def _open_by(key: sa.ColumnElement, ids: Iterable[int], *conds, po_side: bool = False) -> dict[int, Decimal]:
    """Open (not yet filled) linked quantity summed per ``key`` (a link column) over ``ids``."""
    ids = list(set(ids))
    if not ids:
        return {}
    stmt = sa.select(key, sa.func.sum(PaLink.qty - PaLink.qty_filled)).where(key.in_(ids), *conds).group_by(key)
    if po_side:
        stmt = (stmt.join(PurchaseOrderLine, PurchaseOrderLine.id == PaLink.po_line_id)
                .join(PurchaseOrder, PurchaseOrder.id == PaLink.po_id))
    else:
        stmt = stmt.join(SalesOrder, SalesOrder.id == PaLink.so_id)
    return {k: max(ZERO, Decimal(q or 0)) for k, q in db.session.execute(stmt).all()}


def open_linked(po_line_ids: Iterable[int]) -> dict[int, Decimal]:
    """Open (not yet filled) linked quantity per PO line, over orders still open."""
    return _open_by(PaLink.po_line_id, po_line_ids, SalesOrder.status.notin_(DONE_SO))


def supply_for_lines(so_line_ids: Iterable[int]) -> dict[int, Decimal]:
    """How much of each sales order line this plugin's open links supply (on PO lines that can deliver)."""
    return _open_by(PaLink.so_line_id, so_line_ids, *live_po_line(), po_side=True)


def live_po_line() -> tuple:
    """A PO line that can still deliver: not closed, on an open PO (a closed one never will)."""
    return (PurchaseOrderLine.closed.is_(False), PurchaseOrder.status.in_(PO_OPEN))


def supply_words(so_line_ids: Iterable[int]) -> dict[int, list[str]]:
    """``sales_order_line_supply``'s answer: each line with open links, and the PO lines, in words."""
    ids = list(set(so_line_ids))
    if not ids:
        return {}
    out: dict[int, list[str]] = {}
    for r in link_rows(PaLink.so_line_id.in_(ids), *live_po_line()):
        if r.qty_open > 0:
            out.setdefault(r.so_line_id, []).append(
                f"PO {r.po_number} line {r.po_line_no} (back order {r.qty_open.normalize():f} allocated)")
    return out


def supply_from_others(lines: list[SalesOrderLine]) -> set[int]:
    """Lines another bridge (po_generation) names as supplied, through ``sales_order_line_supply``.

    That hook says *which* lines a document supplies, not how much: a named line is left
    alone entirely (never both).
    """
    host = host_of(current_app)
    if not lines or not hasattr(host.pm.hook, SUPPLY_HOOK):
        return set()
    named: set[int] = set()
    for name, result in host.call_each(SUPPLY_HOOK, enabled_only=True, lines=lines):
        if name != "po_allocation":
            named.update(line_id for line_id, words in dict(result or {}).items() if words)
    return named


def _po_warehouse() -> sa.ColumnElement:
    return sa.func.coalesce(PurchaseOrder.warehouse_id, purchasing.default_warehouse_id())


def candidate_rows(pairs: set[tuple[int, int | None]], po_line_ids: Iterable[int] | None = None) -> list[dict]:
    """Open, not fully received lines of standard POs for these (item, warehouse) pairs.

    PO lines bought for a named sales order (``origin_label``, set by po_generation) are
    spoken for and never offered. ``unallocated`` = outstanding less open links.
    """
    if not pairs:
        return []
    L = PurchaseOrderLine
    stmt = (sa.select(L.id, L.item_id, L.qty_ordered, L.qty_received, L.required_date, L.line_no,
                      PurchaseOrder.id.label("po_id"), PurchaseOrder.number, PurchaseOrder.required_date.label("h_req"),
                      _po_warehouse().label("wh"))
            .join(PurchaseOrder, PurchaseOrder.id == L.po_id)
            .where(L.item_id.in_({i for i, _ in pairs}), L.closed.is_(False), L.qty_ordered > L.qty_received,
                   PurchaseOrder.status.in_(PO_OPEN), PurchaseOrder.order_type == "S",
                   sa.or_(L.origin_label.is_(None), L.origin_label == ""))
            .order_by(L.id))
    if po_line_ids is not None:
        stmt = stmt.where(L.id.in_(list(po_line_ids)))
    rows = [r for r in db.session.execute(stmt) if (r.item_id, r.wh) in pairs]
    taken = open_linked(r.id for r in rows)
    return [{"po_line_id": r.id, "item_id": r.item_id, "warehouse_id": r.wh, "po_id": r.po_id, "po_number": r.number,
             "line_no": r.line_no, "required_date": r.required_date or r.h_req,
             "outstanding": Decimal(r.qty_ordered) - Decimal(r.qty_received),
             "unallocated": max(ZERO, Decimal(r.qty_ordered) - Decimal(r.qty_received) - taken.get(r.id, ZERO))}
            for r in rows]


def as_candidates(rows: list[dict]) -> list[Candidate]:
    return [Candidate(r["po_line_id"], r["item_id"], r["warehouse_id"], r["unallocated"], r["required_date"])
            for r in rows]


def lock_po_lines(po_line_ids: Iterable[int]) -> list[int]:
    """Take the allocation locks for these PO lines; return the ids that may be allocated now.

    1. PostgreSQL: a ``FOR KEY SHARE ... SKIP LOCKED`` read of the PO lines and their POs
       (purchase_order's rows, read only). A line whose PO a receipt or an edit holds right
       now is left out: waiting for it here, with the stock rows of the sales order save
       already held, could deadlock with that receipt (it locks the PO, then the stock).
       Holding the key-share lock, the link rows' foreign keys never wait either.
    2. Each line's ``pa_po_line`` row (created when missing) is locked ``FOR UPDATE`` in
       ascending id order: allocations of one PO line queue here, never in a circle.
    """
    wanted = sorted(set(po_line_ids))
    if not wanted:
        return []
    L = PurchaseOrderLine
    stmt = sa.select(L.id).join(PurchaseOrder, PurchaseOrder.id == L.po_id).where(L.id.in_(wanted)).order_by(L.id)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres:
        stmt = stmt.with_for_update(read=True, key_share=True, skip_locked=True, of=[L, PurchaseOrder])  # KEY SHARE
    ids = list(db.session.scalars(stmt))
    if not ids:
        return []
    insert = pg_insert if postgres else sqlite_insert
    db.session.execute(insert(PaPoLine).values([{"po_line_id": i, "allocations": 0} for i in ids])
                       .on_conflict_do_nothing(index_elements=["po_line_id"]))
    db.session.execute(sa.select(PaPoLine.po_line_id).where(PaPoLine.po_line_id.in_(ids))
                       .order_by(PaPoLine.po_line_id).with_for_update()).all()
    return ids


def shortage_lines(lines: Iterable[SalesOrderLine]) -> list[SalesOrderLine]:
    """Stocked, positive lines of open orders with a back order."""
    return [ln for ln in lines if ln.stock_controlled and (ln.qty_ordered or ZERO) > 0
            and (ln.qty_backordered or ZERO) > 0 and ln.order.status not in DONE_SO]


def shortages_of(lines: list[SalesOrderLine]) -> list[Shortage]:
    """The back order not yet supplied by these links; nothing for a line another bridge supplies."""
    mine = supply_for_lines(ln.id for ln in lines)
    others = supply_from_others(lines)
    out = []
    for ln in lines:
        qty = ZERO if ln.id in others else (ln.qty_backordered or ZERO) - mine.get(ln.id, ZERO)
        out.append(Shortage(ln.id, ln.item_id, ln.warehouse_id, max(ZERO, qty)))
    return out


# -- allocating ----------------------------------------------------------------------------------


def wants_allocation(source: str) -> bool:
    o = options.current()
    if not o.allocate_on_entry:
        return False
    return source == "entry" or bool(o.allocate_on_import)


def allocate_order(order: SalesOrder, *, source: str = "entry") -> Decisions:
    """Link a new order's short lines to open PO quantity (the seed's automatic allocation).

    ``source`` is ``"entry"``, ``"import"`` or ``"api"``: importers and the API call this
    after saving an order when they bypass ``on_sales_order_saved``.
    """
    if not wants_allocation(source):
        return Decisions()
    lines = sorted(shortage_lines(order.active_lines), key=lambda ln: ln.line_no)
    if not lines:
        return Decisions()
    pairs = {(ln.item_id, ln.warehouse_id) for ln in lines}
    free = lock_po_lines(r["po_line_id"] for r in candidate_rows(pairs))
    decisions = plan_allocation(shortages_of(lines), as_candidates(candidate_rows(pairs, po_line_ids=free)))
    by_id = {ln.id: ln for ln in lines}
    for link in decisions.links:
        add_link(by_id[link.so_line_id], link.po_line_id, link.qty)
    db.session.flush()
    set_default_status({ln.po_line_id for ln in decisions.links})
    return decisions


def add_link(line: SalesOrderLine, po_line_id: int, qty: Decimal, *, manual: bool = False) -> PaLink:
    link = db.session.scalar(sa.select(PaLink).where(PaLink.so_line_id == line.id, PaLink.po_line_id == po_line_id))
    if link is None:
        po_id = db.session.scalar(sa.select(PurchaseOrderLine.po_id).where(PurchaseOrderLine.id == po_line_id))
        link = PaLink(so_line_id=line.id, po_line_id=po_line_id, so_id=line.order_id, po_id=po_id, qty=ZERO,
                      qty_filled=ZERO, manual=manual)
        db.session.add(link)
    link.qty = (link.qty or ZERO) + qty
    db.session.execute(sa.update(PaPoLine).where(PaPoLine.po_line_id == po_line_id)
                       .values(allocations=PaPoLine.allocations + 1))
    return link


def set_default_status(po_line_ids: set[int]) -> list[int]:
    """The option's default status on the linked PO lines (through purchase_order); ids set."""
    code = (options.current().default_line_status or "").strip()
    if not code or not po_line_ids:
        return []
    done = []
    for po_line in db.session.scalars(sa.select(PurchaseOrderLine).where(PurchaseOrderLine.id.in_(po_line_ids))
                                      .order_by(PurchaseOrderLine.id)):
        if purchasing.set_line_status(po_line, code):
            done.append(po_line.id)
    return done


def assign_line(so_line_id: int, wanted: dict[int, Decimal]) -> list[PaLink]:
    """A clerk links one line to PO lines by hand; the same rule decides (ValidationError by field)."""
    line = sales.lock_line(so_line_id)
    if line is None or not shortage_lines([line]):
        raise ValidationError(None, "This line has no back order to assign.")
    free = lock_po_lines(wanted)
    shortage = shortages_of([line])[0]
    if shortage.qty <= 0:
        raise ValidationError(None, "This line's back order is already covered by purchase orders.")
    rows = candidate_rows({(line.item_id, line.warehouse_id)}, po_line_ids=free)
    errors = validate_assignment(shortage, wanted, as_candidates(rows))
    if errors:
        raise ValidationError.many(errors)
    links = [add_link(line, pid, q, manual=True) for pid, q in sorted(wanted.items()) if q and q > 0]
    db.session.flush()
    set_default_status({pid for pid, q in wanted.items() if q and q > 0})
    return links


# -- keeping links true ---------------------------------------------------------------------------


def _set_open(link: PaLink, new_open: Decimal) -> None:
    """Shrink a link's open quantity; a link with nothing filled and nothing open goes."""
    link.qty = (link.qty_filled or ZERO) + max(ZERO, new_open)
    if link.qty <= 0:
        db.session.delete(link)


def _links(*conds) -> list[PaLink]:
    return list(db.session.scalars(sa.select(PaLink).where(*conds).order_by(PaLink.id)))


def fit_line(line: SalesOrderLine, links: list[PaLink]) -> None:
    """Open links of a line never exceed its back order; links of another item/warehouse go."""
    keep = []
    for link in links:
        po_line = db.session.get(PurchaseOrderLine, link.po_line_id)
        if po_line is None or po_line.item_id != line.item_id:
            _set_open(link, ZERO)
        else:
            keep.append(link)
    allowed = (line.qty_backordered or ZERO) if shortage_lines([line]) else ZERO
    excess = sum((ln.qty_open for ln in keep), ZERO) - allowed
    if excess > 0:
        by_id = {ln.id: ln for ln in keep}
        for link_id, new_open in shrink([(ln.id, ln.qty_open) for ln in keep], excess).items():
            _set_open(by_id[link_id], new_open)


def on_order_saved(order: SalesOrder, created: bool, changes) -> None:
    """New order: allocate. Changed order: removed lines drop their links, the rest are fitted."""
    if created:
        allocate_order(order, source=getattr(order, "entry_source", "entry"))
        return
    removed = [rm.line_id for rm in (getattr(changes, "removed", None) or [])]
    if removed:
        db.session.execute(sa.delete(PaLink).where(PaLink.so_line_id.in_(removed)))
    links = _links(PaLink.so_id == order.id)
    by_line: dict[int, list[PaLink]] = {}
    for link in links:
        if link.so_line_id not in removed:
            by_line.setdefault(link.so_line_id, []).append(link)
    for line in order.active_lines:
        if line.id in by_line:
            fit_line(line, by_line[line.id])
    db.session.flush()


def on_order_cancelled(order: SalesOrder) -> None:
    for link in _links(PaLink.so_id == order.id):
        _set_open(link, ZERO)
    db.session.flush()


def on_po_cancelled(po: PurchaseOrder) -> None:
    """A cancelled or deleted PO (also *Reset Purchase Orders*) frees the orders waiting on it."""
    for link in _links(PaLink.po_id == po.id):
        _set_open(link, ZERO)
    db.session.flush()


def on_po_saved(po: PurchaseOrder) -> None:
    """A PO line reduced (or closed) below what is linked: the newest links shrink; another item: gone."""
    for po_line in po.lines:
        links = []
        for link in _links(PaLink.po_line_id == po_line.id):
            so_item = db.session.scalar(sa.select(SalesOrderLine.item_id).where(SalesOrderLine.id == link.so_line_id))
            if so_item != po_line.item_id:  # the PO line now buys another item
                _set_open(link, ZERO)
            else:
                links.append(link)
        excess = sum((ln.qty_open for ln in links), ZERO) - po_line.qty_outstanding
        if links and excess > 0:
            by_id = {ln.id: ln for ln in links}
            for link_id, new_open in shrink([(ln.id, ln.qty_open) for ln in links], excess).items():
                _set_open(by_id[link_id], new_open)
    db.session.flush()


required_date = sales.so_services.required_date  # sales_order's: when a line is wanted


def on_receipt(receipt: Receipt) -> list[PaFill]:
    """Release the back orders linked to each received PO line, oldest required date first."""
    fills: list[PaFill] = []
    for rline in receipt.lines:
        if not rline.po_line_id or (rline.qty or ZERO) <= 0:
            continue
        for so_line_id in sorted({ln.so_line_id for ln in _links(PaLink.po_line_id == rline.po_line_id)}):
            fit_line(db.session.get(SalesOrderLine, so_line_id), _links(PaLink.so_line_id == so_line_id))
        db.session.flush()
        live = [ln for ln in _links(PaLink.po_line_id == rline.po_line_id) if ln.qty_open > 0]
        lines = {ln.so_line_id: db.session.get(SalesOrderLine, ln.so_line_id) for ln in live}
        shares = fill_order([(ln.id, required_date(lines[ln.so_line_id]), ln.qty_open) for ln in live], rline.qty)
        for link in live:
            take = shares.get(link.id, ZERO)
            released = sales.release_to_line(lines[link.so_line_id], take) if take else ZERO
            if released <= 0:
                continue
            link.qty_filled = (link.qty_filled or ZERO) + released
            fills.append(record_fill(PaFill, receipt_id=receipt.id, po_line_id=rline.po_line_id, po_id=link.po_id,
                                     line=lines[link.so_line_id], qty=released))
    db.session.flush()
    return fills


def on_return(return_: Return) -> list[PaFill]:
    """A return to the vendor undoes what receipts of that PO line released and is not shipped:
    newest required date first, up to the quantity returned. The link is open again for that
    quantity, and a negative fill against the last receipt that filled it keeps the report true."""
    undone: list[PaFill] = []
    for rline in return_.lines:
        left = rline.qty or ZERO
        if not rline.po_line_id or left <= 0:
            continue
        filled = [ln for ln in _links(PaLink.po_line_id == rline.po_line_id) if (ln.qty_filled or ZERO) > 0]
        lines = {ln.so_line_id: db.session.get(SalesOrderLine, ln.so_line_id) for ln in filled}
        for link in sorted(filled, key=lambda ln: (required_date(lines[ln.so_line_id]) or date.min, ln.id),
                           reverse=True):
            if left <= 0:
                break
            back = sales.unrelease_line(lines[link.so_line_id], min(left, link.qty_filled))
            if back <= 0:
                continue
            left -= back
            link.qty_filled -= back
            undone.append(record_fill(PaFill, receipt_id=last_receipt(PaFill, link.so_line_id, link.po_line_id),
                                      po_line_id=link.po_line_id, po_id=link.po_id, line=lines[link.so_line_id],
                                      qty=-back))
    db.session.flush()
    return undone


def check_status_code(code: str | None) -> None:
    """The default PO line status must be one of purchase_order's codes (or blank)."""
    code = (code or "").strip()
    if code and not db.session.scalar(sa.select(sa.func.count()).select_from(PoLineStatus)
                                      .where(PoLineStatus.code == code)):
        raise ValidationError("default_line_status", f"No PO line status with code {code!r}.")


# -- what pages, panels and other plugins read ------------------------------------------------------


@dataclass
class LinkRow(LinkedLine):
    customer_number: str
    customer_name: str
    customer_email: str
    customer_id: int
    item_code: str
    description: str
    po_id: int
    po_number: str
    po_line_id: int
    po_line_no: int
    expected: date | None
    qty: Decimal
    qty_filled: Decimal
    status_code: str

    @property
    def qty_open(self) -> Decimal:
        return max(ZERO, self.qty - self.qty_filled)


def link_rows(*conds) -> list[LinkRow]:
    L, PL = SalesOrderLine, PurchaseOrderLine
    stmt = (sa.select(PaLink.id, PaLink.so_id, SalesOrder.number.label("so_number"), PaLink.so_line_id, L.line_no,
                      Partner.number.label("cnum"), Partner.name.label("cname"), SalesOrder.email,
                      SalesOrder.customer_id, Item.code, L.description,
                      PaLink.po_id, PurchaseOrder.number.label("po_number"), PaLink.po_line_id,
                      PL.line_no.label("po_line_no"), PL.required_date, PurchaseOrder.required_date.label("h_req"),
                      PaLink.qty, PaLink.qty_filled, PoLineStatus.code.label("status"))
            .join(SalesOrder, SalesOrder.id == PaLink.so_id).join(L, L.id == PaLink.so_line_id)
            .join(Partner, Partner.id == SalesOrder.customer_id).join(Item, Item.id == L.item_id)
            .join(PL, PL.id == PaLink.po_line_id).join(PurchaseOrder, PurchaseOrder.id == PaLink.po_id)
            .outerjoin(PoLineStatus, PoLineStatus.id == PL.line_status_id)
            .where(*conds).order_by(SalesOrder.number, L.line_no, PurchaseOrder.number, PL.line_no))
    return [LinkRow(r.id, r.so_id, r.so_number, r.so_line_id, r.line_no, r.cnum, r.cname, r.email or "",
                    r.customer_id, r.code, r.description or "",
                    r.po_id, r.po_number, r.po_line_id, r.po_line_no, r.required_date or r.h_req, Decimal(r.qty),
                    Decimal(r.qty_filled), r.status or "")
            for r in db.session.execute(stmt)]


def demand_for_po_lines(po_line_ids: Iterable[int]) -> list[LinkRow]:
    """Which sales order lines wait on these PO lines, and how much (open links only).

    What email_templates asks to address a BACK ORDER email (customer, order, item, qty).
    """
    ids = list(set(po_line_ids))
    if not ids:
        return []
    return [r for r in link_rows(PaLink.po_line_id.in_(ids), SalesOrder.status.notin_(DONE_SO)) if r.qty_open > 0]


def purchase_line_demand(po_line_ids: Iterable[int]) -> list[dict]:
    """``purchase_line_demand``'s answer (email_templates): plain values, one dict per waiting line."""
    return [{"po_line_id": r.po_line_id, "so_line_id": r.so_line_id, "order_number": r.so_number,
             "customer_id": r.customer_id, "item_code": r.item_code, "description": r.description,
             "qty": r.qty_open}
            for r in demand_for_po_lines(po_line_ids)]


@dataclass
class SkippedRow:
    line: SalesOrderLine
    shortage: Decimal
    available: Decimal  # unallocated on open PO lines of the item in the line's warehouse
    po_lines: int


def skipped_lines() -> list[SkippedRow]:
    """Back-ordered stocked lines no link (of this or another bridge) supplies: manual action."""
    lines = shortage_lines(db.session.scalars(
        sa.select(SalesOrderLine).join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
        .where(SalesOrderLine.qty_backordered > 0, SalesOrderLine.qty_ordered > 0,
               SalesOrder.status.notin_(DONE_SO))
        .options(selectinload(SalesOrderLine.item), selectinload(SalesOrderLine.order)
                 .selectinload(SalesOrder.customer))
        .order_by(SalesOrder.order_date, SalesOrder.number, SalesOrderLine.line_no)))
    short = [(ln, s) for ln, s in zip(lines, shortages_of(lines), strict=True) if s.qty > 0]
    pairs = {(ln.item_id, ln.warehouse_id) for ln, _ in short}
    avail: dict[tuple[int, int | None], list[Decimal]] = {}
    for r in candidate_rows(pairs):
        if r["unallocated"] > 0:
            avail.setdefault((r["item_id"], r["warehouse_id"]), []).append(r["unallocated"])
    return [SkippedRow(ln, s.qty, sum(avail.get((ln.item_id, ln.warehouse_id), []), ZERO),
                       len(avail.get((ln.item_id, ln.warehouse_id), [])))
            for ln, s in short]


@dataclass
class AssignmentView:
    shortage: Decimal
    candidates: list[dict]
    links: list[LinkRow]


def assignment_view(line: SalesOrderLine) -> AssignmentView:
    lines = shortage_lines([line])
    shortage = shortages_of(lines)[0].qty if lines else ZERO
    rows = [r for r in candidate_rows({(line.item_id, line.warehouse_id)}) if r["unallocated"] > 0]
    rows.sort(key=lambda r: (r["required_date"] or date.max, r["po_line_id"]))
    return AssignmentView(shortage, rows, link_rows(PaLink.so_line_id == line.id))


@dataclass
class FillRow:
    receipt_id: int
    receipt_number: str
    receipt_date: date
    so_id: int
    so_number: str
    so_line_no: int
    po_id: int | None
    po_number: str
    item_code: str
    qty: Decimal


def fill_rows(*conds) -> list[FillRow]:
    """What receipts released through the links (for the SO, PO and receipt pages)."""
    stmt = (sa.select(PaFill.receipt_id, Receipt.number.label("rnum"), Receipt.receipt_date, PaFill.so_id,
                      SalesOrder.number.label("so_number"), SalesOrderLine.line_no, PaFill.po_id, Receipt.po_number,
                      Item.code, PaFill.qty)
            .join(Receipt, Receipt.id == PaFill.receipt_id).join(SalesOrder, SalesOrder.id == PaFill.so_id)
            .join(SalesOrderLine, SalesOrderLine.id == PaFill.so_line_id)
            .join(Item, Item.id == SalesOrderLine.item_id)
            .where(*conds).order_by(Receipt.receipt_date, Receipt.id, SalesOrder.number, SalesOrderLine.line_no))
    return [FillRow(r.receipt_id, r.rnum, r.receipt_date, r.so_id, r.so_number, r.line_no, r.po_id, r.po_number,
                    r.code, Decimal(r.qty)) for r in db.session.execute(stmt)]
