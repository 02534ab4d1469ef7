"""drop so_line.supply_ref (what supplies a line is asked of plugins: sales_order_line_supply)

Revision ID: b7c1d2e3f4a5
Revises: c4d8a1f7e2b9
Create Date: 2026-11-30T07:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b7c1d2e3f4a5'
down_revision = 'c4d8a1f7e2b9'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35): no table copy, other tables' keys untouched
    op.drop_column('so_line', 'supply_ref')


def downgrade():
    op.add_column('so_line', sa.Column('supply_ref', sa.String(length=60), nullable=True))
