"""A locked SQLite database answers 503 "busy, try again" (pages) or problem+json with
Retry-After (``/api``), never 500; nothing of the request is kept. The lock is real: a
second connection holds a write transaction while the request waits its busy timeout."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from core.db import db
from core.testing import BACKEND, DB_URL, client_of

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's one-writer lock; PostgreSQL locks rows")


@contextlib.contextmanager
def write_lock_held() -> Iterator[None]:
    """Another process's writer, as far as SQLite can tell: its own connection, BEGIN IMMEDIATE."""
    conn = sqlite3.connect(make_url(DB_URL).database, isolation_level=None, timeout=5)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


@pytest.fixture
def busy_app(app_factory, app, users):
    """A worker that waits 50 ms for the write lock instead of 30 s."""
    return app_factory(SQLITE_BUSY_TIMEOUT_MS=50)


def _partners(app) -> int:
    from core.models import Partner

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Partner))


def test_an_api_write_on_a_locked_database_is_a_503_with_retry_after(busy_app, api_headers):
    client = busy_app.test_client()
    headers = {**api_headers("admin"), "Idempotency-Key": "adjust-1"}
    body = {"item_code": "NOPE", "warehouse_id": 1, "on_hand": "3"}
    with write_lock_held():
        resp = client.post("/api/v1/stock/adjustments", json=body, headers=headers)
        reading = client.get("/api/v1/warehouses", headers=api_headers("admin"))
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    assert resp.headers["Retry-After"] == "2" and "try again" in resp.get_json()["detail"]
    assert reading.status_code == 200  # readers never wait for the writer (WAL)
    again = client.post("/api/v1/stock/adjustments", json=body, headers=headers)
    assert again.status_code == 422 and "Idempotent-Replayed" not in again.headers  # the key was not kept


def test_a_page_write_on_a_locked_database_is_a_plain_busy_page(busy_app):
    client = client_of(busy_app, "admin")
    data = {"csrf_token": client.csrf_token(), "number": "C9999", "name": "Busy Ltd", "is_customer": "y"}
    with write_lock_held():
        resp = client.post("/partners/new", data=data)
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "2"
    assert "Busy, try again" in resp.get_data(as_text=True)
    assert _partners(busy_app) == 0
    assert client.post("/partners/new", data=data).status_code in (302, 303)
    assert _partners(busy_app) == 1


def test_a_commit_that_finds_the_lock_taken_is_a_503(busy_app, api_headers):
    """A write left to the flush at commit (here: added after the view) meets the lock at the
    commit itself: the answer on its way is replaced by the 503, its other headers kept."""
    from core.models import Warehouse

    @busy_app.after_request
    def add_late(response):  # runs before the lifecycle's commit (after-request runs in reverse)
        db.session.add(Warehouse(code="LATE", name="Late"))
        return response

    client = busy_app.test_client()
    with write_lock_held():
        resp = client.get("/api/v1/warehouses", headers=api_headers("admin"))
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    assert resp.headers["Retry-After"] == "2" and resp.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/api/v1/warehouses", headers=api_headers("admin")).status_code == 200
    with busy_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Warehouse)) == 1
