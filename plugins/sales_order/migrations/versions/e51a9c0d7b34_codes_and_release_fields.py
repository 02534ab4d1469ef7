"""Reason codes, ship-via codes; credit note reason, manual suspense, invoice number/date at release, invoice discount

Revision ID: e51a9c0d7b34
Revises: b7c1d2e3f4a5
Create Date: 2026-11-30T08:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e51a9c0d7b34'
down_revision = 'b7c1d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    for table, width in (("so_reason_code", 60), ("so_ship_via", 40)):
        op.create_table(
            table,
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('code', sa.String(length=10), nullable=False),
            sa.Column('description', sa.String(length=width), nullable=False),
            sa.Column('active', sa.Boolean(), nullable=False),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
            sa.UniqueConstraint('code', name=op.f(f'uq_{table}_code')),
        )
    with op.batch_alter_table('so_order') as batch:
        batch.add_column(sa.Column('reason_code', sa.String(length=10), server_default='', nullable=False))
        batch.add_column(sa.Column('suspended_manually', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('release_invoice_number', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('release_invoice_date', sa.Date(), nullable=True))
        batch.add_column(sa.Column('invoice_discount_pct', sa.Numeric(precision=5, scale=2), server_default='0',
                                   nullable=False))
        batch.add_column(sa.Column('invoice_discount', sa.Numeric(precision=14, scale=2), server_default='0',
                                   nullable=False))
    with op.batch_alter_table('so_invoice') as batch:
        batch.add_column(sa.Column('invoice_discount', sa.Numeric(precision=14, scale=2), server_default='0',
                                   nullable=False))


def downgrade():
    with op.batch_alter_table('so_invoice') as batch:
        batch.drop_column('invoice_discount')
    with op.batch_alter_table('so_order') as batch:
        batch.drop_column('invoice_discount')
        batch.drop_column('invoice_discount_pct')
        batch.drop_column('release_invoice_date')
        batch.drop_column('release_invoice_number')
        batch.drop_column('suspended_manually')
        batch.drop_column('reason_code')
    op.drop_table('so_ship_via')
    op.drop_table('so_reason_code')
