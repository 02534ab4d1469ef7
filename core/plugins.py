"""The plugin host: a thin facade over pluggy kept in ``app.extensions["orderbridge"]``.

Register statically, gate dynamically: every installed plugin's hooks, blueprints,
options and commands are registered in ``create_app``; hook calls leave out disabled
plugins (pluggy's ``subset_hook_caller``) and a disabled plugin's pages answer 404.
The enabled set lives in the database (``core_plugin_state``) and is cached per
process against a version counter, so a change made by one worker is honoured by
every other on its next request.

Every hook call goes through pluggy's callers (``PluginHost.caller``): the calling-order
rule and how a plugin publishes hooks of its own are in :mod:`core.hookspecs`.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
import os
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from decimal import Decimal
from types import ModuleType
from typing import Any

import click
import pluggy
import sqlalchemy as sa
from flask import Flask, g, has_request_context
from markupsafe import Markup

from . import hookspecs
from .db import db
from .errors import HookError, ValidationError

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "orderbridge.plugins"

# Built-in plugins go through the same loader as third-party ones; they are named
# here by module path so that core imports no plugin.
BUILTIN_PLUGINS: dict[str, str] = {
    "sales_order": "plugins.sales_order.plugin",
    "purchase_order": "plugins.purchase_order.plugin",
    "po_generation": "plugins.po_generation.plugin",
    "po_allocation": "plugins.po_allocation.plugin",
    "email_templates": "plugins.email_templates.plugin",
    "supplier_sync": "plugins.supplier_sync.plugin",
}


@dataclass(frozen=True)
class Manifest:
    name: str
    title: str
    version: str
    description: str = ""
    depends: tuple[str, ...] = ()
    default_enabled: bool = True
    table_prefix: str | None = None
    required: bool = False  # core only: can never be disabled
    # What most plugins contribute, by convention instead of five identical hooks: the
    # references are "module:attribute" inside the plugin module's package, imported when
    # the app is built. A conventional default whose module (or folder) the package does
    # not have is skipped; anything else that does not resolve fails the plugin. Set ``()``
    # or ``None`` to opt out. The hooks of the same names stay for computed contributions
    # (a plugin may use both; the declared ones come first).
    blueprints: tuple[str, ...] = ("views:bp",)
    options: str | None = "options:OPTIONS"
    commands: str | None = "cli:register"  # called with the ``orderbridge`` command group
    migrations: str | None = "migrations"  # Alembic folder beside the plugin module
    menu: tuple[MenuItem, ...] = ()  # fixed navigation entries; the ``menu_items`` hook computes others


MENU_GROUPS = ("Sales", "Purchasing", "Inventory", "Settings")  # the areas of the navigation, in order
DEFAULT_MENU_GROUP = "More"  # an item that names no group (a plugin written before groups existed)


@dataclass(frozen=True)
class MenuItem:
    label: str
    endpoint: str
    section: str = "main"  # "main" or "admin" (before groups: an "admin" item goes in Settings)
    roles: tuple[str, ...] = ()  # empty: any signed-in user
    order: int = 100
    group: str | None = None  # one of MENU_GROUPS (or a new area); None: Settings for "admin", else More

    @property
    def area(self) -> str:
        if self.group:
            return self.group
        return "Settings" if self.section == "admin" else DEFAULT_MENU_GROUP


@dataclass(frozen=True)
class Figure:
    """A number on the home page that says what needs doing, linking to the filtered list."""

    label: str
    value: int | Decimal
    url: str
    group: str = "Sales"  # the area it belongs to: Sales, Purchasing, Inventory, Settings
    roles: tuple[str, ...] = ()  # empty: any signed-in user
    order: int = 100
    hint: str = ""  # a sentence shown on hover and to screen readers
    money: bool = False  # the value is an amount (shown with two decimals)


@dataclass(frozen=True)
class ChartBar:
    label: str
    value: int | Decimal
    url: str | None = None


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart on the home page, drawn on the server as SVG (no script)."""

    title: str
    bars: tuple[ChartBar, ...]
    money: bool = False
    roles: tuple[str, ...] = ()
    order: int = 100
    note: str = ""


