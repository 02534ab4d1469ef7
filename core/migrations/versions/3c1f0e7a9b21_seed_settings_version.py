"""seed the settings version row

The version counter that tells every worker process to reload plugin state and
options is one row (id 1). Creating it here, once, means two first changes made
at the same moment both update it instead of racing to insert it.

Revision ID: 3c1f0e7a9b21
Revises: 175e60a5bd38
Create Date: 2026-11-22T05:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '3c1f0e7a9b21'
down_revision = '175e60a5bd38'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    exists = conn.execute(sa.text("SELECT count(*) FROM core_settings_version WHERE id = 1")).scalar()
    if not exists:
        conn.execute(sa.text("INSERT INTO core_settings_version (id, version) VALUES (1, 0)"))


def downgrade():
    pass
