"""SQLite: ids of core master data and audit rows are never reused (AUTOINCREMENT)

A no-op on PostgreSQL, whose sequences never go back. See core.sqlite_ids.

Revision ID: b71c3e5a2f04
Revises: 8e4b2d9c1a70
Create Date: 2026-11-30T07:55:00
"""
from core.sqlite_ids import use_autoincrement

revision = 'b71c3e5a2f04'
down_revision = '8e4b2d9c1a70'
branch_labels = None
depends_on = None

TABLES = ["core_user", "core_partner", "core_warehouse", "core_item", "core_stock_level", "core_option_audit"]


def upgrade():
    use_autoincrement(TABLES)


def downgrade():
    pass  # AUTOINCREMENT only stops reuse; keeping it is harmless
