"""Drop po_line_status.email_template: the free-text field is superseded by email_templates' link

Revision ID: 3c7e2a91f0d4
Revises: d9e2f6b3a5c1
Create Date: 2026-11-30T10:20:00

The old field was free text that nothing read; the template a status sends is the
``em_status_template`` row that email_templates adds through the form extension. The
values are not carried over: purchase_order migrates before email_templates and owns
no ``em_`` table, so a carry would break the table-ownership rule. The values being
dropped are logged, so an administrator can link those statuses on the PO line
statuses page.

A plain ``DROP COLUMN`` (SQLite >= 3.35), not a batch rebuild: rebuilding the table
would drop ``po_line_status`` with foreign keys on and cascade to the rows pointing at it.
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = '3c7e2a91f0d4'
down_revision = 'd9e2f6b3a5c1'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    rows = op.get_bind().execute(sa.text(
        "SELECT code, email_template FROM po_line_status WHERE email_template <> ''")).all()
    for code, value in rows:
        log.warning("PO line status %s had the free-text email template %r, now dropped: choose its template "
                    "on the PO line statuses page.", code, value)
    op.drop_column('po_line_status', 'email_template')


def downgrade():
    op.add_column('po_line_status', sa.Column('email_template', sa.String(length=64), nullable=False,
                                              server_default=''))
