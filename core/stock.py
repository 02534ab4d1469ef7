"""Stock levels per item and warehouse: reserve, release, receive and issue.

Every change reads the row under a lock (``FOR UPDATE`` on PostgreSQL, the
BEGIN IMMEDIATE write lock on SQLite) before writing it, so two concurrent orders
competing for the last units can never allocate more than is on hand.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .db import ZERO, db
from .models import StockLevel


def locked_row(item_id: int, warehouse_id: int) -> StockLevel:
    stmt = (
        sa.select(StockLevel)
        .where(StockLevel.item_id == item_id, StockLevel.warehouse_id == warehouse_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    row = db.session.scalars(stmt).one_or_none()
    if row is None:
        insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.session.execute(
            insert(StockLevel)
            .values(item_id=item_id, warehouse_id=warehouse_id, on_hand=0, allocated=0)
            .on_conflict_do_nothing(index_elements=["item_id", "warehouse_id"])
        )
        row = db.session.scalars(stmt).one()
    return row


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
    row.allocated = (row.allocated or ZERO) + granted
    db.session.flush()
    return granted


def release(item_id: int, warehouse_id: int, qty: Decimal) -> None:
    """Give back allocated quantity (a line reduced or cancelled)."""
    if qty <= 0:
        return
    row = locked_row(item_id, warehouse_id)
    row.allocated = max(ZERO, (row.allocated or ZERO) - qty)
    db.session.flush()


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
