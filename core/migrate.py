"""Alembic, one independent history per plugin (as Indico's plugins have).

Each plugin's script directory comes from its manifest's ``migrations`` (or its
``migrations_dir`` hook); its revisions are recorded in its own version table
``alembic_version_<plugin>`` and it only touches tables carrying its own prefix. ``upgrade_all`` runs core first, then every plugin
after its dependencies, so a fresh or an older database is brought up to date in one
command. No env.py is needed: the host drives Alembic's environment directly.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .db import db
from .plugins import PluginHost

# Indexes on expressions that differ by database (core.lookup's case-insensitive prefix
# indexes) cannot be declared on the models: autogenerate leaves indexes so named alone.
EXPRESSION_INDEX_PREFIX = "ix_lookup_"


def version_table(plugin: str) -> str:
    return f"alembic_version_{plugin}"


def script_dirs(host: PluginHost) -> list[tuple[str, str]]:
    return host.migration_dirs()


def _script(path: str) -> tuple[Config, ScriptDirectory]:
    cfg = Config()
    cfg.set_main_option("script_location", path)
    return cfg, ScriptDirectory.from_config(cfg)


def upgrade(engine: sa.Engine, plugin: str, path: str, target: str = "heads") -> None:
    cfg, script = _script(path)

    def do_upgrade(rev, _context):
        return script._upgrade_revs(target, rev)

    with EnvironmentContext(cfg, script, fn=do_upgrade, destination_rev=target) as env, engine.connect() as conn:
        env.configure(connection=conn, version_table=version_table(plugin), transaction_per_migration=True)
        with env.begin_transaction():
            env.run_migrations()
        conn.commit()


class MigrationError(Exception):
    def __init__(self, plugin: str, original: BaseException):
        self.plugin, self.original = plugin, original
        super().__init__(f"migrations of plugin '{plugin}' failed: {type(original).__name__}: {original}")


def upgrade_all(host: PluginHost, engine: sa.Engine | None = None) -> list[str]:
    """Core first, then every loaded plugin after its dependencies; stops at a failure, naming it."""
    engine = engine or db.engine
    done = []
    for plugin, path in script_dirs(host):
        try:
            upgrade(engine, plugin, path)
        except Exception as exc:
            raise MigrationError(plugin, exc) from exc
        done.append(plugin)
    return done


def current_revisions(host: PluginHost, engine: sa.Engine | None = None) -> dict[str, tuple[str | None, str | None]]:
    """plugin -> (database revision, head revision)."""
    engine = engine or db.engine
    out = {}
    with engine.connect() as conn:
        for plugin, path in script_dirs(host):
            ctx = MigrationContext.configure(conn, opts={"version_table": version_table(plugin)})
            _, script = _script(path)
            out[plugin] = (ctx.get_current_revision(), script.get_current_head())
    return out


def _owned(host: PluginHost, plugin: str):
    """(include_name, include_object) limiting autogenerate to ``plugin``'s own tables."""
    prefix = host.plugins[plugin].manifest.table_prefix or f"{plugin}_"
    others = [p.manifest.table_prefix for n, p in host.plugins.items() if n != plugin and p.manifest.table_prefix]
    longer = [o for o in others if o.startswith(prefix) and len(o) > len(prefix)]

    def owns(table_name: str | None) -> bool:
        return bool(table_name) and table_name.startswith(prefix) and not any(table_name.startswith(o) for o in longer)

    def include_name(name, type_, _parent_names):
        # the database side: reflect only this plugin's tables
        return owns(name) if type_ == "table" else True

    def include_object(obj, name, type_, _reflected, _compare_to):
        # the models side too (include_name filters only reflected names): without it every
        # other plugin's table would look missing and land in this plugin's revision
        if type_ == "table":
            return owns(name)
        if type_ == "index" and (name or "").startswith(EXPRESSION_INDEX_PREFIX):
            return False  # per-dialect expression indexes live in the migrations only
        table = getattr(obj, "table", None)
        return table is None or owns(table.name)

    return include_name, include_object


def diff(host: PluginHost, plugin: str, engine: sa.Engine | None = None):
    """Alembic's autogenerate comparison of the plugin's models with the database (its tables only)."""
    engine = engine or db.engine
    include_name, include_object = _owned(host, plugin)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "target_metadata": db.metadata, "include_name": include_name, "include_object": include_object,
            "version_table": version_table(plugin), "compare_type": True,
        })
        return produce_migrations(ctx, db.metadata)


TEMPLATE = '''"""{message}

Revision ID: {rev}
Revises: {down}
Create Date: {date}
"""
import sqlalchemy as sa
from alembic import op

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
{upgrade}


def downgrade():
{downgrade}
'''


def write_revision(host: PluginHost, plugin: str, message: str, engine: sa.Engine | None = None) -> Path | None:
    """Autogenerate a revision for ``plugin`` from its models; None when nothing changed."""
    path = dict(script_dirs(host))[plugin]
    script = diff(host, plugin, engine)
    if script.upgrade_ops.is_empty():
        return None
    _, sd = _script(path)
    rev = uuid.uuid4().hex[:12]
    opts = {"sqlalchemy_module_prefix": "sa.", "alembic_module_prefix": "op.", "render_as_batch": False}
    up = render_python_code(script.upgrade_ops, **opts)
    down = render_python_code(script.downgrade_ops, **opts)
    slug = "_".join(message.lower().split())[:40]
    target = Path(path) / "versions" / f"{rev}_{slug}.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(TEMPLATE.format(message=message, rev=rev, down=sd.get_current_head(),
                                      date=dt.datetime.now().isoformat(timespec="seconds"),
                                      upgrade=up, downgrade=down))
    return target
