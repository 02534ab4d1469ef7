"""The plugin host: a thin facade over pluggy kept in ``app.extensions["orderbridge"]``.

Register statically, gate dynamically: every installed plugin's hooks, blueprints,
options and commands are registered in ``create_app``; hook calls leave out disabled
plugins (pluggy's ``subset_hook_caller``) and a disabled plugin's pages answer 404.
The enabled set lives in the database (``core_plugin_state``) and is cached per
process against a version counter, so a change made by one worker is honoured by
every other on its next request.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import click
import pluggy
import sqlalchemy as sa
from flask import Flask, g, has_request_context
from markupsafe import Markup

from . import hookspecs
from .db import db
from .errors import HookError

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "orderbridge.plugins"

# Built-in plugins go through the same loader as third-party ones; they are named
# here by module path so that core imports no plugin.
BUILTIN_PLUGINS: dict[str, str] = {
    "sales_order": "plugins.sales_order.plugin",
    "purchase_order": "plugins.purchase_order.plugin",
    "po_generation": "plugins.po_generation.plugin",
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


@dataclass(frozen=True)
class MenuItem:
    label: str
    endpoint: str
    section: str = "main"  # "main" or "admin"
    roles: tuple[str, ...] = ()  # empty: any signed-in user
    order: int = 100


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


class PluginHost:
    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, LoadedPlugin] = {}
        self.failed: dict[str, str] = {}
        self.blueprint_owner: dict[str, str] = {}
        self._cache: tuple[int, frozenset[str]] | None = None
        self._subset_cache: dict[tuple[str, frozenset[str]], Any] = {}
        self.last_event_errors: list[str] = []  # on_plugin_enabled/disabled failures of the last change
        self.hook = _HookProxy(self)

    # -- loading -----------------------------------------------------------------

    def load(self, core_module: ModuleType, allow: set[str] | None = None) -> None:
        self._add("core", lambda: core_module, "core")
        for name, path in BUILTIN_PLUGINS.items():
            if allow is None or name in allow:
                self._add(name, lambda path=path: importlib.import_module(path), "builtin")
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in self.plugins or ep.name in self.failed:
                continue
            if allow is None or ep.name in allow:
                self._add(ep.name, lambda ep=ep: self._load_entry_point(ep), ep.dist.name if ep.dist else "?")
        self._resolve_dependencies()

    def _load_entry_point(self, ep: importlib.metadata.EntryPoint) -> Any:
        # pluggy's own entry-point loading, one entry point at a time so that one
        # broken package cannot stop the others.
        self.pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=ep.name)
        module = self.pm.get_plugin(ep.name)
        if module is None:
            raise RuntimeError("entry point did not register")
        self.pm.unregister(module)  # re-registered, validated, by _add
        return module

    def _add(self, name: str, loader: Callable[[], Any], source: str) -> None:
        try:
            module = loader()
            manifest = getattr(module, "manifest", None)
            if not isinstance(manifest, Manifest):
                raise TypeError("has no `manifest = Manifest(...)`")
            if manifest.name != name:
                raise ValueError(f"manifest name '{manifest.name}' differs from entry point name '{name}'")
            self.pm.register(module, name=name)
            unknown = [c.name for c in self.pm.get_hookcallers(module) or [] if c.spec is None]
            if unknown:
                self.pm.unregister(module)
                raise TypeError(f"implements unknown hook(s): {', '.join(unknown)}")
        except Exception as exc:  # a broken plugin must not stop the site
            # pluggy's register() leaves the implementations it added before a failing
            # signature check in place: take every trace of the plugin out again.
            if self.pm.has_plugin(name):
                self.pm.unregister(name=name)
            self.failed[name] = f"{type(exc).__name__}: {exc}"
            log.warning("plugin %s failed to load: %s", name, self.failed[name])
            return
        self.plugins[name] = LoadedPlugin(manifest, module, source)

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

    def call_each(self, hook_name: str, *, enabled_only: bool = False, **kwargs) -> list[tuple[str, Any]]:
        """Call one hook plugin by plugin, returning (plugin name, result) in load order.

        Used for contributions (blueprints, options, migrations) whose owner matters.
        """
        results = []
        enabled = self.enabled() if enabled_only else None
        impls = {i.plugin_name: i for i in getattr(self.pm.hook, hook_name).get_hookimpls()}
        for name in self.order():
            impl = impls.get(name)
            if impl is None or (enabled is not None and name not in enabled):
                continue
            argnames = impl.argnames
            try:
                results.append((name, impl.function(**{k: kwargs[k] for k in argnames})))
            except Exception as exc:
                raise HookError(name, hook_name, exc) from exc
        return results

    def call_one(self, hook_name: str, plugin_name: str, **kwargs) -> list[tuple[str, Any]]:
        """Call one plugin's implementation of ``hook_name`` (if any); failures name it."""
        impl = _impl(self.pm, hook_name, plugin_name)
        if impl is None:
            return []
        try:
            return [(plugin_name, impl.function(**{k: kwargs[k] for k in impl.argnames}))]
        except Exception as exc:
            raise HookError(plugin_name, hook_name, exc) from exc

    def collect_contributions(self, app: Flask) -> None:
        """Blueprints, options and commands of every loaded plugin, once, at start-up."""
        from .options import OptionRegistry

        registry: OptionRegistry = app.extensions["orderbridge_options"]
        for name in self.order():
            plugin = self.plugins.get(name)
            if plugin is None:
                continue
            try:
                for hook_name in ("register_blueprints", "setup_options"):
                    impl = _impl(self.pm, hook_name, name)
                    result = impl.function() if impl else None
                    if hook_name == "register_blueprints":
                        plugin.blueprints = list(result or [])
                    else:
                        plugin.options = list(result or [])
                registry.declare(name, plugin.options)
            except Exception as exc:
                self._fail(name, f"{type(exc).__name__} while registering: {exc}")
                registry.forget(name)
                continue
            for bp in plugin.blueprints:
                app.register_blueprint(bp)
                self.blueprint_owner[bp.name] = name
        self._resolve_dependencies()

    def register_commands(self, cli: click.Group) -> None:
        for name in self.order():
            impl = _impl(self.pm, "register_commands", name)
            if impl is None:
                continue
            try:
                impl.function(cli=cli)
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
        for n in names:
            row = db.session.get(PluginState, n) or PluginState(name=n)
            row.enabled, row.changed_at, row.changed_by_id = enabled, now, user_id
            db.session.add(row)
        if not enabled and name not in names:
            row = db.session.get(PluginState, name) or PluginState(name=name)
            row.enabled, row.changed_at, row.changed_by_id = False, now, user_id
            db.session.add(row)
        bump_settings_version()
        db.session.commit()
        self.forget_cache()
        event = "on_plugin_enabled" if enabled else "on_plugin_disabled"
        self.last_event_errors = []
        for n in names:
            try:
                if enabled:
                    self.hook.on_plugin_enabled(name=n)
                else:
                    # the plugin being disabled hears about it too
                    _call_for(self, event, n, name=n)
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

    # -- hook calls with the plugin named on failure -----------------------------

    def _subset(self, hook_name: str) -> Any:
        disabled = frozenset(n for n in self.plugins if n not in self.enabled())
        key = (hook_name, disabled)
        caller = self._subset_cache.get(key)
        if caller is None:
            remove = [self.plugins[n].module for n in disabled]
            caller = self.pm.subset_hook_caller(hook_name, remove_plugins=remove) if remove else getattr(
                self.pm.hook, hook_name
            )
            self._subset_cache[key] = caller
        return caller

    def blame(self, hook_name: str, exc: BaseException) -> str:
        """Which plugin's implementation raised ``exc``: its function is on the traceback."""
        codes = {}
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            codes[impl.function.__code__] = impl.plugin_name
        for frame, _ in traceback.walk_tb(exc.__traceback__):
            if frame.f_code in codes:
                return codes[frame.f_code]
        return "unknown"