@dataclass(frozen=True)
class Panel:
    title: str
    html: Markup
    order: int = 100


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    method: str = "get"  # "post" renders a small form with the CSRF token
    confirm: str | None = None
    roles: tuple[str, ...] = ()
    style: str = "secondary"


@dataclass(frozen=True)
class Message:
    level: str  # "error" or "warning"
    text: str
    field: str | None = None
    plugin: str | None = None


class DependencyError(Exception):
    def __init__(self, message: str, names: Iterable[str] = ()):
        self.names = sorted(names)
        super().__init__(message)


@dataclass
class LoadedPlugin:
    manifest: Manifest
    module: Any
    source: str  # "core", "builtin" or the distribution name
    blueprints: list = field(default_factory=list)
    options: list = field(default_factory=list)


_CONVENTIONS = {f.name: f.default for f in fields(Manifest) if f.name in ("blueprints", "options", "commands")}


def _declared(plugin: LoadedPlugin, ref: str, conventional: bool) -> Any:
    """Resolve a manifest reference ``"module:attribute"`` inside the plugin's package;
    ``None`` for a conventional reference the package does not provide."""
    module_name, _, attribute = ref.partition(":")
    package = plugin.module.__package__
    if conventional and (not package or importlib.util.find_spec(f"{package}.{module_name}") is None):
        return None
    module = importlib.import_module(f".{module_name}", package)
    if conventional and not hasattr(module, attribute):
        return None
    return getattr(module, attribute)


def declared_blueprints(plugin: LoadedPlugin) -> list:
    refs = plugin.manifest.blueprints
    found = [_declared(plugin, ref, refs == _CONVENTIONS["blueprints"]) for ref in refs]
    return [bp for bp in found if bp is not None]


def declared_options(plugin: LoadedPlugin) -> list:
    ref = plugin.manifest.options
    return list(_declared(plugin, ref, ref == _CONVENTIONS["options"]) or []) if ref else []


def declared_commands(plugin: LoadedPlugin) -> Callable[[click.Group], None] | None:
    ref = plugin.manifest.commands
    return _declared(plugin, ref, ref == _CONVENTIONS["commands"]) if ref else None


def declared_migrations(plugin: LoadedPlugin) -> str | None:
    if not plugin.manifest.migrations or not getattr(plugin.module, "__file__", None):
        return None
    path = os.path.join(os.path.dirname(plugin.module.__file__), plugin.manifest.migrations)
    return path if os.path.isdir(path) else None


