"""SQLite: sales order and line ids are never reused (AUTOINCREMENT); no-op on PostgreSQL

Revision ID: c4d8a1f7e2b9
Revises: 6358f36a72ce
Create Date: 2026-11-30T07:55:00
"""
from core.sqlite_ids import use_autoincrement

revision = 'c4d8a1f7e2b9'
down_revision = '6358f36a72ce'
branch_labels = None
depends_on = None


def upgrade():
    use_autoincrement(["so_order", "so_line", "so_invoice", "so_invoice_line"])


def downgrade():
    pass
