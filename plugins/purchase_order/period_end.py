"""Purchase Order period end: purge by the History options, then advance the current period.

What goes, and nothing else:

* completed (received or closed) POs completed longer ago than *Days to Retain
  Completed Purchase Orders* (written to the recap first when *Retain Purchase Order
  History* is selected);
* receipt history by *Retain Receipt History*: No deletes the receipts posted up to the
  period being closed, Summary Only keeps their headers and drops the lines, Until
  Period End keeps the detail and purges cancelled POs; comment lines and detail
  comments are dropped when *Retain Comment Lines in Receipt History* is cleared;
* the PO recap (deleted, cancelled and purged orders and deleted lines) and cancelled
  POs when *Purge Purchase Order Recap at Period End* is selected;
* purchase history by item and vendor older than *Years to Retain Purchase History*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from core.db import db
from core.models import utcnow
from core.options import Options, apply_changes

from .models import COMPLETE_STATUSES, PoHistory, PurchaseHistory, PurchaseOrder, Receipt, ReceiptLine
from .options import PLUGIN, options


@dataclass
class PeriodEndResult:
    dry_run: bool
    closing: tuple[int, int]
    next_period: tuple[int, int]
    counts: dict[str, int] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)

    def summary(self) -> str:
        c = self.counts
        return (f"purge {c['completed_pos']} completed PO(s), {c['cancelled_pos']} cancelled PO(s), "
                f"{c['receipts']} receipt(s), {c['receipt_lines']} receipt line(s), "
                f"{c['comment_lines']} comment line(s), {c['recap_rows']} recap row(s), "
                f"{c['purchase_history_rows']} purchase history row(s); period {self.closing[1]}/{self.closing[0]}"
                f" -> {self.next_period[1]}/{self.next_period[0]}")


def _ids(stmt) -> list[int]:
    return list(db.session.scalars(stmt))


@dataclass
class _Purge:
    """The rows one period end removes or changes (found first, so a dry run can count them)."""

    completed: list = field(default_factory=list)  # (id, number) of completed POs past retention
    cancelled: list = field(default_factory=list)
    recap_ids: list[int] = field(default_factory=list)
    receipt_ids: list[int] = field(default_factory=list)
    summary_line_ids: list[int] = field(default_factory=list)
    comment_line_ids: list[int] = field(default_factory=list)
    comment_text_ids: list[int] = field(default_factory=list)
    history_ids: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "completed_pos": len(self.completed), "cancelled_pos": len(self.cancelled),
            "receipts": len(self.receipt_ids), "receipt_lines": len(self.summary_line_ids),
            "comment_lines": len(self.comment_line_ids), "comment_texts": len(self.comment_text_ids),
            "recap_rows": len(self.recap_ids), "purchase_history_rows": len(self.history_ids),
        }


def _find_orders(o: Options, now: datetime, purge: _Purge) -> None:
    cutoff = now - timedelta(days=int(o["retain_days"]))
    purge.completed = db.session.execute(
        sa.select(PurchaseOrder.id, PurchaseOrder.number).where(
            PurchaseOrder.status.in_(COMPLETE_STATUSES), PurchaseOrder.completed_at.is_not(None),
            PurchaseOrder.completed_at <= cutoff)
        .order_by(PurchaseOrder.number)).all()
    # cancelled POs: with the recap purge, or with receipt history "until period end"
    if o["purge_recap"] or o["retain_receipt_history"] == "period_end":
        purge.cancelled = db.session.execute(
            sa.select(PurchaseOrder.id, PurchaseOrder.number).where(PurchaseOrder.status == "cancelled")
            .order_by(PurchaseOrder.number)).all()
    if o["purge_recap"]:
        purge.recap_ids = _ids(sa.select(PoHistory.id))


def _find_receipts(o: Options, year: int, period: int, purge: _Purge) -> None:
    up_to_now = sa.or_(Receipt.fiscal_year < year, sa.and_(Receipt.fiscal_year == year, Receipt.period <= period))
    rule = o["retain_receipt_history"]
    if rule == "no":
        purge.receipt_ids = _ids(sa.select(Receipt.id).where(up_to_now))
    elif rule == "summary":
        purge.summary_line_ids = _ids(sa.select(ReceiptLine.id).join(Receipt).where(up_to_now))
    elif not o["retain_receipt_comments"]:
        purge.comment_line_ids = _ids(sa.select(ReceiptLine.id).join(Receipt).where(
            up_to_now, ReceiptLine.item_id.is_(None)))
        purge.comment_text_ids = _ids(sa.select(ReceiptLine.id).join(Receipt).where(
            up_to_now, ReceiptLine.item_id.is_not(None), ReceiptLine.comment != ""))


def _delete(model, ids: list[int], column=None) -> None:
    if ids:
        db.session.execute(sa.delete(model).where((column if column is not None else model.id).in_(ids))
                           .execution_options(synchronize_session=False))


def _update(model, ids: list[int], **values) -> None:
    if ids:
        db.session.execute(sa.update(model).where(model.id.in_(ids)).values(**values)
                           .execution_options(synchronize_session=False))


def _apply_orders(o: Options, purge: _Purge, user_id: int | None) -> None:
    _delete(PoHistory, purge.recap_ids)
    if purge.completed and o["retain_po_history"] and not o["purge_recap"]:
        ids = [i for i, _ in purge.completed]
        for po in db.session.scalars(sa.select(PurchaseOrder).where(PurchaseOrder.id.in_(ids))):
            detail = "; ".join(f"line {ln.line_no}: qty {ln.qty_ordered:f} received {ln.qty_received:f}"
                               for ln in po.lines)
            db.session.add(PoHistory(kind="completed", po_number=po.number, vendor_id=po.vendor_id,
                                     detail=detail, amount=po.total, user_id=user_id))
        db.session.flush()
    _delete(PurchaseOrder, [i for i, _ in purge.completed] + [i for i, _ in purge.cancelled])


def _apply_receipts(purge: _Purge) -> None:
    _delete(ReceiptLine, purge.receipt_ids, ReceiptLine.receipt_id)
    _delete(Receipt, purge.receipt_ids)
    if purge.summary_line_ids:
        rids = _ids(sa.select(ReceiptLine.receipt_id).where(ReceiptLine.id.in_(purge.summary_line_ids)).distinct())
        _delete(ReceiptLine, purge.summary_line_ids)
        _update(Receipt, rids, summary_only=True)
    _delete(ReceiptLine, purge.comment_line_ids)
    _update(ReceiptLine, purge.comment_text_ids, comment="")


def run_period_end(*, dry_run: bool = False, now: datetime | None = None, user_id: int | None = None
                   ) -> PeriodEndResult:
    """Compute (and unless ``dry_run`` apply) the period-end purges. Flushes, never commits."""
    o = options.current()
    year, period = int(o["current_year"]), int(o["current_period"])
    nxt = (year + 1, 1) if period >= 12 else (year, period + 1)
    purge = _Purge()
    _find_orders(o, now or utcnow(), purge)
    _find_receipts(o, year, period, purge)
    oldest_kept = year - int(o["history_years"]) + 1
    purge.history_ids = _ids(sa.select(PurchaseHistory.id).where(PurchaseHistory.fiscal_year < oldest_kept))
    res = PeriodEndResult(dry_run, (year, period), nxt, purge.counts())
    if purge.completed:
        res.details.append("completed POs: " + ", ".join(n for _, n in purge.completed))
    if purge.cancelled:
        res.details.append("cancelled POs: " + ", ".join(n for _, n in purge.cancelled))
    if dry_run:
        return res
    _apply_orders(o, purge, user_id)
    _apply_receipts(purge)
    _delete(PurchaseHistory, purge.history_ids)
    apply_changes(PLUGIN, {"current_year": nxt[0], "current_period": nxt[1]}, user_id=user_id,
                  source="period-end")
    db.session.expire_all()
    return res