class PluginHost:
    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, LoadedPlugin] = {}
        self.failed: dict[str, str] = {}
        self.blueprint_owner: dict[str, str] = {}
        # hook name -> the plugin that declared it ("core" for core.hookspecs)
        self.hook_owner: dict[str, str] = {n: "core" for n in _spec_names(hookspecs)}
        self._spec_modules: list[ModuleType] = [hookspecs]  # added with pm.add_hookspecs
        self._cache: tuple[int, frozenset[str]] | None = None
        self._callers: dict[tuple[str, frozenset[str]], Any] = {}
        self.last_event_errors: list[str] = []  # on_plugin_enabled/disabled failures of the last change
        self.hook = _HookProxy(self)

    # -- loading -----------------------------------------------------------------
    #
    # Three steps, so that a plugin's own hookspecs are known before anything that
    # implements them registers: import every plugin and check its manifest; add the
    # ``hookspecs`` each loaded plugin publishes (dependencies first); register the
    # implementations in reverse dependency order (pluggy calls the last registered
    # first, so calls run in dependency order: core.hookspecs states the rule).

    def load(self, core_module: ModuleType, allow: set[str] | None = None) -> None:
        self._import("core", lambda: core_module, "core")
        for name, path in BUILTIN_PLUGINS.items():
            if allow is None or name in allow:
                self._import(name, lambda path=path: importlib.import_module(path), "builtin")
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in self.plugins or ep.name in self.failed:
                continue
            if allow is None or ep.name in allow:
                self._import(ep.name, lambda ep=ep: self._load_entry_point(ep), ep.dist.name if ep.dist else "?")
        self._resolve_dependencies()
        self._add_plugin_hookspecs()
        self._register_all()

    def _load_entry_point(self, ep: importlib.metadata.EntryPoint) -> Any:
        # pluggy's own entry-point loading, one entry point at a time so that one
        # broken package cannot stop the others.
        self.pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=ep.name)
        module = self.pm.get_plugin(ep.name)
        if module is None:
            raise RuntimeError("entry point did not register")
        self.pm.unregister(module)  # re-registered, validated, by _register_all
        return module

    def _import(self, name: str, loader: Callable[[], Any], source: str) -> None:
        try:
            module = loader()
            manifest = getattr(module, "manifest", None)
            if not isinstance(manifest, Manifest):
                raise TypeError("has no `manifest = Manifest(...)`")
            if manifest.name != name:
                raise ValueError(f"manifest name '{manifest.name}' differs from entry point name '{name}'")
        except Exception as exc:  # a broken plugin must not stop the site
            self._drop_registration(name)
            self.failed[name] = f"{type(exc).__name__}: {exc}"
            log.warning("plugin %s failed to load: %s", name, self.failed[name])
            return
        self.plugins[name] = LoadedPlugin(manifest, module, source)

    def _drop_registration(self, name: str) -> None:
        # pluggy's register() leaves the implementations it added before a failing
        # signature check in place: take every trace of the plugin out again.
        if self.pm.has_plugin(name):
            self.pm.unregister(name=name)
        self._callers.clear()

    def _add_plugin_hookspecs(self) -> None:
        """``pm.add_hookspecs`` for the ``hookspecs`` module each loaded plugin exposes."""
        for name in self.order():
            plugin = self.plugins.get(name)
            specs = getattr(plugin.module, "hookspecs", None) if plugin else None
            if specs is None or any(specs is m for m in self._spec_modules):
                continue  # none, or a module already added (core's, or a dependency's re-exported)
            try:
                names = _spec_names(specs)
                if not names:
                    raise TypeError("its `hookspecs` declares no hook (mark them with core.hookspecs.hookspec)")
                taken = [f"{n} (declared by '{self.hook_owner[n]}')" for n in names if n in self.hook_owner]
                if taken:
                    raise ValueError(f"declares hook(s) already declared: {', '.join(taken)}")
                self.pm.add_hookspecs(specs)
            except Exception as exc:
                self._fail(name, f"{type(exc).__name__} in its hookspecs: {exc}")
                continue
            self._spec_modules.append(specs)
            self.hook_owner.update(dict.fromkeys(names, name))
        self._resolve_dependencies()

    def _register_all(self) -> None:
        for name in reversed(self.order()):
            plugin = self.plugins.get(name)
            if plugin is None:
                continue
            try:
                self.pm.register(plugin.module, name=name)
                self._check_hooks(name, plugin.module)
            except Exception as exc:
                self._drop_registration(name)
                self._fail(name, f"{type(exc).__name__}: {exc}")
        self._resolve_dependencies()

    def _check_hooks(self, name: str, module: Any) -> None:
        """A plugin implements only the hooks of core, its own and its dependencies'."""
        allowed = {"core", name, *self.dependencies_of(name)}
        unknown, foreign = [], []
        for caller in self.pm.get_hookcallers(module) or []:
            owner = self.hook_owner.get(caller.name)
            if caller.spec is None or owner is None:
                unknown.append(caller.name)
            elif owner not in allowed:
                foreign.append(f"{caller.name} (of '{owner}')")
        if unknown:
            raise TypeError(f"implements unknown hook(s): {', '.join(sorted(unknown))}")
        if foreign:
            raise TypeError(f"implements hook(s) of plugins it does not depend on: {', '.join(sorted(foreign))}; "
                            "add them to its manifest's `depends`")

    def _resolve_dependencies(self) -> None:
        changed = True
        while changed:  # failures propagate to dependants
            changed = False
            for name, plugin in list(self.plugins.items()):
                missing = [d for d in plugin.manifest.depends if d not in self.plugins]
                if missing:
                    why = ", ".join(f"'{d}'" + (" (failed)" if d in self.failed else "") for d in missing)
                    self._fail(name, f"depends on unknown plugin {why}")
                    changed = True
        for cycle in self._cycles():
            for name in cycle:
                self._fail(name, "dependency cycle: " + " -> ".join([*cycle, cycle[0]]))
        if any(n not in self.plugins for p in self.plugins.values() for n in p.manifest.depends):
            self._resolve_dependencies()

    def _cycles(self) -> list[list[str]]:
        found, state, stack = [], {}, []

        def visit(n: str) -> None:
            state[n] = 1
            stack.append(n)
            for d in self.plugins[n].manifest.depends:
                if d not in self.plugins:
                    continue
                if state.get(d) == 1:
                    found.append(stack[stack.index(d) :])
                elif d not in state:
                    visit(d)
            stack.pop()
            state[n] = 2

        for n in sorted(self.plugins):
            if n not in state:
                visit(n)
        return found

    def _fail(self, name: str, reason: str) -> None:
        plugin = self.plugins.pop(name, None)
        if plugin is not None and self.pm.is_registered(plugin.module):
            self.pm.unregister(plugin.module)
        self.failed[name] = reason
        self._callers.clear()
        log.warning("plugin %s failed: %s", name, reason)

    def order(self) -> list[str]:
        """Plugin names with every plugin after its dependencies (core first)."""
        done: list[str] = []

        def visit(n: str) -> None:
            if n in done:
                return
            for d in self.plugins[n].manifest.depends:
                visit(d)
            done.append(n)

        visit("core")
        for n in sorted(self.plugins):
            visit(n)
        return done

    # -- hook calls: always through pluggy's callers ------------------------------------

    def caller(self, hook_name: str, plugins: Iterable[str]) -> pluggy.HookCaller:
        """pluggy's caller for ``hook_name`` holding only the implementations of ``plugins``.

        ``pm.subset_hook_caller`` with every other plugin removed, cached per set, so
        wrappers, ``firstresult`` and ``tryfirst``/``trylast`` work as pluggy defines them.
        """
        keep = frozenset(plugins)
        key = (hook_name, keep)
        found = self._callers.get(key)
        if found is None:
            if self.hook_spec(hook_name) is None:
                raise AttributeError(f"no hook called {hook_name!r}")
            remove = [p.module for n, p in self.plugins.items() if n not in keep]
            found = self.pm.subset_hook_caller(hook_name, remove_plugins=remove)
            self._callers[key] = found
        return found

    def hook_spec(self, hook_name: str) -> Any:
        """pluggy's ``HookSpec`` of ``hook_name``, or ``None`` when nobody declares it."""
        hc = getattr(self.pm.hook, hook_name, None)
        return hc.spec if hc is not None else None

    def call_plugin(self, hook_name: str, plugin_name: str, **kwargs) -> tuple[bool, Any]:
        """Call one plugin's implementation through a one-plugin subset caller.

        Returns ``(implemented, value)``; a failure raises :class:`HookError` naming it.
        """
        caller = self.caller(hook_name, (plugin_name,))
        if not caller.get_hookimpls():
            return False, None
        try:
            result = caller(**kwargs)
        except HookError:
            raise
        except Exception as exc:
            failure = _hook_failure(plugin_name, hook_name, exc)
            if failure is exc:
                raise
            raise failure from exc
        spec = self.hook_spec(hook_name)
        if spec.opts.get("firstresult"):
            return True, result
        return True, (result[0] if result else None)  # one plugin: at most one result

    def call_each(self, hook_name: str, *, enabled_only: bool = False, **kwargs) -> list[tuple[str, Any]]:
        """Call a hook plugin by plugin in dependency order: ``[(plugin name, its result)]``.

        For contributions whose owner matters (blueprints, options, migrations, demo
        data); the first failure raises :class:`HookError` naming its plugin.
        """
        enabled = self.enabled() if enabled_only else None
        results = []
        for name in self.order():
            if enabled is None or name in enabled:
                implemented, value = self.call_plugin(hook_name, name, **kwargs)
                if implemented:
                    results.append((name, value))
        return results

    def menu_items(self) -> list[MenuItem]:
        """The enabled plugins' menu entries: each manifest's ``menu``, then the ``menu_items``
        hook (a failing implementation is logged and its items left out)."""
        enabled = self.enabled()
        items = [item for name in self.order() if name in enabled for item in self.plugins[name].manifest.menu]
        for _name, result in self.contributions("menu_items"):
            if not isinstance(result, HookError):
                items.extend(result or [])
        return items

    def migration_dirs(self) -> list[tuple[str, str]]:
        """Each plugin's Alembic folder: the manifest's ``migrations`` or its ``migrations_dir`` hook."""
        dirs = []
        for name in self.order():
            plugin = self.plugins.get(name)
            if plugin is None:
                continue
            if declared := declared_migrations(plugin):
                dirs.append((name, declared))
            implemented, path = self.call_plugin("migrations_dir", name)
            if implemented and path:
                dirs.append((name, path))
        return dirs

    def contributions(self, hook_name: str, **kwargs) -> list[tuple[str, Any]]:
        """Like ``call_each`` for the enabled plugins, but a failing plugin yields its
        :class:`HookError` in place of a result and the others still contribute
        (menus, form fields, page panels and actions)."""
        out: list[tuple[str, Any]] = []
        enabled = self.enabled()
        for name in self.order():
            if name not in enabled:
                continue
            try:
                implemented, value = self.call_plugin(hook_name, name, **kwargs)
            except ValidationError as exc:  # a HookError, or a field refusal that has no form here
                failure = exc if isinstance(exc, HookError) else HookError(name, hook_name, exc)
                log.warning("%s", failure)
                out.append((name, failure))
                continue
            if implemented:
                out.append((name, value))
        return out

    def collect_contributions(self, app: Flask) -> None:
        """Blueprints, options and commands of every loaded plugin, once, at start-up."""
        from .options import OptionRegistry

        registry: OptionRegistry = app.extensions["orderbridge_options"]
        for name in self.order():
            plugin = self.plugins.get(name)
            if plugin is None:
                continue
            try:
                plugin.blueprints = declared_blueprints(plugin)
                plugin.blueprints += list(self.call_plugin("register_blueprints", name)[1] or [])
                plugin.options = declared_options(plugin) + list(self.call_plugin("setup_options", name)[1] or [])
                registry.declare(name, plugin.options)
            except Exception as exc:
                cause = exc.original if isinstance(exc, HookError) else exc
                self._fail(name, f"{type(cause).__name__} while registering: {cause}")
                registry.forget(name)
                continue
            for bp in plugin.blueprints:
                app.register_blueprint(bp)
                self.blueprint_owner[bp.name] = name
        self._resolve_dependencies()

    def register_commands(self, cli: click.Group) -> None:
        for name in self.order():
            if name not in self.plugins:
                continue
            try:
                register = declared_commands(self.plugins[name])
                if register is not None:
                    register(cli)
                self.call_plugin("register_commands", name, cli=cli)
            except HookError as exc:
                self._fail(name, f"{type(exc.original).__name__} while adding commands: {exc.original}")
            except Exception as exc:
                self._fail(name, f"{type(exc).__name__} while adding commands: {exc}")
        self._resolve_dependencies()

    # -- enabled state --------------------------------------------------------------

    def _read_state(self) -> tuple[int, dict[str, bool]]:
        from .models import PluginState, SettingsVersion

        try:
            version = db.session.scalar(sa.select(SettingsVersion.version).where(SettingsVersion.id == 1)) or 0
        except sa.exc.OperationalError as exc:  # SQLite/PostgreSQL: the table is not there yet
            db.session.rollback()
            raise click.ClickException("the database is not set up: run `orderbridge db upgrade` first") from exc
        except sa.exc.ProgrammingError as exc:
            db.session.rollback()
            raise click.ClickException("the database is not set up: run `orderbridge db upgrade` first") from exc
        if self._cache and self._cache[0] == version:
            return version, {}
        rows = db.session.execute(sa.select(PluginState.name, PluginState.enabled)).all()
        return version, dict(rows)

    def enabled(self) -> frozenset[str]:
        """The names of the enabled plugins; core always. One query per request."""
        if has_request_context() and "_ob_enabled" in g:
            return g._ob_enabled
        version, stored = self._read_state()
        if not (self._cache and self._cache[0] == version):
            self._cache = (version, self._effective(stored))
        result = self._cache[1]
        if has_request_context():
            g._ob_enabled = result
        return result

    def _effective(self, stored: dict[str, bool]) -> frozenset[str]:
        result: set[str] = set()
        for name in self.order():
            plugin = self.plugins[name]
            wanted = plugin.manifest.required or stored.get(name, plugin.manifest.default_enabled)
            if wanted and all(d in result for d in plugin.manifest.depends):
                result.add(name)
        return frozenset(result)

    def is_enabled(self, name: str) -> bool:
        return name in self.enabled()

    def require_enabled(self, name: str) -> None:
        """For CLI commands: refuse to run a disabled plugin's command."""
        if name not in self.enabled():
            raise click.ClickException(f"plugin '{name}' is disabled; enable it with `orderbridge plugins enable {name}`")

    def forget_cache(self) -> None:
        self._cache = None
        if has_request_context():
            g.pop("_ob_enabled", None)

    def dependencies_of(self, name: str) -> list[str]:
        seen: list[str] = []

        def visit(n: str) -> None:
            for d in self.plugins[n].manifest.depends:
                if d not in seen:
                    visit(d)
                    seen.append(d)

        visit(name)
        return seen

    def dependants_of(self, name: str) -> list[str]:
        out = [n for n in self.order() if n != name and name in self.dependencies_of(n)]
        return out

    def plan_enable(self, name: str) -> list[str]:
        """What enabling ``name`` switches on: its disabled dependencies, then itself."""
        self._check_known(name)
        enabled = self.enabled()
        return [n for n in [*self.dependencies_of(name), name] if n not in enabled]

    def plan_disable(self, name: str) -> list[str]:
        """Enabled plugins that depend on ``name`` and would have to go with it."""
        self._check_known(name)
        enabled = self.enabled()
        return [n for n in self.dependants_of(name) if n in enabled]

    def _check_known(self, name: str) -> None:
        if name not in self.plugins:
            why = f" ({self.failed[name]})" if name in self.failed else ""
            raise DependencyError(f"no loaded plugin called '{name}'{why}")

    def set_enabled(self, name: str, enabled: bool, *, cascade: bool = False, user_id: int | None = None) -> list[str]:
        """Enable (with dependencies) or disable (refusing, or cascading to dependants).

        Returns every plugin whose state changed, commits, then fires the events.
        """
        from .models import PluginState, bump_settings_version

        if enabled:
            names = self.plan_enable(name)
        else:
            if self.plugins.get(name) and self.plugins[name].manifest.required:
                raise DependencyError(f"'{name}' is required and cannot be disabled")
            dependants = self.plan_disable(name)
            if dependants and not cascade:
                raise DependencyError(
                    f"cannot disable '{name}': enabled plugins depend on it: {', '.join(dependants)}", dependants
                )
            names = [*reversed(dependants), name] if name in self.enabled() else list(reversed(dependants))
        now = datetime.now(UTC).replace(tzinfo=None)
        # a plugin disabled only through its dependencies is stored as disabled too
        stored = names if enabled or name in names else [*names, name]
        for n in stored:
            row = db.session.get(PluginState, n) or PluginState(name=n)
            row.enabled, row.changed_at, row.changed_by_id = enabled, now, user_id
            db.session.add(row)
        bump_settings_version()
        db.session.commit()
        self.forget_cache()
        event = "on_plugin_enabled" if enabled else "on_plugin_disabled"
        self.last_event_errors = []
        for n in names:
            try:
                # the enabled plugins, plus the one being disabled: it hears about it too
                self.hook.call_with(event, self.enabled() | {n}, name=n)
            except HookError as exc:
                # reported next to the change (Modules page, CLI); the change stays
                db.session.rollback()
                log.warning("%s", exc)
                self.last_event_errors.append(str(exc))
        return names

    def state_rows(self) -> list[dict[str, Any]]:
        enabled = self.enabled()
        rows = []
        for name in self.order():
            p = self.plugins[name]
            rows.append({
                "name": name, "manifest": p.manifest, "source": p.source, "enabled": name in enabled,
                "depends": list(p.manifest.depends), "dependants": self.dependants_of(name),
                "has_options": bool(p.options),
            })
        return rows

    def blame(self, hook_name: str, exc: BaseException) -> str:
        """Which plugin's implementation raised ``exc``: the innermost of their functions
        on the traceback (a wrapper around it is further out)."""
        codes = {impl.function.__code__: impl.plugin_name for impl in getattr(self.pm.hook, hook_name).get_hookimpls()}
        found = "unknown"
        for frame, _ in traceback.walk_tb(exc.__traceback__):
            found = codes.get(frame.f_code, found)
        return found


