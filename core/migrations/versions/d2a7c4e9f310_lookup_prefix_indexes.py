"""case-insensitive prefix indexes for the type-ahead look-ups (core.lookup)

Item code and description, partner number and name are searched by their beginning,
without regard to case, a few rows at a time: with these indexes a look-up costs the
same with 50 items or 50,000. SQLite's LIKE is case-insensitive and uses an index in
NOCASE collation; PostgreSQL uses ``lower(column) COLLATE "C"``, whose byte order
serves both ``LIKE 'abc%'`` and the ORDER BY.

Revision ID: d2a7c4e9f310
Revises: c4a9e2f71d05
Create Date: 2026-11-30T10:30:00
"""
from alembic import op

revision = 'd2a7c4e9f310'
down_revision = 'c4a9e2f71d05'
branch_labels = None
depends_on = None

# index name, table, column (the names start with ix_lookup_: core.migrate leaves them out
# of the model comparison, as models cannot declare a per-dialect expression index)
INDEXES = (
    ("ix_lookup_item_code", "core_item", "code"),
    ("ix_lookup_item_description", "core_item", "description"),
    ("ix_lookup_partner_number", "core_partner", "number"),
    ("ix_lookup_partner_name", "core_partner", "name"),
)


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, column in INDEXES:
        expression = f'(lower({column}) COLLATE "C")' if postgres else f"{column} COLLATE NOCASE"
        op.execute(f"CREATE INDEX {name} ON {table} ({expression})")


def downgrade():
    for name, _table, _column in INDEXES:
        op.execute(f"DROP INDEX {name}")
