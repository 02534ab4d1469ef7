"""Migrations: fresh and older databases, models equal to migrations, table prefixes."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.db import db
from core.migrate import current_revisions, diff, script_dirs, upgrade, version_table
from core.plugins import host_of
from tests.conftest import DB_URL
from tests.core.conftest import add_plugins

CORE_FIRST = "175e60a5bd38"
CORE_HEAD = "a9d4e1c7b3f2"


@pytest.fixture
def scratch_url(backend, tmp_path):
    """An empty database of the suite's backend: a SQLite file, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    schema = f"scratch_{uuid.uuid4().hex[:8]}"
    url = DB_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in DB_URL else "?"
    yield f"{DB_URL}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


def _tables(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_db_upgrade_on_a_fresh_database(app_factory, monkeypatch, scratch_url):
    add_plugins(monkeypatch, "probe")  # a plugin shipping its own migrations (migrations_dir)
    app = app_factory(SQLALCHEMY_DATABASE_URI=scratch_url)
    runner = app.test_cli_runner()
    assert _tables(app) == set()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Database up to date: core, ") and "probe" in result.output
    tables = _tables(app)
    assert {"core_user", "core_partner", "core_sequence", "probe_note", "alembic_version_core",
            "alembic_version_probe"} <= tables
    with app.app_context():
        revisions = current_revisions(host_of(app))
        assert revisions["core"] == (CORE_HEAD, CORE_HEAD)
        assert revisions["probe"] == ("a1b2c3d4e5f6", "a1b2c3d4e5f6")
        assert all(cur == head for cur, head in revisions.values())
        assert db.session.execute(sa.text("SELECT id, version FROM core_settings_version")).all() == [(1, 0)]
    status = runner.invoke(args=["db", "status"]).output
    assert "needs upgrade" not in status and "up to date" in status
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0  # again: nothing to do


def test_db_upgrade_brings_an_older_database_up_to_date(app_factory, scratch_url):
    app = app_factory(SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        core_dir = dict(script_dirs(host_of(app)))["core"]
        upgrade(db.engine, "core", core_dir, target=CORE_FIRST)  # a database from the first release
        db.session.execute(sa.text(
            "INSERT INTO core_warehouse (code, name, address) VALUES ('OLD', 'From the old release', '')"))
        db.session.commit()
        assert current_revisions(host_of(app))["core"] == (CORE_FIRST, CORE_HEAD)
        assert db.session.execute(sa.text("SELECT count(*) FROM core_settings_version")).scalar() == 0
    runner = app.test_cli_runner()
    assert "core                 " + CORE_FIRST in runner.invoke(args=["db", "status"]).output
    assert "needs upgrade" in runner.invoke(args=["db", "status"]).output
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert all(cur == head for cur, head in current_revisions(host_of(app)).values())
        assert db.session.execute(sa.text("SELECT version FROM core_settings_version")).scalar() == 0
        assert db.session.execute(sa.text("SELECT name FROM core_warehouse")).scalar() == "From the old release"
    with app.app_context():
        plugins = [p for p, _ in script_dirs(host_of(app))]
    for plugin in plugins:
        assert version_table(plugin) in _tables(app)


def test_a_failing_migration_is_reported_with_the_plugin_name(app_factory, monkeypatch, scratch_url):
    add_plugins(monkeypatch, "probe")
    app = app_factory(SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE probe_note (id INTEGER PRIMARY KEY)"))  # in the way
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1 and "migrations of plugin 'probe' failed" in result.output


def test_every_plugin_model_matches_its_migrations(app_factory):
    """Autogenerate finds nothing to do on the migrated test database, plugin by plugin."""
    app = app_factory()
    with app.app_context():
        host = host_of(app)
        checked = []
        for plugin, _path in script_dirs(host):
            ops = diff(host, plugin).upgrade_ops.as_diffs()
            assert ops == [], f"{plugin}: models and migrations differ: {ops}"
            checked.append(plugin)
    assert checked[0] == "core"


def _owner_prefixes(host) -> dict[str, tuple[str, str]]:
    """plugin -> (module package, table prefix)."""
    out = {}
    for name, plugin in host.plugins.items():
        package = plugin.module.__name__.rsplit(".", 1)[0] if name != "core" else "core"
        out[name] = (package, plugin.manifest.table_prefix or f"{name}_")
    return out


def test_every_table_carries_its_owners_prefix(app_factory):
    app = app_factory()
    host = host_of(app)
    owners = _owner_prefixes(host)
    seen = set()
    for mapper in db.Model.registry.mappers:
        cls = mapper.class_
        owner = next((n for n, (pkg, _) in owners.items() if cls.__module__ == pkg or cls.__module__.startswith(pkg + ".")),
                     None)
        if owner is None:
            continue  # a model of a plugin that is not loaded in this run
        table = mapper.local_table.name
        assert table.startswith(owners[owner][1]), f"{cls.__module__}.{cls.__name__}: {table} lacks {owners[owner][1]}"
        seen.add(owner)
    assert "core" in seen
    prefixes = [p for _, p in owners.values()]
    for table in db.metadata.tables:
        assert any(table.startswith(p) for p in prefixes), f"table {table} belongs to no loaded plugin"


OPS = re.compile(r"op\.(create_table|drop_table|add_column|drop_column|alter_column|create_index|drop_index|"
                 r"batch_alter_table|rename_table|create_foreign_key|create_unique_constraint)\(\s*"
                 r"(?:op\.f\([^)]*\),\s*)?['\"](\w+)['\"]")


def test_no_plugin_migration_touches_another_plugins_tables(app_factory):
    host = host_of(app_factory())
    owners = _owner_prefixes(host)
    with app_factory().app_context():
        dirs = script_dirs(host)
    for plugin, path in dirs:
        prefix = owners[plugin][1]
        for script in Path(path, "versions").glob("*.py"):
            for op, table in OPS.findall(script.read_text()):
                if op in ("create_index", "drop_index"):
                    continue  # the first quoted name is the index: checked through the table below
                assert table.startswith(prefix), f"{script.name}: op.{op} on {table}, not a {prefix} table"
