"""purchase_order 3c7e2a91f0d4: the old free-text ``email_template`` column of PO line statuses goes;
the statuses stay, and the values dropped are logged."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from core.db import db
from core.migrate import script_dirs, upgrade
from core.plugins import host_of
from tests.core.test_migrations import scratch_url  # noqa: F401  (the fixture: an empty database)

BEFORE = "d9e2f6b3a5c1"


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(db.engine).get_columns(table)}


def test_dropping_the_free_text_email_template_keeps_the_statuses(app_factory, scratch_url, caplog):  # noqa: F811
    app = app_factory(SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        dirs = dict(script_dirs(host_of(app)))
        upgrade(db.engine, "core", dirs["core"])
        upgrade(db.engine, "purchase_order", dirs["purchase_order"], target=BEFORE)
        assert "email_template" in _columns("po_line_status")
        db.session.execute(sa.text("INSERT INTO po_line_status (code, description, email_template) VALUES "
                                   "('BO', 'Back ordered', 'BACK ORDER'), ('OK', 'Confirmed', '')"))
        db.session.commit()
        db.session.remove()
        with caplog.at_level(logging.WARNING):
            upgrade(db.engine, "purchase_order", dirs["purchase_order"])
        assert "email_template" not in _columns("po_line_status")
        rows = db.session.execute(sa.text("SELECT code, description FROM po_line_status ORDER BY code")).all()
        assert [tuple(r) for r in rows] == [("BO", "Back ordered"), ("OK", "Confirmed")]
    dropped = [r.getMessage() for r in caplog.records if "free-text email template" in r.getMessage()]
    assert len(dropped) == 1 and "BO" in dropped[0] and "'BACK ORDER'" in dropped[0]