def _spec_names(module: Any) -> list[str]:
    """Names of the functions in ``module`` marked with :data:`core.hookspecs.hookspec`."""
    marker = f"{hookspecs.PROJECT}_spec"
    return [n for n in dir(module) if callable(getattr(module, n, None)) and hasattr(getattr(module, n), marker)]


class _HookProxy:
    """``host.hook.on_receipt(receipt=r)`` calls the enabled plugins' implementations.

    One pluggy caller per enabled set (``PluginHost.caller``); an exception becomes a
    :class:`HookError` naming the plugin whose implementation raised it.
    """

    def __init__(self, host: PluginHost):
        self._host = host

    def call_with(self, hook_name: str, plugins: Iterable[str], **kwargs) -> Any:
        host = self._host
        caller = host.caller(hook_name, plugins)
        try:
            return caller(**kwargs)
        except HookError:
            raise
        except Exception as exc:
            failure = _hook_failure(host.blame(hook_name, exc), hook_name, exc)
            if failure is exc:
                raise
            raise failure from exc

    def __getattr__(self, hook_name: str) -> Callable[..., Any]:
        if self._host.hook_spec(hook_name) is None:
            raise AttributeError(f"no hook called {hook_name!r}")
        return lambda **kwargs: self.call_with(hook_name, self._host.enabled(), **kwargs)


