"""SQLite ids that never come back: ``AUTOINCREMENT`` for document and master tables.

Without ``AUTOINCREMENT`` SQLite hands out ``max(id) + 1``, so deleting the newest
purchase order and creating another reuses its id: an old link or bookmark
(``/purchase-orders/6``) then opens a different document. PostgreSQL sequences never
go back, so there this is a no-op.

SQLite cannot add ``AUTOINCREMENT`` to an existing table: Alembic's batch mode rebuilds
each table (copy, drop, rename) with ``sqlite_autoincrement``. Foreign-key enforcement
is switched off around the rebuild, or dropping a parent table would cascade into its
children; ``PRAGMA foreign_key_check`` confirms nothing was broken before it commits.
A migration calls :func:`use_autoincrement` with its own tables::

    def upgrade():
        use_autoincrement(["po_order", "po_line"])
"""

from __future__ import annotations

from alembic import op


def use_autoincrement(tables: list[str]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    raw = bind.connection.dbapi_connection
    # PRAGMA foreign_keys is ignored inside a transaction: end the migration's, switch, begin again
    raw.execute("COMMIT")
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("BEGIN IMMEDIATE")
    try:
        for table in tables:
            sql = raw.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
            if sql is None or "AUTOINCREMENT" in sql[0].upper():
                continue
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
                pass
            broken = raw.execute(f'PRAGMA foreign_key_check("{table}")').fetchall()
            if broken:
                raise RuntimeError(f"rebuilding {table} broke foreign keys: {broken[:5]}")
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    finally:
        raw.execute("PRAGMA foreign_keys = ON")
        raw.execute("BEGIN IMMEDIATE")  # Alembic records the revision and commits this one
