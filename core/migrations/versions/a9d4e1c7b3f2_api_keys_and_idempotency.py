"""API keys (stored hashed) and stored responses of idempotent API writes

Revision ID: a9d4e1c7b3f2
Revises: d2a7c4e9f310
Create Date: 2026-11-30T10:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a9d4e1c7b3f2'
down_revision = 'd2a7c4e9f310'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "core_api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["core_user.id"], ondelete="CASCADE",
                                name=op.f("fk_core_api_key_user_id_core_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_core_api_key_prefix")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_core_api_key_user_id"), "core_api_key", ["user_id"], unique=False)
    op.create_table(
        "core_api_idempotency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["core_user.id"], ondelete="CASCADE",
                                name=op.f("fk_core_api_idempotency_user_id_core_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_api_idempotency")),
        sa.UniqueConstraint("user_id", "key", name="uq_core_api_idempotency_user_key"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_core_api_idempotency_created_at"), "core_api_idempotency", ["created_at"],
                    unique=False)


def downgrade():
    op.drop_index(op.f("ix_core_api_idempotency_created_at"), table_name="core_api_idempotency")
    op.drop_table("core_api_idempotency")
    op.drop_index(op.f("ix_core_api_key_user_id"), table_name="core_api_key")
    op.drop_table("core_api_key")
