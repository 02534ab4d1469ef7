"""The ``orderbridge`` command: the Flask CLI bound to the app, plus core's groups.

Plugins add their own commands through the ``register_commands`` hook; groups shared
by several plugins (``orderbridge purchasing …``) are made with :func:`subgroup`.
"""

from __future__ import annotations

import json
import secrets
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from .db import db
from .models import ROLES, User


def main() -> None:
    from . import create_app

    cli = FlaskGroup(create_app=create_app, help="OrderBridge: sales orders to purchase orders and back.")
    cli.main(prog_name="orderbridge")


def subgroup(cli: click.Group, name: str, help: str = "") -> click.Group:
    """Get or create the command group ``name`` under ``cli``."""
    existing = cli.commands.get(name)
    if isinstance(existing, click.Group):
        return existing
    group = AppGroup(name, help=help)
    cli.add_command(group)
    return group


def _host():
    from .plugins import host_of

    return host_of(current_app)


# Core's command groups. They are templates: ``register_core_commands`` copies their commands
# into each app's own groups (``subgroup``), which plugins may extend without touching these.
_db = AppGroup("db", help="Database schema: every plugin's migrations.")
_plugins = AppGroup("plugins", help="List, enable and disable plugins.")
_users = AppGroup("users", help="User accounts.")
_options = AppGroup("options", help="Setup options: export and import as JSON.")


def register_core_commands(cli: click.Group) -> None:
    for template in (_db, _plugins, _users, _options):
        group = subgroup(cli, template.name, template.help or "")
        for command in template.commands.values():
            group.add_command(command)
    cli.add_command(demo)


@_db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database up to date (core, then every plugin)."""
    from .migrate import MigrationError, upgrade_all
    from .plugins import HookError

    try:
        done = upgrade_all(_host())
    except (MigrationError, HookError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Database up to date: {', '.join(done)}")


@_db.command("status")
def db_status() -> None:
    """Show each plugin's database revision and head."""
    from .migrate import current_revisions

    for plugin, (cur, head) in current_revisions(_host()).items():
        state = "up to date" if cur == head else "needs upgrade"
        click.echo(f"{plugin:20} {cur or '-':14} head {head or '-':14} {state}")


@_db.command("revision")
@click.argument("plugin")
@click.option("-m", "--message", required=True)
def db_revision(plugin: str, message: str) -> None:
    """Autogenerate a migration for PLUGIN's tables from its models."""
    from .migrate import write_revision

    path = write_revision(_host(), plugin, message)
    click.echo(f"Wrote {path}" if path else "No changes in the models of " + plugin)


@_plugins.command("list")
def plugins_list() -> None:
    """Installed plugins with their state; failed ones with the reason."""
    host = _host()
    for row in host.state_rows():
        m = row["manifest"]
        deps = f" (depends on {', '.join(row['depends'])})" if row["depends"] else ""
        click.echo(f"{'enabled ' if row['enabled'] else 'disabled'}  {m.name:18} {m.version:8} {m.title}{deps}")
    for name, reason in host.failed.items():
        click.echo(f"FAILED    {name:18} {reason}")


@_plugins.command("enable")
@click.argument("name")
def plugins_enable(name: str) -> None:
    """Enable NAME and the plugins it depends on."""
    from .plugins import DependencyError

    try:
        changed = _host().set_enabled(name, True)
    except DependencyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Enabled: {', '.join(changed)}" if changed else f"{name} was already enabled")
    for error in _host().last_event_errors:
        click.echo(f"warning: {error}", err=True)


@_plugins.command("disable")
@click.argument("name")
@click.option("--cascade", is_flag=True, help="Also disable the plugins that depend on NAME.")
def plugins_disable(name: str, cascade: bool) -> None:
    """Disable NAME (refused while enabled plugins depend on it, unless --cascade)."""
    from .plugins import DependencyError

    try:
        changed = _host().set_enabled(name, False, cascade=cascade)
    except DependencyError as exc:
        hint = " (use --cascade to disable them too)" if exc.names else ""
        raise click.ClickException(f"{exc}{hint}") from None
    click.echo(f"Disabled: {', '.join(changed)}" if changed else f"{name} was already disabled")
    for error in _host().last_event_errors:
        click.echo(f"warning: {error}", err=True)