def _hook_failure(plugin: str, hook_name: str, exc: Exception) -> Exception:
    """What a caller of a hook sees when ``plugin``'s implementation raised ``exc``.

    A :class:`ValidationError` naming at least one form field passes through, so the form
    shows its messages beside those fields (the save still rolls back): the field
    messages stay the plugin's own words, a message of it naming no field is prefixed
    with the plugin (``Plugin 'name': …``), and ``exc.plugin``/``exc.hook`` say who raised
    it. Anything else becomes a :class:`HookError` naming the plugin.
    """
    if isinstance(exc, ValidationError) and any(name for name, _message in exc.errors):
        exc.errors = [(name, message if name else f"Plugin '{plugin}': {message}") for name, message in exc.errors]
        exc.plugin, exc.hook = plugin, hook_name  # type: ignore[attr-defined]
        log.info("plugin %s refused in %s: %s", plugin, hook_name, exc)
        return exc
    return HookError(plugin, hook_name, exc)


def host_of(app: Flask) -> PluginHost:
    return app.extensions["orderbridge"]


def allow_list_from_env() -> set[str] | None:
    raw = os.environ.get("ORDERBRIDGE_LOAD_PLUGINS")
    if raw is None:
        return None
    return {n.strip() for n in raw.split(",") if n.strip()}
