"""Encrypt the SMTP password at rest (Fernet, key derived from SECRET_KEY)

Revision ID: 8f4b1d2c6e90
Revises: 1252150e5090
Create Date: 2026-11-30T10:40:00

Values stored in plain text by the first version are encrypted with the running app's
SECRET_KEY (``orderbridge db upgrade`` runs inside the app). Without an app, a plain value
is removed rather than left readable, and the log asks to enter it again.
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = '8f4b1d2c6e90'
down_revision = '1252150e5090'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    from flask import has_app_context

    from plugins.email_templates.secrets_store import PREFIX, encrypt

    conn = op.get_bind()
    rows = conn.execute(sa.text('SELECT "key", value FROM em_secret WHERE value <> \'\'')).all()
    for key, value in rows:
        if value.startswith(PREFIX):
            continue
        if has_app_context():
            new = encrypt(value)
        else:
            new = ""
            log.warning("em_secret %s was stored in plain text and no app is running to encrypt it: removed; "
                        "enter it again on the Mail settings page.", key)
        conn.execute(sa.text('UPDATE em_secret SET value = :v WHERE "key" = :k'), {"v": new, "k": key})


def downgrade():
    pass  # encrypted values stay encrypted; the older code reads them as a wrong password
