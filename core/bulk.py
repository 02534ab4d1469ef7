"""Many rows in a fixed number of statements, fast on SQLite and PostgreSQL alike.

:func:`insert_rows` writes rows and gives their new ids back in row order, without
``RETURNING`` and without reading them back by a key:

* **SQLite**: the driver's own ``executemany`` (one prepared statement stepped per row, in
  C) over tuples converted column by column with the columns' own bind processors (no
  per-row parameter building in SQLAlchemy), then one range query. The tables use ``AUTOINCREMENT`` and the writer holds the
  database's write lock (``BEGIN IMMEDIATE``; a deferred transaction that wrote nothing
  yet could not write on a stale snapshot), so the rows got consecutive ids above the
  largest one before, in row order.
* **PostgreSQL**: the ids are drawn from the table's sequence in one statement, then the
  rows travel by ``COPY`` (one statement: no SQL text per row for the client to build or
  the server to parse). ``COPY`` bypasses SQLAlchemy, so the Python-side column defaults
  a row leaves out are filled in here.

:func:`no_gc_pauses` keeps the garbage collector's pauses out of a batch.

:func:`among` is a membership test for many values in one bound parameter (an array on
PostgreSQL, a JSON list on SQLite) instead of ``IN`` lists of thousands of parameters.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from core.db import db


@contextlib.contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Hold CPython's cyclic garbage collector off while the block builds many objects.

    A batch of 50,000 lines allocates millions of short-lived objects; each burst starts a
    collection that walks the live objects, a fifth of a generation run. Reference counting
    frees everything as usual meanwhile; only cyclic garbage waits for the next collection
    after the block."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def among(column: sa.ColumnElement, values: Iterable[Any]) -> sa.ColumnElement[bool]:
    """``column`` is one of ``values`` (ints or strings), with one bound parameter."""
    values = list(values)
    if _dialect() == "postgresql":
        return column == sa.any_(sa.bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(sa.select(sa.literal_column("value")).select_from(
        sa.func.json_each(sa.bindparam(None, json.dumps(values), type_=sa.Text))))


def _defaults(table: sa.Table, names: list[str]) -> dict[str, Any]:
    """Python-side defaults of the columns the rows leave out (evaluated once for the batch:
    one ``created_at`` for all rows)."""
    extra: dict[str, Any] = {}
    for col in table.columns:
        if col.name in names or col.primary_key or col.default is None:
            continue
        if col.default.is_scalar:
            extra[col.name] = col.default.arg
        elif col.default.is_callable:
            extra[col.name] = col.default.arg(None)
    return extra


def driver_rows(table: sa.Table, rows: Sequence[dict[str, Any]], dialect: sa.Dialect | None,
                ids: list[int] | None = None) -> tuple[list[str], list[tuple]]:
    """Column names and the rows as tuples the driver takes, built column by column: with
    ``dialect``, each column through its type's bind processor (Decimal to float, dates
    to text on SQLite; ``map`` runs in C); defaults filled in; ``ids`` first when given."""
    names = list(rows[0])
    extra = _defaults(table, names)
    columns: list[list[Any]] = [ids] if ids is not None else []
    for name in names + list(extra):
        values = [row[name] for row in rows] if name not in extra else [extra[name]] * len(rows)
        process = table.c[name].type._cached_bind_processor(dialect) if dialect is not None else None
        columns.append(list(map(process, values)) if process else values)
    return (["id"] if ids is not None else []) + names + list(extra), list(zip(*columns, strict=True))


def _copy_rows(table: sa.Table, rows: Sequence[dict[str, Any]], ids: list[int] | None) -> None:
    names, tuples = driver_rows(table, rows, None, ids)
    raw = db.session.connection().connection.driver_connection
    quoted = ", ".join(f'"{c}"' for c in names)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in tuples:
            copy.write_row(row)


def _sqlite_insert(table: sa.Table, rows: Sequence[dict[str, Any]], want_ids: bool) -> list[int]:
    id_col = table.c.id
    before = (db.session.scalar(sa.select(sa.func.max(id_col))) or 0) if want_ids else 0
    conn = db.session.connection()
    names, tuples = driver_rows(table, rows, conn.dialect)
    quoted = ", ".join(f'"{n}"' for n in names)
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(names))})', tuples)
    if not want_ids:
        return []
    low, high, count = db.session.execute(
        sa.select(sa.func.min(id_col), sa.func.max(id_col), sa.func.count()).where(id_col > before)).one()
    if count != len(rows) or high - low + 1 != count:  # cannot happen under the write lock
        raise RuntimeError(f"{table.name}: {count} new rows, expected {len(rows)} with consecutive ids")
    return list(range(low, high + 1))


def insert_rows(table: sa.Table, rows: Sequence[dict[str, Any]], *, return_ids: bool = True) -> list[int]:
    """Insert ``rows`` (dicts with the same keys, no ``id``) into ``table`` in the current
    transaction; return the new ids in row order (``[]`` when ``return_ids`` is false).
    A fixed number of statements however many rows."""
    if not rows:
        return []
    db.session.flush()  # pending ORM changes first: these rows may refer to them
    if _dialect() != "postgresql":
        return _sqlite_insert(table, rows, return_ids)
    ids = None
    if return_ids:
        seq = sa.func.pg_get_serial_sequence(table.name, "id")
        ids = db.session.scalars(sa.select(sa.func.nextval(seq)).select_from(  # .all(): one fetch, not one per id
            sa.func.generate_series(1, len(rows)))).all()
    _copy_rows(table, rows, ids)
    return ids or []
