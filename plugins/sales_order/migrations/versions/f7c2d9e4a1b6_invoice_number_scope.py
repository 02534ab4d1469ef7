"""Invoice numbers unique within a scope: the company (0) or, when allowed, one customer

Revision ID: f7c2d9e4a1b6
Revises: e51a9c0d7b34
Create Date: 2026-11-30T08:45:00

*Duplicate invoice numbers: allow same number for different customers* needs the unique
constraint on ``so_invoice.number`` to become unique per (scope, number). SQLite cannot
drop a constraint: the table is rebuilt (batch mode), with foreign-key enforcement off
around the rebuild (as ``core.sqlite_ids`` does), or dropping the old table would
cascade into the invoice lines; AUTOINCREMENT is kept.
"""
import sqlalchemy as sa
from alembic import op

revision = 'f7c2d9e4a1b6'
down_revision = 'e51a9c0d7b34'
branch_labels = None
depends_on = None


def _rebuild(change) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        with op.batch_alter_table('so_invoice') as batch:
            change(batch)
        return
    raw = bind.connection.dbapi_connection
    raw.execute("COMMIT")  # PRAGMA foreign_keys is ignored inside a transaction
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("BEGIN IMMEDIATE")
    try:
        with op.batch_alter_table('so_invoice', recreate="always",
                                  table_kwargs={"sqlite_autoincrement": True}) as batch:
            change(batch)
        broken = raw.execute('PRAGMA foreign_key_check("so_invoice_line")').fetchall()
        if broken:
            raise RuntimeError(f"rebuilding so_invoice broke foreign keys: {broken[:5]}")
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    finally:
        raw.execute("PRAGMA foreign_keys = ON")
        raw.execute("BEGIN IMMEDIATE")  # Alembic records the revision and commits this one


def _to_scope(batch) -> None:
    batch.add_column(sa.Column('number_scope', sa.Integer(), server_default='0', nullable=False))
    batch.drop_constraint('uq_so_invoice_number', type_='unique')
    batch.create_unique_constraint(op.f('uq_so_invoice_number_scope'), ['number_scope', 'number'])


def _to_company(batch) -> None:
    batch.drop_constraint('uq_so_invoice_number_scope', type_='unique')
    batch.drop_column('number_scope')
    batch.create_unique_constraint(op.f('uq_so_invoice_number'), ['number'])


def upgrade():
    _rebuild(_to_scope)


def downgrade():
    _rebuild(_to_company)
