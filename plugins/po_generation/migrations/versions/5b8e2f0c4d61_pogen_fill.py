"""pogen_fill: what each receipt released to the sales order lines po_generation links

Revision ID: 5b8e2f0c4d61
Revises: 7dfbb14b601b
Create Date: 2026-11-30T10:35:00
"""
import sqlalchemy as sa
from alembic import op

revision = '5b8e2f0c4d61'
down_revision = '7dfbb14b601b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pogen_fill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt_id', sa.Integer(), nullable=True),
    sa.Column('po_line_id', sa.Integer(), nullable=True),
    sa.Column('so_line_id', sa.Integer(), nullable=False),
    sa.Column('so_id', sa.Integer(), nullable=False),
    sa.Column('po_id', sa.Integer(), nullable=True),
    sa.Column('qty', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['receipt_id'], ['po_receipt.id'], name=op.f('fk_pogen_fill_receipt_id_po_receipt'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['po_line_id'], ['po_line.id'], name=op.f('fk_pogen_fill_po_line_id_po_line'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['so_line_id'], ['so_line.id'], name=op.f('fk_pogen_fill_so_line_id_so_line'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['so_id'], ['so_order.id'], name=op.f('fk_pogen_fill_so_id_so_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['po_id'], ['po_order.id'], name=op.f('fk_pogen_fill_po_id_po_order'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pogen_fill'))
    )
    for col in ('receipt_id', 'po_line_id', 'so_line_id', 'so_id', 'po_id'):
        op.create_index(op.f(f'ix_pogen_fill_{col}'), 'pogen_fill', [col], unique=False)


def downgrade():
    for col in ('receipt_id', 'po_line_id', 'so_line_id', 'so_id', 'po_id'):
        op.drop_index(op.f(f'ix_pogen_fill_{col}'), table_name='pogen_fill')
    op.drop_table('pogen_fill')
