"""``orderbridge.testing``: the pytest fixtures a plugin author needs.

A pytest plugin: installing the ``orderbridge`` distribution activates it through its
``pytest11`` entry point (``orderbridge = "core.testing"``), so a plugin's own test
suite just uses the fixtures. From a checkout that is not installed, load it with
``pytest -p core.testing`` or ``pytest_plugins = ["core.testing"]`` in the top
conftest (OrderBridge's own ``tests/conftest.py`` does, unless it is already active).

The database is a temporary SQLite file by default; ``ORDERBRIDGE_TEST_DB`` points the
suite at another (``postgresql://...``; use a database of its own: every table is
dropped). The schema is built once per session by the real migrations of every loaded
plugin; every test starts from empty tables. CSRF protection stays ON: the test client
signs a real token into each form POST, as a browser would.

Fixtures:

``app``
    The application on clean tables. ``app_factory(**config)`` makes more instances
    on the same database (a second worker process, a rescue boot, or an app that
    loads the plugins installed with ``install_plugins``).
``users``, ``client``, ``client_for``, ``admin_client``
    One user per role (named after the role, password :data:`PASSWORD`); a
    CSRF-signing client; ``client_for("sales")`` a new client logged in as that role.
``set_options``
    ``set_options("my_plugin", max_lines=10)``: stores options as the options page
    does (validated, audited, committed).
``enable_plugins``, ``disable_plugins``, ``install_plugins``
    Enabled-plugin control: ``enable_plugins("my_plugin")`` (with its dependencies),
    ``disable_plugins("po_generation")`` (with its dependants); ``install_plugins(
    probe="tests.probe")`` makes a module a plugin of the apps made afterwards.
``runner``, ``demo``, ``count_queries``, ``backend``
    CLI runner; core's demo master data; an SQL statement counter; the backend name.

:func:`race` runs the same unit of work in several threads at once, each in its own
session and transaction (the way concurrent requests run): the concurrency tests use it.
:func:`serve_live` serves an app over real HTTP on loopback (browser tests, webhooks).

Rule for tests: do database work inside ``with app.app_context():`` blocks and make
requests outside them (a request inside such a block would share its session).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from werkzeug.serving import make_server

from . import create_app
from .db import db

TEST_DB = os.environ.get("ORDERBRIDGE_TEST_DB", "")
_TMP = Path(tempfile.mkdtemp(prefix="orderbridge-tests-"))
DB_URL = TEST_DB or f"sqlite:///{_TMP / 'test.db'}"
BACKEND = "postgresql" if DB_URL.startswith("postgres") else "sqlite"
if BACKEND == "postgresql":
    # a test database needs no durability: without waiting for the WAL flush a commit takes 0.1 ms
    # instead of 2.5 ms; locks, isolation and visibility are unchanged. libpq reads PGOPTIONS, so
    # the servers and workers the tests start get it too; a URL with its own options keeps them.
    os.environ.setdefault("PGOPTIONS", "-c synchronous_commit=off")
PASSWORD = "correct horse battery"
ROLES = ("admin", "sales", "purchasing", "readonly")


def pytest_report_header(config: pytest.Config) -> str:
    return f"orderbridge test database: {BACKEND} ({DB_URL})"


def make_app(**config: Any) -> Flask:
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


def clean_tables(engine: sa.Engine) -> None:
    """Empty every table the migrations made (children first) and restart id sequences."""
    # only tables the migrations made: a model whose migration is missing is reported by
    # its migration test, not by every test of every plugin
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
            # the AUTOINCREMENT counters (core.sqlite_ids) restart, as setval does above
            if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").first():
                conn.exec_driver_sql("DELETE FROM sqlite_sequence")
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")


def apply_options(plugin: str, **values: Any) -> None:
    """Store setup options of ``plugin`` as the options page does, and commit (app context).

    A key the plugin does not declare is refused (the page would silently drop it).
    """
    from .options import apply_changes, registry

    unknown = sorted(set(values) - set(registry().declared[plugin]))
    if unknown:
        raise KeyError(f"plugin {plugin!r} declares no option {', '.join(unknown)}")
    apply_changes(plugin, values, user_id=None, source="test")
    db.session.commit()


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


def client_of(app: Flask, username: str | None = None) -> Client:
    """A new CSRF-signing client of ``app``, logged in as ``username`` when given."""
    app.test_client_class = Client
    c = app.test_client()
    if username:
        c.login(username)
    return c


@pytest.fixture(scope="session")
def migrated_db() -> str:
    """Build the schema once with the real migrations of every plugin."""
    from .migrate import upgrade_all
    from .plugins import host_of

    app = make_app()
    with app.app_context():
        _drop_everything(db.engine)
        upgrade_all(host_of(app))
        db.engine.dispose()
    return DB_URL


@pytest.fixture
def app_factory(migrated_db: str) -> Iterator[Callable[..., Flask]]:
    """Make extra app instances on the test database (a second worker process, a rescue boot)."""
    apps: list[Flask] = []

    def factory(**config: Any) -> Flask:
        app = make_app(**config)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Flask:
    app = app_factory()
    with app.app_context():
        clean_tables(db.engine)
        app.extensions["orderbridge"].forget_cache()
        app.extensions["orderbridge_options"].forget_cache()
    return app


@pytest.fixture
def users(app: Flask) -> dict[str, int]:
    """One user per role, named after the role, with the password ``PASSWORD``."""
    from .models import User

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
def client(app: Flask, users: dict[str, int]) -> Client:
    return client_of(app)


@pytest.fixture
def client_for(app: Flask, users: dict[str, int]) -> Callable[..., Client]:
    """``client_for("sales")``: a new client logged in as that role (``app=`` another instance)."""

    def make(role: str | None = None, app: Flask = app) -> Client:
        return client_of(app, role)

    return make


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.login("admin")
    return client


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def _in_context(app: Flask, fn: Callable[[], Any]) -> Any:
    if has_app_context():
        return fn()
    with app.app_context():
        return fn()


@pytest.fixture
def set_options(app: Flask) -> Callable[..., None]:
    """``set_options("my_plugin", key=value, ...)``: validated, audited and committed."""

    def setter(plugin: str, **values: Any) -> None:
        _in_context(app, lambda: apply_options(plugin, **values))

    return setter


@pytest.fixture
def enable_plugins(app: Flask) -> Callable[..., list[str]]:
    """``enable_plugins("a", "b")``: switch plugins on (with what they depend on)."""
    from .plugins import host_of

    def enable(*names: str) -> list[str]:
        return _in_context(app, lambda: [n for name in names for n in host_of(app).set_enabled(name, True)])

    return enable


@pytest.fixture
def disable_plugins(app: Flask) -> Callable[..., list[str]]:
    """``disable_plugins("a")``: switch plugins off, with the plugins depending on them."""
    from .plugins import host_of

    def disable(*names: str) -> list[str]:
        return _in_context(app, lambda: [n for name in names
                                         for n in host_of(app).set_enabled(name, False, cascade=True)])

    return disable


@pytest.fixture
def install_plugins(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``install_plugins(probe="tests.probe_plugin")``: load these modules as plugins in the
    apps made afterwards (``app_factory()``), as if they were installed."""
    import core.plugins

    def install(**modules: str) -> None:
        for name, path in modules.items():
            monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, name, path)

    return install


