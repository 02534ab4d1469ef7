"""activity log: who did what to which document, and when (core.activity)

Revision ID: c4a9e2f71d05
Revises: b71c3e5a2f04
Create Date: 2026-11-30T10:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c4a9e2f71d05'
down_revision = 'b71c3e5a2f04'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "core_activity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_type", sa.String(40), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("document_number", sa.String(40), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("core_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("user_name", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_core_activity_document", "core_activity", ["document_type", "document_id", "id"])


def downgrade():
    op.drop_index("ix_core_activity_document", table_name="core_activity")
    op.drop_table("core_activity")
