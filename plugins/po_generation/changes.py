"""A sales order's changes reach its purchase orders (DESIGN.md, "Changing a sales order").

* A decrease or a removed line reduces unsent PO lines (emptied lines removed, emptied
  POs deleted to history); what sits on sent POs is reported to the buyer as an
  exception naming the sales order and the change.
* A line whose item changed is no longer served by the old item's PO lines: they are
  taken off the same way, and generation orders the new item.
* Cancelling or completing the order takes everything off its unsent POs and records
  an exception on sent ones.
* Increases are ordered by generation (on an unsent PO line when there is one).

All of it runs inside the sales order's transaction and flushes only.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from core.db import db
from core.models import Item
from core.web import qty as qty_text
from plugins.sales_order.models import DONE_STATUSES, SalesOrder

from . import activity_log, links, notices, purchasing, settings
from .generation import Result, generate_for_order
from .inputs import order_supply
from .links import LinkRow
from .rules import ZERO, LineIn, PromptNeeded


def _take_off(order: SalesOrder, rows: list[LinkRow], excess: Decimal, what: str) -> None:
    """Take ``excess`` off the given links of one SO line: unsent PO lines are reduced
    (latest first); what is left on sent POs becomes an exception for the buyer. The
    sales order's log and the user's confirmation name each PO changed or deleted."""
    so_number = order.number
    rows = [r for r in rows if r.po_status != "cancelled"]
    new_qty: dict[int, Decimal] = {}
    touched: list[str] = []
    for r in reversed([r for r in rows if not r.po_sent]):
        if excess <= 0:
            break
        take = min(excess, r.qty)
        excess -= take
        links.set_link_qty(r.link_id, r.qty - take)
        new_qty[r.po_line_id] = r.po_line_qty - take
        touched.append(r.po_number)
    if new_qty:  # emptied lines are deleted, and emptied POs (to history)
        deleted = purchasing.change_line_quantities(new_qty, reason=f"Sales order {so_number}: {what}")
        activity_log.po_changed_by_order(order.id, so_number, touched, what, deleted)
    sent = list(dict.fromkeys(r.po_id for r in rows if r.po_sent))
    if excess > 0:
        for po_id in sent:
            purchasing.record_buyer_exception(
                po_id, f"Sales order {so_number}: {what}; {qty_text(excess)} ordered on this purchase order is no "
                       "longer needed. The PO was already sent and was left unchanged.")


def _still_needed(order: SalesOrder, line_id: int, new_qty: Decimal) -> Decimal:
    line = next((ln for ln in order.lines if ln.id == line_id), None)
    if line is None or new_qty <= 0:
        return ZERO
    item = line.item
    probe = LineIn(id=line.id, order_id=order.id, line_no=line.line_no, item_id=line.item_id,
                   item_code=item.code if item else "", supply_method=item.supply_method if item else "stock",
                   qty_ordered=new_qty, drop_ship=bool(line.drop_ship), qty_shipped=line.qty_shipped or ZERO,
                   qty_allocated=line.qty_allocated or ZERO)
    return probe.quantity_needed()


def _reductions(changes) -> dict[int, tuple[Decimal, str]]:
    """SO line id -> (new quantity, what changed) for decreases and removed lines."""
    out: dict[int, tuple[Decimal, str]] = {}
    for ch in getattr(changes, "changed", None) or []:
        old, new = Decimal(ch.old_qty or 0), Decimal(ch.new_qty or 0)
        if new < old:
            code = ch.line.item.code if ch.line.item else ""
            out[ch.line.id] = (new, f"line {ch.line.line_no} ({code}) quantity reduced from {qty_text(old)} to "
                                    f"{qty_text(new)}")
    for rm in getattr(changes, "removed", None) or []:
        code = db.session.scalar(sa.select(Item.code).where(Item.id == rm.item_id)) or ""
        out[rm.line_id] = (ZERO, f"line {rm.line_no} ({code}) removed (quantity {qty_text(rm.qty_ordered)})")
    return out


def propagate_changes(order: SalesOrder, changes) -> None:
    """Decreases, removed lines and changed items of a saved sales order reach its POs."""
    rows = [r for r in links.links(so_id=order.id) if r.po_status != "cancelled"]
    if not rows:
        return
    by_line: dict[int, list[LinkRow]] = {}
    for r in rows:
        by_line.setdefault(r.so_line_id, []).append(r)
    for line_id, (new_qty, what) in _reductions(changes).items():
        same = [r for r in by_line.get(line_id, []) if r.po_item_id == r.so_item_id]
        have = sum((r.qty for r in same), ZERO)
        excess = have - _still_needed(order, line_id, new_qty)
        if excess > 0:
            _take_off(order, same, excess, what)
    stale_rows = [r for r in rows if r.po_item_id != r.so_item_id]
    if not stale_rows:
        return
    codes = dict(db.session.execute(sa.select(Item.id, Item.code)
                                    .where(Item.id.in_({r.so_item_id for r in stale_rows}))).all())
    for line_rows in by_line.values():
        stale = [r for r in line_rows if r.po_item_id != r.so_item_id]
        if stale:
            what = (f"line {stale[0].so_line_no} changed from item {stale[0].item_code} to "
                    f"{codes.get(stale[0].so_item_id, '')}")
            _take_off(order, stale, sum((r.qty for r in stale), ZERO), what)


def _increased_lines(changes) -> set[int]:
    return {ch.line.id for ch in (getattr(changes, "changed", None) or [])
            if Decimal(ch.new_qty or 0) > Decimal(ch.old_qty or 0)}


def on_order_saved(order: SalesOrder, created: bool, changes) -> Result | None:
    """The ``on_sales_order_saved`` path: propagate changes, then generate (per option)."""
    if not created:  # a new order has no POs yet: nothing to propagate (one query less per save)
        propagate_changes(order, changes)
    if order.status in DONE_STATUSES:
        return None
    o = settings.current()
    if created and o["enable_in_entry"] and o["prompt_on_new"] and not o["generate_on_save"]:
        if order_supply(order).to_order:  # asked only when something needs buying
            notices.ask_to_generate(order.id)
    removed = {rm.line_id for rm in (getattr(changes, "removed", None) or [])}
    try:
        if o["generate_on_save"]:
            return generate_for_order(order.id, exclude_line_ids=removed)
        # generation is not automatic, but an order that already has POs keeps them in step
        increased = _increased_lines(changes)
        have = {r.so_line_id for r in links.links(so_line_ids=increased)} if increased else set()
        if have:
            return generate_for_order(order.id, only_line_ids=have)
    except PromptNeeded as exc:
        notices.ask_for_date(order.id, exc.which)  # the order page asks for the date
    return None


def _release_all(order: SalesOrder, event: str, *, user_id: int | None = None) -> None:
    """The order no longer needs its POs (cancelled or completed): unsent POs serving only
    it are deleted (to history); its lines come off shared unsent POs; sent POs get an
    exception for the buyer."""
    by_po: dict[int, list[LinkRow]] = {}
    for r in links.links(so_id=order.id):
        if r.po_status != "cancelled":
            by_po.setdefault(r.po_id, []).append(r)
    alone: list[int] = []
    for po_id, rows in by_po.items():
        if rows[0].po_sent:
            purchasing.record_buyer_exception(
                po_id, f"Sales order {order.number} was {event}: "
                       + "; ".join(f"PO line {r.po_line_no} ({r.item_code}) qty {qty_text(r.qty)} served its line "
                                   f"{r.so_line_no}" for r in rows)
                       + ". The PO was already sent and was left unchanged.")
        elif not links.other_orders_on_po(po_id, order.id):
            alone.append(po_id)
        else:
            for r in rows:
                _take_off(order, [r], r.qty, f"{event} (line {r.so_line_no})")
    gone = purchasing.delete_purchase_orders(alone, user_id=user_id, reason=f"Sales order {order.number} was {event}")
    activity_log.po_changed_by_order(order.id, order.number, [], f"the order was {event}", gone)
    db.session.flush()


def on_order_cancelled(order: SalesOrder, *, user_id: int | None = None) -> None:
    _release_all(order, "cancelled", user_id=user_id)


def on_order_completed(order: SalesOrder, *, user_id: int | None = None) -> None:
    """Completing an order (nothing more will be shipped) leaves no unsent PO live for it."""
    _release_all(order, "completed", user_id=user_id)


def record_po_deleted(po_id: int, po_number: str) -> None:
    """``on_purchase_order_cancelled``: drop the PO's links and remember, per sales order,
    that its PO went away (the missing-PO check gives it as the reason)."""
    for so_id in links.drop_links_of_po(po_id):
        links.record_event(so_id, "po_deleted", f"PO {po_number} deleted or cancelled")
    db.session.flush()
