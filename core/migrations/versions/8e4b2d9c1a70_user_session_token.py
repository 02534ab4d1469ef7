"""user session token: sign-out and password change void old sessions and cookies

Every user gets a random token; Flask-Login's id is "<id>.<token>", so changing the
token makes every session and remember-me cookie issued before it invalid.

Revision ID: 8e4b2d9c1a70
Revises: 3c1f0e7a9b21
Create Date: 2026-11-30T07:40:00
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '8e4b2d9c1a70'
down_revision = '3c1f0e7a9b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("core_user") as batch:
        batch.add_column(sa.Column("session_token", sa.String(32), nullable=False, server_default=""))
    conn = op.get_bind()
    users = sa.table("core_user", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(users.update().where(users.c.id == user_id).values(session_token=secrets.token_hex(16)))


def downgrade():
    with op.batch_alter_table("core_user") as batch:
        batch.drop_column("session_token")
