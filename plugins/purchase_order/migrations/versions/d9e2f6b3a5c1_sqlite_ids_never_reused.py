"""SQLite: purchase order, line and receipt ids are never reused (AUTOINCREMENT); no-op on PostgreSQL

Revision ID: d9e2f6b3a5c1
Revises: 61fd5a9b09fd
Create Date: 2026-11-30T07:55:00
"""
from core.sqlite_ids import use_autoincrement

revision = 'd9e2f6b3a5c1'
down_revision = '61fd5a9b09fd'
branch_labels = None
depends_on = None


def upgrade():
    use_autoincrement(["po_order", "po_line", "po_receipt", "po_receipt_line", "po_return", "po_return_line",
                       "po_history"])


def downgrade():
    pass
