"""so_line.qty_reserved: quantity held for a line, not yet to ship (reserve at entry, manual release)

Revision ID: a3e5b7c9d1f2
Revises: f7c2d9e4a1b6
Create Date: 2026-11-30T10:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a3e5b7c9d1f2'
down_revision = 'f7c2d9e4a1b6'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('so_line', sa.Column('qty_reserved', sa.Numeric(14, 4), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('so_line') as batch:
        batch.drop_column('qty_reserved')
