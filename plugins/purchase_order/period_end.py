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
from core.options import apply_changes

from .models import PoHistory, PurchaseHistory, PurchaseOrder, Receipt, ReceiptLine
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


def run_period_end(*, dry_run: bool = False, now: datetime | None = None, user_id: int | None = None
                   ) -> PeriodEndResult:
    """Compute (and unless ``dry_run`` apply) the period-end purges. Flushes, never commits."""
    o = options.current()
    now = now or utcnow()
    year, period = int(o["current_year"]), int(o["current_period"])
    nxt = (year + 1, 1) if period >= 12 else (year, period + 1)
    res = PeriodEndResult(dry_run, (year, period), nxt)
    up_to_now = sa.or_(Receipt.fiscal_year < year, sa.and_(Receipt.fiscal_year == year, Receipt.period <= period))

    # completed POs past the retention days
    cutoff = now - timedelta(days=int(o["retain_days"]))
    completed = db.session.execute(
        sa.select(PurchaseOrder.id, PurchaseOrder.number).where(
            PurchaseOrder.status.in_(("received", "closed")), PurchaseOrder.completed_at.is_not(None),
            PurchaseOrder.completed_at <= cutoff)
        .order_by(PurchaseOrder.number)).all()
    # cancelled POs: with the recap purge, or with receipt history "until period end"
    purge_cancelled = bool(o["purge_recap"]) or o["retain_receipt_history"] == "period_end"
    cancelled = db.session.execute(
        sa.select(PurchaseOrder.id, PurchaseOrder.number).where(PurchaseOrder.status == "cancelled")
        .order_by(PurchaseOrder.number)).all() if purge_cancelled else []
    recap_ids = _ids(sa.select(PoHistory.id)) if o["purge_recap"] else []

    rule = o["retain_receipt_history"]
    receipt_ids: list[int] = []
    summary_line_ids: list[int] = []
    comment_line_ids: list[int] = []
    comment_text_ids: list[int] = []
    if rule == "no":
        receipt_ids = _ids(sa.select(Receipt.id).where(up_to_now))
    elif rule == "summary":
        summary_line_ids = _ids(sa.select(ReceiptLine.id).join(Receipt).where(up_to_now))
    elif not o["retain_receipt_comments"]:
        comment_line_ids = _ids(sa.select(ReceiptLine.id).join(Receipt).where(up_to_now,
                                                                              ReceiptLine.item_id.is_(None)))
        comment_text_ids = _ids(sa.select(ReceiptLine.id).join(Receipt).where(
            up_to_now, ReceiptLine.item_id.is_not(None), ReceiptLine.comment != ""))

    oldest_kept = year - int(o["history_years"]) + 1
    history_ids = _ids(sa.select(PurchaseHistory.id).where(PurchaseHistory.fiscal_year < oldest_kept))

    res.counts = {
        "completed_pos": len(completed), "cancelled_pos": len(cancelled), "receipts": len(receipt_ids),
        "receipt_lines": len(summary_line_ids), "comment_lines": len(comment_line_ids),
        "comment_texts": len(comment_text_ids), "recap_rows": len(recap_ids),
        "purchase_history_rows": len(history_ids),
    }
    if completed:
        res.details.append("completed POs: " + ", ".join(n for _, n in completed))
    if cancelled:
        res.details.append("cancelled POs: " + ", ".join(n for _, n in cancelled))
    if dry_run:
        return res

    if recap_ids:
        db.session.execute(sa.delete(PoHistory).where(PoHistory.id.in_(recap_ids))
                           .execution_options(synchronize_session=False))
    if completed and o["retain_po_history"] and not o["purge_recap"]:
        for po in db.session.scalars(sa.select(PurchaseOrder).where(PurchaseOrder.id.in_([i for i, _ in completed]))):
            detail = "; ".join(f"line {ln.line_no}: qty {ln.qty_ordered:f} received {ln.qty_received:f}"
                               for ln in po.lines)
            db.session.add(PoHistory(kind="completed", po_number=po.number, vendor_id=po.vendor_id,
                                     detail=detail, amount=po.total, user_id=user_id))
        db.session.flush()
    po_ids = [i for i, _ in completed] + [i for i, _ in cancelled]
    if po_ids:
        db.session.execute(sa.delete(PurchaseOrder).where(PurchaseOrder.id.in_(po_ids))
                           .execution_options(synchronize_session=False))
    if receipt_ids:
        db.session.execute(sa.delete(ReceiptLine).where(ReceiptLine.receipt_id.in_(receipt_ids))
                           .execution_options(synchronize_session=False))
        db.session.execute(sa.delete(Receipt).where(Receipt.id.in_(receipt_ids))
                           .execution_options(synchronize_session=False))
    if summary_line_ids:
        rids = _ids(sa.select(ReceiptLine.receipt_id).where(ReceiptLine.id.in_(summary_line_ids)).distinct())
        db.session.execute(sa.delete(ReceiptLine).where(ReceiptLine.id.in_(summary_line_ids))
                           .execution_options(synchronize_session=False))
        db.session.execute(sa.update(Receipt).where(Receipt.id.in_(rids)).values(summary_only=True)
                           .execution_options(synchronize_session=False))
    if comment_line_ids:
        db.session.execute(sa.delete(ReceiptLine).where(ReceiptLine.id.in_(comment_line_ids))
                           .execution_options(synchronize_session=False))
    if comment_text_ids:
        db.session.execute(sa.update(ReceiptLine).where(ReceiptLine.id.in_(comment_text_ids)).values(comment="")
                           .execution_options(synchronize_session=False))
    if history_ids:
        db.session.execute(sa.delete(PurchaseHistory).where(PurchaseHistory.id.in_(history_ids))
                           .execution_options(synchronize_session=False))
    apply_changes(PLUGIN, {"current_year": nxt[0], "current_period": nxt[1]}, user_id=user_id,
                  source="period-end")
    db.session.expire_all()
    return res
