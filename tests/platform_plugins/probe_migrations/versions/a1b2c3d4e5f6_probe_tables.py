"""probe tables

Revision ID: a1b2c3d4e5f6
Revises: None
"""
import sqlalchemy as sa
from alembic import op

revision = 'a1b2c3d4e5f6'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('probe_note',
                    sa.Column('id', sa.Integer(), primary_key=True),
                    sa.Column('text', sa.String(length=100), nullable=False))


def downgrade():
    op.drop_table('probe_note')
