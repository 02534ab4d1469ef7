"""Stock levels per item and warehouse: reserve, release, receive and issue.

Every change reads the row under a lock (``FOR UPDATE`` on PostgreSQL, the
BEGIN IMMEDIATE write lock on SQLite) before writing it, so two concurrent orders
competing for the last units can never allocate more than is on hand. A caller about to
change many rows locks them first in one statement (:func:`lock_rows`).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .db import ZERO, db
from .models import StockLevel


def _locked() -> dict[tuple[int, int], StockLevel]:
    """The stock rows this (sub)transaction has locked so far, by (item, warehouse).

    A row locked once stays locked until the transaction ends (``FOR UPDATE`` on
    PostgreSQL, the write lock on SQLite), so it need not be read again: an order's
    20 lines then cost one locked read, not 20. A new transaction or savepoint starts an
    empty map (a savepoint rolled back may have released its locks)."""
    session = db.session()  # the scoped session's own Session (the proxy lacks the transaction getters)
    session.connection()  # begin now: the map belongs to this transaction, not to "none yet"
    tx = session.get_nested_transaction() or session.get_transaction()
    info = session.info
    if info.get("stock_locked_tx") is not tx:
        info["stock_locked_tx"], info["stock_locked"] = tx, {}
    return info["stock_locked"]


def _lock_stmt(pairs: list[tuple[int, int]]) -> sa.Select:
    # one order of locking for everyone (item, warehouse): two orders locking the same rows queue, never deadlock
    return (sa.select(StockLevel).where(sa.tuple_(StockLevel.item_id, StockLevel.warehouse_id).in_(pairs))
            .order_by(StockLevel.item_id, StockLevel.warehouse_id)
            .with_for_update().execution_options(populate_existing=True))


def lock_rows(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], StockLevel]:
    """Lock (creating them empty where missing) the stock rows of these (item, warehouse) pairs
    in one statement; later reserves and releases in the transaction use them as they are."""
    locked = _locked()
    wanted = sorted({p for p in pairs if p[0] is not None and p[1] is not None} - set(locked))
    if wanted:
        rows = {(r.item_id, r.warehouse_id): r for r in db.session.scalars(_lock_stmt(wanted))}
        missing = [p for p in wanted if p not in rows]
        if missing:
            insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
            db.session.execute(insert(StockLevel).values(
                [{"item_id": i, "warehouse_id": w, "on_hand": 0, "allocated": 0} for i, w in missing])
                .on_conflict_do_nothing(index_elements=["item_id", "warehouse_id"]))
            rows.update({(r.item_id, r.warehouse_id): r for r in db.session.scalars(_lock_stmt(missing))})
        locked.update(rows)
    return locked


def locked_row(item_id: int, warehouse_id: int) -> StockLevel:
    return lock_rows([(item_id, warehouse_id)])[(item_id, warehouse_id)]


def available(item_id: int, warehouse_id: int) -> Decimal:
    row = db.session.scalars(
        sa.select(StockLevel).where(StockLevel.item_id == item_id, StockLevel.warehouse_id == warehouse_id)
    ).one_or_none()
    return row.available if row else ZERO


def available_many(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Decimal]:
    """Available quantity for many (item, warehouse) pairs in one query."""
    if not pairs:
        return {}
    item_ids = {i for i, _ in pairs}
    rows = db.session.execute(
        sa.select(StockLevel.item_id, StockLevel.warehouse_id, StockLevel.on_hand, StockLevel.allocated)
        .where(StockLevel.item_id.in_(item_ids))
    ).all()
    found = {(r.item_id, r.warehouse_id): Decimal(r.on_hand) - Decimal(r.allocated) for r in rows}
    return {p: found.get(p, ZERO) for p in pairs}


def reserve(item_id: int, warehouse_id: int, wanted: Decimal) -> Decimal:
    """Allocate up to ``wanted``; returns what was granted (never more than available)."""
    if wanted <= 0:
        return ZERO
    row = locked_row(item_id, warehouse_id)
    granted = max(ZERO, min(wanted, row.available))
    row.allocated = (row.allocated or ZERO) + granted  # flushed with the save (or before any query)
    return granted


def release(item_id: int, warehouse_id: int, qty: Decimal) -> None:
    """Give back allocated quantity (a line reduced or cancelled)."""
    if qty <= 0:
        return
    row = locked_row(item_id, warehouse_id)
    row.allocated = max(ZERO, (row.allocated or ZERO) - qty)


def receive(item_id: int, warehouse_id: int, qty: Decimal) -> None:
    """Raise on hand (a receipt); negative ``qty`` lowers it (a return)."""
    row = locked_row(item_id, warehouse_id)
    row.on_hand = (row.on_hand or ZERO) + qty
    db.session.flush()


def issue(item_id: int, warehouse_id: int, qty: Decimal, allocated_part: Decimal | None = None) -> None:
    """Ship ``qty`` out: lowers on hand and the allocated quantity it consumed."""
    row = locked_row(item_id, warehouse_id)
    row.on_hand = (row.on_hand or ZERO) - qty
    used = qty if allocated_part is None else allocated_part
    row.allocated = max(ZERO, (row.allocated or ZERO) - used)
    db.session.flush()
