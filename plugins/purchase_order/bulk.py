"""Many rows in one ``INSERT ... RETURNING``, fast on both databases.

SQLite: SQLAlchemy's "insertmanyvalues" (pages of multi-row VALUES). PostgreSQL: the
same pages cost the psycopg driver seconds of client-side parsing for 10,000s of
rows, so the rows travel as one array per column and the server unnests them (one
statement, about twenty parameters, whatever the number of rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from core.db import db


def insert_returning(table: sa.Table, rows: Sequence[dict[str, Any]], returning: Sequence[sa.Column]
                     ) -> list[sa.Row]:
    """Insert ``rows`` (dicts with the same keys) into ``table``; the ``returning`` columns of
    each new row, in no particular order (map them back by a unique key)."""
    if not rows:
        return []
    if db.session.get_bind().dialect.name != "postgresql":
        return list(db.session.execute(sa.insert(table).returning(*returning), list(rows)))
    columns = list(rows[0])
    arrays = [sa.func.unnest(sa.bindparam(f"{name}_values", [row[name] for row in rows],
                                          type_=postgresql.ARRAY(table.c[name].type)))
              for name in columns]
    stmt = sa.insert(table).from_select(columns, sa.select(*arrays)).returning(*returning)
    return list(db.session.execute(stmt))