def _impl(pm: pluggy.PluginManager, hook_name: str, plugin_name: str):
    for impl in getattr(pm.hook, hook_name).get_hookimpls():
        if impl.plugin_name == plugin_name:
            return impl
    return None


def _call_for(host: PluginHost, hook_name: str, plugin_name: str, **kwargs) -> list[Any]:
    """Call ``hook_name`` on the enabled plugins plus ``plugin_name`` (used for its own disable event)."""
    results = []
    keep = set(host.enabled()) | {plugin_name}
    for impl in reversed(getattr(host.pm.hook, hook_name).get_hookimpls()):
        if impl.plugin_name in keep:
            try:
                results.append(impl.function(**{k: kwargs[k] for k in impl.argnames}))
            except Exception as exc:
                raise HookError(impl.plugin_name, hook_name, exc) from exc
    return results


class _HookProxy:
    """``host.hook.on_receipt(receipt=r)`` calls the enabled plugins' implementations."""

    def __init__(self, host: PluginHost):
        self._host = host

    def __getattr__(self, hook_name: str) -> Callable[..., list[Any]]:
        host = self._host
        if not hasattr(host.pm.hook, hook_name):
            raise AttributeError(f"no hook called {hook_name!r}")

        def call(**kwargs):
            try:
                return host._subset(hook_name)(**kwargs)
            except HookError:
                raise
            except Exception as exc:
                raise HookError(host.blame(hook_name, exc), hook_name, exc) from exc

        return call


def host_of(app: Flask) -> PluginHost:
    return app.extensions["orderbridge"]


def allow_list_from_env() -> set[str] | None:
    raw = os.environ.get("ORDERBRIDGE_LOAD_PLUGINS")
    if raw is None:
        return None
    return {n.strip() for n in raw.split(",") if n.strip()}
