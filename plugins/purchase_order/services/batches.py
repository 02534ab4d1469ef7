"""Batches of receipts and returns (*Enable batch entry*): enter now, review, post together.

An entry only records what will be received or returned; nothing moves until the batch
is posted. Posting runs :func:`.goods.post_receipt` / :func:`.goods.post_return` for each
entry in the caller's one transaction, so ``on_receipt`` hooks and back-order release
happen then, and a refused entry refuses the whole batch (the caller rolls back).

Two clerks posting the same batch: the first turns it from open to posted with a
conditional UPDATE (``… WHERE status = 'open'``); on PostgreSQL the second waits for that
row and then finds nothing to update, on SQLite writers are serialised: either way the
second is refused and nothing is posted twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from core.db import ZERO, db
from core.errors import ValidationError
from core.models import utcnow
from core.numbering import SequenceExhausted, next_code

from ..models import BATCH_KINDS, GoodsBatch, GoodsBatchEntry, GoodsBatchLine
from ..options import BATCH_SEQ, options
from .goods import Posted, check_goods, lock_po, post_receipt, post_return


def _batch(batch_id: int, *, lock: bool = False) -> GoodsBatch:
    stmt = sa.select(GoodsBatch).where(GoodsBatch.id == batch_id).execution_options(populate_existing=True)
    batch = db.session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()
    if batch is None:
        raise ValidationError(None, "There is no such batch.")
    return batch


def _open(batch_id: int) -> GoodsBatch:
    batch = _batch(batch_id, lock=True)
    if batch.status != "open":
        raise ValidationError(None, f"Batch {batch.number} is already posted; open a new batch.")
    return batch


def open_batch(kind: str, *, user_id: int | None = None, comment: str = "") -> GoodsBatch:
    """A new open batch of receipts or returns, numbered from *Next batch number*."""
    if kind not in BATCH_KINDS:
        raise ValidationError("kind", "Choose receipts or returns.")
    if not options.batch_entry:
        raise ValidationError(None, "Batch entry is switched off in the purchase order options.")
    try:
        number = next_code(BATCH_SEQ["name"], BATCH_SEQ["default"])
    except SequenceExhausted:
        raise ValidationError(None, "No batch numbers are left in this series: set the next batch number "
                                    "in the purchase order options.") from None
    batch = GoodsBatch(number=number, kind=kind, status="open", comment=(comment or "").strip()[:200],
                       created_by_id=user_id)
    db.session.add(batch)
    db.session.flush()
    return batch


def _pending(batch: GoodsBatch, po_id: int) -> dict[int, Decimal]:
    """What the batch's other entries already hold for the lines of PO ``po_id``."""
    out: dict[int, Decimal] = {}
    for entry in batch.entries:
        if entry.po_id == po_id:
            for ln in entry.lines:
                out[ln.po_line_id] = out.get(ln.po_line_id, ZERO) + ln.qty
    return out


def add_entry(batch_id: int, po_id: int, quantities: Mapping[Any, Any], *, comment: str = "",
              line_comments: Mapping[int, str] | None = None, comment_lines: Iterable[str] = ()
              ) -> GoodsBatchEntry:
    """Put one receipt or return into an open batch, checked as posting will check it."""
    batch = _open(batch_id)
    po, wanted = check_goods(batch.kind, po_id, quantities, _pending(batch, po_id))
    line_comments = line_comments or {}
    entry = GoodsBatchEntry(entry_no=max((e.entry_no for e in batch.entries), default=0) + 1, po_id=po.id,
                            po_number=po.number, vendor_id=po.vendor_id, comment=(comment or "").strip(),
                            comment_lines="\n".join(t.strip() for t in comment_lines if t and t.strip()))
    for ln in po.lines:
        if ln.id in wanted:
            entry.lines.append(GoodsBatchLine(po_line_id=ln.id, po_line=ln, line_no=ln.line_no, item_id=ln.item_id,
                                              description=ln.description, qty=wanted[ln.id], unit_cost=ln.unit_cost,
                                              comment=str(line_comments.get(ln.id, "") or "").strip()))
    batch.entries.append(entry)
    db.session.flush()
    return entry


def remove_entry(batch_id: int, entry_id: int) -> None:
    batch = _open(batch_id)
    entry = next((e for e in batch.entries if e.id == entry_id), None)
    if entry is None:
        raise ValidationError(None, "That entry is not in this batch.")
    batch.entries.remove(entry)
    db.session.flush()


def delete_batch(batch_id: int) -> str:
    """Drop an open batch and its entries (nothing of it was posted). Answers its number."""
    batch = _open(batch_id)
    db.session.delete(batch)
    db.session.flush()
    return batch.number


def _post_entry(kind: str, entry: GoodsBatchEntry, user_id: int | None) -> Posted:
    if entry.po_id is None or any(ln.po_line_id is None for ln in entry.lines):
        raise ValidationError(None, "the purchase order or one of its lines was deleted; remove the entry.")
    quantities = {ln.po_line_id: ln.qty for ln in entry.lines}
    if kind == "receipt":
        return post_receipt(entry.po_id, quantities, comment=entry.comment,
                            line_comments={ln.po_line_id: ln.comment for ln in entry.lines},
                            comment_lines=entry.comment_lines.splitlines(), user_id=user_id)
    return post_return(entry.po_id, quantities, comment=entry.comment, user_id=user_id)


def post_batch(batch_id: int, *, user_id: int | None = None) -> list[Posted]:
    """Post every entry of an open batch, all or nothing; the batch is kept as posted.

    Refuses a batch that someone else posted first (conditional update on its status).
    """
    taken = db.session.execute(
        sa.update(GoodsBatch).where(GoodsBatch.id == batch_id, GoodsBatch.status == "open")
        .values(status="posted", posted_at=utcnow(), posted_by_id=user_id)
        .execution_options(synchronize_session=False))
    batch = _batch(batch_id)  # fresh from the database (populate_existing)
    if taken.rowcount != 1:
        raise ValidationError(None, f"Batch {batch.number} was already posted.")
    if not batch.entries:
        raise ValidationError(None, f"Batch {batch.number} is empty: add receipts or returns first.")
    for po_id in sorted({e.po_id for e in batch.entries if e.po_id is not None}):
        lock_po(po_id)  # every PO of the batch, in one order: two batches never wait on each other crosswise
    posted = []
    for entry in batch.entries:
        try:
            result = _post_entry(batch.kind, entry, user_id)
        except ValidationError as exc:
            where = f"Entry {entry.entry_no} (PO {entry.po_number})"
            raise ValidationError.many([(None, f"{where}: {msg}") for _name, msg in exc.errors]) from None
        entry.document_number = result.document.number
        for ln in entry.lines:  # the cost it was posted at
            ln.unit_cost = ln.po_line.unit_cost
        posted.append(result)
    db.session.flush()
    return posted


def batch_list(kind: str = "", status: str = "") -> sa.Select:
    stmt = sa.select(GoodsBatch).order_by(GoodsBatch.id.desc())
    if kind in BATCH_KINDS:
        stmt = stmt.where(GoodsBatch.kind == kind)
    if status in ("open", "posted"):
        stmt = stmt.where(GoodsBatch.status == status)
    return stmt


def open_batches(kind: str) -> list[GoodsBatch]:
    return list(db.session.scalars(batch_list(kind, "open")))


def load_batch(batch_id: int) -> GoodsBatch | None:
    return db.session.get(GoodsBatch, batch_id)
