"""Shared fixtures (Flask tutorial style): ``app``, ``client``, ``runner`` and helpers.

The suite runs on SQLite by default and on PostgreSQL when ``ORDERBRIDGE_TEST_DB``
is set (``make test`` sets it from ``TEST_DATABASE_URL`` for its second leg). The
schema is built once per session by the real migrations; every test starts from
empty tables. CSRF protection stays ON: the test client signs a real token into
each POST, as a browser form would carry it.

Rule for tests: do database work inside ``with app.app_context():`` blocks and make
requests outside them (a request inside such a block would share its session).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from core import create_app
from core.db import db

TEST_DB = os.environ.get("ORDERBRIDGE_TEST_DB", "")
_TMP = Path(tempfile.mkdtemp(prefix="orderbridge-tests-"))
DB_URL = TEST_DB or f"sqlite:///{_TMP / 'test.db'}"
BACKEND = "postgresql" if DB_URL.startswith("postgres") else "sqlite"
PASSWORD = "correct horse battery"
ROLES = ("admin", "sales", "purchasing", "readonly")


def pytest_report_header(config):
    return f"orderbridge test database: {BACKEND} ({DB_URL})"


def make_app(**config) -> Flask:
    base = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": DB_URL,
        "SERVER_NAME": "localhost",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # scrypt costs 0.15 s a user; tests make many
    }
    base.update(config)
    return create_app(base)


def _drop_everything(engine: sa.Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            for table in reversed(meta.sorted_tables):
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table.name}"')


@pytest.fixture(scope="session")
def migrated_db() -> str:
    """Build the schema once with the real migrations of every plugin."""
    from core.migrate import upgrade_all
    from core.plugins import host_of

    app = make_app()
    with app.app_context():
        _drop_everything(db.engine)
        upgrade_all(host_of(app))
        db.engine.dispose()
    return DB_URL


def clean_tables(engine: sa.Engine) -> None:
    # only tables the migrations made: a model whose migration is missing is reported by
    # tests/core/test_migrations.py, not by every test of every plugin
    existing = set(sa.inspect(engine).get_table_names())
    tables = [t.name for t in db.metadata.sorted_tables if t.name in existing]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # DELETE (children first) and restarting the id sequences takes ~5 ms; TRUNCATE of
            # every table costs 0.1-0.3 s per test
            for t in reversed(tables):
                conn.exec_driver_sql(f'DELETE FROM "{t}"')
            conn.exec_driver_sql(
                "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'S' AND n.nspname = current_schema()")
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            for t in reversed(tables):
                conn.exec_driver_sql(f'DELETE FROM "{t}"')
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")


@pytest.fixture
def app_factory(migrated_db) -> Iterator:
    """Make extra app instances on the test database (a second worker process, a rescue boot)."""
    apps: list[Flask] = []

    def factory(**config) -> Flask:
        app = make_app(**config)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory) -> Flask:
    app = app_factory()
    with app.app_context():
        clean_tables(db.engine)
        app.extensions["orderbridge"].forget_cache()
        app.extensions["orderbridge_options"].forget_cache()
    return app


class Client(FlaskClient):
    """A test client that carries a valid CSRF token in every form POST, like a browser."""

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args, **kwargs):
        data = kwargs.get("data")
        if kwargs.pop("csrf", True) and (data is None or isinstance(data, dict)) and "json" not in kwargs:
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)

    def login(self, username: str, password: str = PASSWORD):
        resp = self.post("/login", data={"username": username, "password": password})
        assert resp.status_code == 302, f"login as {username} failed: {resp.status_code}"
        return resp

    def logout(self):
        return self.post("/logout")


@pytest.fixture
def users(app) -> dict[str, int]:
    """One user per role, named after the role, with the password ``PASSWORD``."""
    from core.models import User

    ids = {}
    with app.app_context():
        for role in ROLES:
            user = User(username=role, role=role, full_name=role.title(), email=f"{role}@example.com")
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.flush()
            ids[role] = user.id
        db.session.commit()
    return ids


@pytest.fixture
def client(app, users) -> Client:
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def admin_client(client) -> Client:
    client.login("admin")
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app) -> None:
    """Core's demo master data (warehouses MAIN/EAST, customers C1000.., vendors V2000.., items)."""
    from core.demo import add_core_demo

    with app.app_context():
        add_core_demo(db.session)
        db.session.commit()


@pytest.fixture
def count_queries(app):
    """``with count_queries() as n: ...`` then ``n.count`` is the number of SQL statements."""

    @contextlib.contextmanager
    def counter():
        box = type("Count", (), {"count": 0, "statements": []})()

        def listen(_conn, _cursor, statement, *_args):
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
                box.count += 1
                box.statements.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", listen)
        try:
            yield box
        finally:
            sa.event.remove(engine, "before_cursor_execute", listen)

    return counter


def D(value) -> Decimal:
    return Decimal(str(value))


@pytest.fixture
def backend() -> str:
    return BACKEND
