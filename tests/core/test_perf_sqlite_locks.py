"""SQLite: read-only requests take no write lock; writing requests (and work outside requests) do.

Each probe view opens the request's transaction with one read, then asks a second,
independent connection for the write lock without waiting (``timeout=0``): it gets
the lock while a GET is open, and is refused while a POST is open.
"""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa
from flask import Flask

from core.auth import public
from core.db import begin_statement, db
from core.testing import BACKEND

SQLITE_ONLY = pytest.mark.skipif(BACKEND != "sqlite",
                                 reason="SQLite's database lock; PostgreSQL has row locks and no database-wide write lock")


def _other_writer_can_commit(app: Flask) -> str:
    """Try BEGIN IMMEDIATE + a write + COMMIT on a second connection, without waiting."""
    path = db.engine.url.database
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE core_settings_version SET version = version WHERE id = 1")
        other.execute("COMMIT")
        return "committed"
    except sqlite3.OperationalError as exc:
        return f"refused: {exc}"
    finally:
        other.close()


@pytest.fixture
def probe_app(app_factory) -> Flask:
    app = app_factory()

    @public
    def lock_probe():
        db.session.execute(sa.text("SELECT count(*) FROM core_settings_version"))  # the transaction is open now
        return _other_writer_can_commit(app)

    app.add_url_rule("/_test/lock-probe", "lock_probe", lock_probe, methods=["GET", "POST", "HEAD"])
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@SQLITE_ONLY
def test_get_request_does_not_take_the_write_lock(probe_app):
    response = probe_app.test_client().get("/_test/lock-probe")
    assert response.status_code == 200
    assert response.text == "committed"


@SQLITE_ONLY
def test_post_request_holds_the_write_lock(probe_app):
    response = probe_app.test_client().post("/_test/lock-probe")
    assert response.status_code == 200
    assert response.text.startswith("refused") and "locked" in response.text


def test_begin_statement_by_context(app):
    """CLI, workers and threads outside a request write: BEGIN IMMEDIATE; only reads are deferred."""
    assert begin_statement() == "BEGIN IMMEDIATE"
    for method, expected in (("GET", "BEGIN"), ("HEAD", "BEGIN"), ("OPTIONS", "BEGIN"),
                             ("POST", "BEGIN IMMEDIATE"), ("DELETE", "BEGIN IMMEDIATE")):
        with app.test_request_context("/", method=method):
            assert begin_statement() == expected