@_plugins.command("docs")
@click.option("--write", is_flag=True, help="Rewrite docs/plugins.md instead of checking it.")
def plugins_docs(write: bool) -> None:
    """Check (or rewrite) the hook reference in docs/plugins.md against core/hookspecs.py."""
    from .hookdocs import DOC_PATH, render_reference, update_doc

    if write:
        update_doc()
        click.echo(f"Wrote {DOC_PATH}")
    elif render_reference() not in DOC_PATH.read_text():
        raise click.ClickException("docs/plugins.md is out of date: run `orderbridge plugins docs --write`")
    else:
        click.echo("docs/plugins.md is up to date")


@_users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), default="readonly")
@click.option("--password", help="Prompted for when not given.")
@click.option("--full-name", default="")
@click.option("--email", default="")
def users_create(username: str, role: str, password: str | None, full_name: str, email: str) -> None:
    """Create a user."""
    if db.session.scalar(sa.select(User).where(User.username == username)):
        raise click.ClickException(f"user {username!r} exists")
    password = password or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    user = User(username=username, role=role, full_name=full_name, email=email)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} user {username}")


@_users.command("set-password")
@click.argument("username")
@click.option("--password", help="Prompted for when not given.")
def users_set_password(username: str, password: str | None) -> None:
    """Set a user's password."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    password = password or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    user.set_password(password)
    db.session.commit()
    click.echo(f"Password of {username} changed")


@_users.command("list")
def users_list() -> None:
    """List users and roles."""
    for user in db.session.scalars(sa.select(User).order_by(User.username)):
        click.echo(f"{user.username:20} {user.role_label:15} {'active' if user.active else 'inactive'}")


@_users.command("ensure-admin")
def users_ensure_admin() -> None:
    """Create the user 'admin' with a random password, printed once, if no administrator exists."""
    if db.session.scalar(sa.select(User).where(User.role == "admin")):
        click.echo("An administrator exists (its password was printed when it was created; "
                   "`orderbridge users set-password admin` changes it).")
        return
    password = secrets.token_urlsafe(12)
    user = User(username="admin", role="admin", full_name="Administrator")
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo("=" * 60)
    click.echo(f"Administrator created.  user: admin   password: {password}")
    click.echo("This password is shown once. Change it with `orderbridge users set-password admin`.")
    click.echo("=" * 60)


@_options.command("export")
@click.argument("path", type=click.Path(dir_okay=False), default="-")
def options_export(path: str) -> None:
    """Write all setup options as one JSON document (for disaster recovery)."""
    from .options import export_all

    text = json.dumps(export_all(), indent=2, sort_keys=True)
    if path == "-":
        click.echo(text)
    else:
        with open(path, "w") as fh:
            fh.write(text + "\n")
        click.echo(f"Wrote {path}")


@_options.command("import")
@click.argument("path", type=click.File("r"))
def options_import(path) -> None:
    """Validate a JSON export and apply it; nothing changes when anything is wrong."""
    from .options import import_all

    try:
        document = json.load(path)
    except ValueError as exc:
        raise click.ClickException(f"not valid JSON: {exc}") from None
    changed, errors = import_all(document, user_id=None, source="cli")
    if errors:
        for e in errors:
            click.echo(f"error: {e}", err=True)
        raise click.ClickException(f"{len(errors)} error(s); nothing was changed")
    click.echo(f"Imported: {sum(len(c) for c in changed.values())} change(s)")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no partners yet.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Load demonstration data (core master data, then each enabled plugin's)."""
    from .demo import load_demo
    from .plugins import HookError

    try:
        loaded = load_demo(_host(), if_empty=if_empty)
    except HookError as exc:
        raise click.ClickException(f"{exc} (no demo data was kept)") from None
    click.echo("Demo data loaded." if loaded else "Database is not empty: demo data left alone.")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
