"""The database handle, engine tuning for SQLite and PostgreSQL, and the unit of work.

SQLite: pysqlite's own transaction handling is switched off and the engine emits
BEGIN itself (SQLAlchemy's documented pysqlite recipe). A transaction that may write
starts with ``BEGIN IMMEDIATE``, so two writers queue on the busy timeout instead of
one failing half-way; a read-only request (GET, HEAD, OPTIONS) starts with a plain,
deferred ``BEGIN`` and takes no write lock, so readers never wait for each other or
for a writer (WAL gives each its snapshot). Everything outside a read-only request
(POST, CLI, workers, threads) is a writer. ``with_for_update()`` renders nothing on
SQLite; the immediate lock is what serialises number and stock allocation there.
PostgreSQL uses row locks.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from decimal import Decimal

import sqlalchemy as sa
from flask import has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Numeric columns are stored as REAL by SQLite; values are quantized back to the
# column's scale on the way out, which is exact for the magnitudes an ERP uses.
warnings.filterwarnings("ignore", message=r"Dialect sqlite\+pysqlite does \*not\* support Decimal")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)

# Column types every plugin uses, so money and quantities are the same everywhere.
Money = sa.Numeric(14, 2)
UnitAmount = sa.Numeric(14, 5)  # unit prices and costs: SYSPRO keeps 5 places
Quantity = sa.Numeric(14, 4)
ZERO = Decimal("0")


def is_sqlite(engine: Engine | None = None) -> bool:
    return (engine or db.engine).dialect.name == "sqlite"


def configure_engine(engine: Engine, busy_timeout_ms: int = 30_000) -> None:
    """Install the SQLite pragmas and BEGIN IMMEDIATE; nothing for other backends.

    ``busy_timeout_ms``: how long a writer waits for the lock before "database is locked"
    (answered 503 by :mod:`core.busy`)."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_ob_configured", False):
        return
    engine._ob_configured = True  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # pragma: no cover
        conn.exec_driver_sql(begin_statement())


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def begin_statement() -> str:
    """``BEGIN`` for a read-only request, ``BEGIN IMMEDIATE`` for anything that may write.

    A read-only request that writes anyway still works while no one else writes: SQLite
    upgrades its lock on the first write (and answers "database is locked" if another
    writer committed since its snapshot). GET pages do not write.
    """
    if has_request_context() and request.method in READ_ONLY_METHODS:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def engine_options(uri: str) -> dict:
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}


@contextlib.contextmanager
def atomic() -> Iterator[sa.orm.Session]:
    """Commit what the block did, or roll all of it back when it raises."""
    session = db.session
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def lock_rows(stmt: sa.Select) -> sa.Select:
    """Row lock on PostgreSQL; on SQLite the BEGIN IMMEDIATE lock already serialises."""
    return stmt.with_for_update()