@pytest.fixture
def demo(app: Flask) -> None:
    """Core's demo master data (warehouses MAIN/EAST, customers C1000.., vendors V2000.., items)."""
    from .demo import add_core_demo

    with app.app_context():
        add_core_demo(db.session)
        db.session.commit()


@pytest.fixture
def count_queries(app: Flask):
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


def race(app: Flask, work: Callable[..., Any], jobs: list[tuple], *,
         expected: tuple[type[BaseException], ...] = ()) -> list[Any]:
    """Run ``work(*job)`` for every job in its own thread, all released at once by a barrier.

    Each run is one transaction in its own session: committed when ``work`` returns, rolled
    back when it raises. Returns one outcome per job, in job order: what ``work`` returned, or
    the exception instance when it is one of ``expected``; any other exception is raised
    after every thread has finished.
    """
    barrier = threading.Barrier(len(jobs))
    outcomes: list[Any] = [None] * len(jobs)
    unexpected: list[BaseException] = []

    def run(index: int, job: tuple) -> None:
        with app.app_context():
            barrier.wait()
            try:
                outcomes[index] = work(*job)
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - handed back to the test
                db.session.rollback()
                outcomes[index] = exc
                if not isinstance(exc, expected):
                    unexpected.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    if unexpected:
        raise unexpected[0]
    return outcomes


@dataclass
class LiveServer:
    url: str  # http://127.0.0.1:<port>
    app: Flask
    server: Any
    thread: threading.Thread


@contextlib.contextmanager
def serve_live(app: Flask) -> Iterator[LiveServer]:
    """``app`` served by werkzeug on a free loopback port, in a thread, while the block runs."""
    app.config["SERVER_NAME"] = None  # requests arrive as 127.0.0.1:<port>
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, server, thread)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()


@pytest.fixture
def backend() -> str:
    return BACKEND
