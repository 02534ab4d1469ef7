"""Setup options declared once, as data, by each plugin.

From one list of :class:`Option` the host builds the tabbed options page, validates
input on the server, offers a typed read API (:func:`options_for`), audits every
change and exports/imports all options as one JSON document.

An option that is *not available* (its ``available_if`` condition fails) keeps its
stored value but is ignored: the read API answers its default and the page shows it
disabled.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_request_context

from .db import db
from .models import OptionAudit, OptionValue, SettingsVersion, bump_settings_version

TYPES = ("bool", "int", "decimal", "choice", "date", "text", "ref", "sequence")
EXPORT_FORMAT = "orderbridge-options/1"


@dataclass(frozen=True)
class Option:
    """One setup option. ``help`` carries the seed's own wording."""

    key: str
    type: str
    default: Any
    label: str
    tab: str = "Main"
    help: str = ""
    min: Any = None
    max: Any = None
    choices: tuple[tuple[str, str], ...] = ()
    ref: str | None = None  # "warehouse" | "partner" | "item": stored as the record's code
    available_if: Mapping[str, Any] | None = None  # {key: value} or {key: (values, ...)}
    places: int = 2  # decimals for type "decimal"
    # width/min_value/max_value; ``alphanumeric=1``: the value is a code such as 00001 or A0005
    sequence: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"option {self.key}: unknown type {self.type!r}")
        if self.type == "choice" and self.default not in dict(self.choices):
            raise ValueError(f"option {self.key}: default {self.default!r} is not a choice")
        if self.type == "ref" and self.ref not in ("warehouse", "partner", "item"):
            raise ValueError(f"option {self.key}: ref must be 'warehouse', 'partner' or 'item'")
        if self.is_code:
            from .numbering import parse_code

            parse_code(self.default)  # raises on a default that is not a code
        elif self.type in ("int", "decimal", "sequence") and self.default is not None:
            low, high = self.bounds
            if (low is not None and self.default < low) or (high is not None and self.default > high):
                raise ValueError(f"option {self.key}: default {self.default} is outside its range")

    @property
    def is_code(self) -> bool:
        """An alphanumeric counter: letters and digits whose trailing digits count up."""
        return self.type == "sequence" and bool(self.sequence.get("alphanumeric"))

    @property
    def bounds(self) -> tuple[Any, Any]:
        """(min, max); a sequence's own min_value/max_value narrow them."""
        low, high = self.min, self.max
        if self.type == "sequence":
            if self.sequence.get("min_value") is not None:
                low = max(low, self.sequence["min_value"]) if low is not None else self.sequence["min_value"]
            if self.sequence.get("max_value") is not None:
                high = min(high, self.sequence["max_value"]) if high is not None else self.sequence["max_value"]
        return low, high

    def condition_text(self, declared: Mapping[str, Option]) -> str:
        """The seed's "available only if …" sentence, in the options' own labels."""
        if not self.available_if:
            return ""
        parts = []
        for key, want in self.available_if.items():
            controller = declared.get(key)
            values = want if isinstance(want, tuple) else (want,)
            names = dict(controller.choices) if controller else {}
            shown = " or ".join(f"“{names[v]}”" if v in names else _show(v) for v in values)
            parts.append(f"{controller.label if controller else key} is {shown}")
        return "Available only if " + " and ".join(parts)


class OptionTab:
    """Constructors for the options of one tab, so a declaration says only what is its own.

    ``general = OptionTab("General")`` then ``general.flag(key, label, help)`` is
    ``Option(key, "bool", False, label, tab="General", help=help)``; any other
    :class:`Option` field can still be given by keyword.
    """

    def __init__(self, name: str):
        self.name = name

    def option(self, key: str, type: str, default: Any, label: str, help: str = "", **more: Any) -> Option:
        return Option(key, type, default, label, tab=self.name, help=help, **more)

    def flag(self, key: str, label: str, help: str = "", **more: Any) -> Option:
        """A yes/no option, cleared unless ``default=True`` is given."""
        return self.option(key, "bool", more.pop("default", False), label, help, **more)

    def choice(self, key: str, default: str, label: str, choices: tuple[tuple[str, str], ...], help: str = "",
               **more: Any) -> Option:
        return self.option(key, "choice", default, label, help, choices=choices, **more)

    def number(self, key: str, default: Any, label: str, bounds: tuple[Any, Any], help: str = "",
               **more: Any) -> Option:
        """An int option, or a decimal one when the default is a :class:`Decimal`; ``bounds`` is (min, max)."""
        kind = "decimal" if isinstance(default, Decimal) else "int"
        return self.option(key, kind, default, label, help, min=bounds[0], max=bounds[1], **more)

    def text(self, key: str, default: str, label: str, help: str = "", **more: Any) -> Option:
        return self.option(key, "text", default, label, help, **more)


def _show(value: Any) -> str:
    if value is True:
        return "selected"
    if value is False:
        return "cleared"
    return str(value)


class OptionError(ValueError):
    def __init__(self, key: str, message: str):
        self.key, self.message = key, message
        super().__init__(f"{key}: {message}")


# -- typed values ------------------------------------------------------------------


def coerce(option: Option, raw: Any) -> Any:
    """Turn a submitted or imported value into the option's type, checking its range."""
    t = option.type
    try:
        if t == "bool":
            if isinstance(raw, bool):
                value: Any = raw
            elif str(raw).lower() in ("y", "yes", "true", "on", "1"):
                value = True
            elif str(raw).lower() in ("n", "no", "false", "off", "0", ""):
                value = False
            else:
                raise OptionError(option.key, "must be yes or no")
        elif option.is_code:
            value = _code(option, raw)
        elif t in ("int", "sequence"):
            if isinstance(raw, bool) or raw is None or str(raw).strip() == "":
                raise OptionError(option.key, "a whole number is required")
            if isinstance(raw, float) and not raw.is_integer():
                raise OptionError(option.key, "must be a whole number")
            value = int(str(raw).strip()) if not isinstance(raw, int | float) else int(raw)
        elif t == "decimal":
            if raw is None or str(raw).strip() == "" or isinstance(raw, bool):
                raise OptionError(option.key, "a number is required")
            value = Decimal(str(raw).strip())
            if not value.is_finite():
                raise OptionError(option.key, "must be a number")
            if -value.as_tuple().exponent > option.places:  # type: ignore[operator]
                raise OptionError(option.key, f"at most {option.places} decimal places")
        elif t == "choice":
            value = str(raw)
            if value not in dict(option.choices):
                allowed = ", ".join(label for _, label in option.choices)
                raise OptionError(option.key, f"must be one of: {allowed}")
        elif t == "date":
            if raw in (None, ""):
                value = None
            else:
                value = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        elif t in ("text", "ref"):
            value = "" if raw is None else str(raw).strip()
            if t == "ref" and value and not ref_exists(option.ref or "", value):
                raise OptionError(option.key, f"no {option.ref} with code {value!r}")
        else:  # pragma: no cover - guarded by __post_init__
            raise OptionError(option.key, "unknown type")
    except OptionError:
        raise
    except (ValueError, TypeError, InvalidOperation):
        kind = {"int": "a whole number", "sequence": "a whole number", "decimal": "a number",
                "date": "a date (YYYY-MM-DD)"}.get(t, "a valid value")
        raise OptionError(option.key, f"must be {kind}") from None
    if t in ("int", "decimal", "sequence") and not option.is_code:
        low, high = option.bounds
        if low is not None and value < low:
            raise OptionError(option.key, f"must be at least {low}" + _range(option))
        if high is not None and value > high:
            raise OptionError(option.key, f"must be at most {high}" + _range(option))
    return value


def _code(option: Option, raw: Any) -> str:
    from .numbering import parse_code

    try:
        prefix, value, width = parse_code(str(raw or ""))
    except ValueError as exc:
        raise OptionError(option.key, str(exc)) from None
    return f"{prefix}{str(value).zfill(width)}"


def _range(option: Option) -> str:
    low, high = option.bounds
    if low is not None and high is not None:
        return f" (allowed: {low} to {high})"
    return ""


# (to JSON, from JSON) for the types JSON has no value for; the others are stored as they are
_JSON_FORMS: dict[str, tuple[Any, Any]] = {"decimal": (str, Decimal), "date": (date.isoformat, date.fromisoformat)}


def to_json(option: Option, value: Any) -> Any:
    return _json_form(option, value, 0)


def from_json(option: Option, value: Any) -> Any:
    return _json_form(option, value, 1)


def _json_form(option: Option, value: Any, way: int) -> Any:
    forms = _JSON_FORMS.get(option.type)
    return value if value is None or forms is None else forms[way](value)


def ref_models() -> dict[str, tuple[Any, Any]]:
    from .models import Item, Partner, Warehouse

    return {"warehouse": (Warehouse, Warehouse.code), "partner": (Partner, Partner.number), "item": (Item, Item.code)}


def ref_exists(ref: str, code: str) -> bool:
    model, column = ref_models()[ref]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(column == code)) > 0


def ref_choices(ref: str) -> list[tuple[str, str]]:
    model, column = ref_models()[ref]
    return [("", "— none —")] + [(str(getattr(r, column.key)), str(r)) for r in db.session.scalars(
        sa.select(model).order_by(column))]


# -- the registry and the typed read API ----------------------------------------------


class OptionRegistry:
    def __init__(self) -> None:
        self.declared: dict[str, dict[str, Option]] = {}
        self._values: tuple[int, dict[str, dict[str, Any]]] | None = None

    def declare(self, plugin: str, options: list[Option]) -> None:
        by_key: dict[str, Option] = {}
        for opt in options:
            if not isinstance(opt, Option):
                raise TypeError(f"setup_options must return Option objects, got {type(opt).__name__}")
            if opt.key in by_key:
                raise ValueError(f"option key {opt.key!r} declared twice")
            by_key[opt.key] = opt
        for opt in options:
            for dep in (opt.available_if or {}):
                if dep not in by_key:
                    raise ValueError(f"option {opt.key!r} is available_if unknown option {dep!r}")

        def check_cycle(key: str, path: tuple[str, ...]) -> None:
            if key in path:
                raise ValueError("available_if cycle: " + " -> ".join([*path, key]))
            for dep in (by_key[key].available_if or {}):
                check_cycle(dep, (*path, key))

        for key in by_key:
            check_cycle(key, ())
        if by_key:
            self.declared[plugin] = by_key

    def forget(self, plugin: str) -> None:
        self.declared.pop(plugin, None)

    def tabs(self, plugin: str) -> list[tuple[str, list[Option]]]:
        tabs: dict[str, list[Option]] = {}
        for opt in self.declared.get(plugin, {}).values():
            tabs.setdefault(opt.tab, []).append(opt)
        return list(tabs.items())

    def stored(self) -> dict[str, dict[str, Any]]:
        """All stored values, typed; cached per process against the settings version."""
        if has_request_context() and "_ob_options" in g:
            return g._ob_options
        version = db.session.scalar(sa.select(SettingsVersion.version).where(SettingsVersion.id == 1)) or 0
        if self._values is None or self._values[0] != version:
            values: dict[str, dict[str, Any]] = {}
            for row in db.session.scalars(sa.select(OptionValue)):
                opt = self.declared.get(row.plugin, {}).get(row.key)
                if opt is not None:
                    values.setdefault(row.plugin, {})[row.key] = from_json(opt, json.loads(row.value))
            self._values = (version, values)
        if has_request_context():
            g._ob_options = self._values[1]
        return self._values[1]

    def forget_cache(self) -> None:
        self._values = None
        if has_request_context():
            g.pop("_ob_options", None)
        forget_sequences()

    def current(self, plugin: str) -> dict[str, Any]:
        """Stored-or-default values for every option of ``plugin`` (availability ignored).

        Sequence options (the next document numbers) live in their counters: all counters
        are read in one query, once per request (:func:`sequence_values`).
        """
        stored = self.stored().get(plugin, {})
        declared = self.declared.get(plugin, {})
        counters = sequence_values() if any(o.type == "sequence" for o in declared.values()) else {}
        values = {}
        for key, opt in declared.items():
            if opt.is_code:
                values[key] = _code_value(opt.sequence.get("name", key), opt.default)
            elif opt.type == "sequence":
                live = counters.get(opt.sequence.get("name", key))
                high = opt.bounds[1]
                # a used-up counter sits one past its maximum: read it as its last number, so the
                # setup page stays valid and saves (drawing from it is still refused)
                values[key] = opt.default if live is None else live if high is None else min(live, high)
            else:
                values[key] = stored.get(key, opt.default)
        return values


def sequence_values() -> dict[str, int]:
    """Every counter's next value: one query, kept for the rest of the request.

    :mod:`core.numbering` keeps the copy right when it draws a number (it knows the new
    value) and drops it when it sets one.
    """
    if has_request_context() and "_ob_sequences" in g:
        return g._ob_sequences
    from .models import Sequence

    values = dict(db.session.execute(sa.select(Sequence.name, Sequence.next_value)).all())
    if has_request_context():
        g._ob_sequences = values
    return values


def sequence_codes() -> dict[str, tuple[int, int, str, int]]:
    """(next value, width, prefix, maximum) of every counter, for alphanumeric options: one
    query, kept for the rest of the request like :func:`sequence_values`."""
    if has_request_context() and "_ob_codes" in g:
        return g._ob_codes
    from .models import Sequence

    values = {r.name: (r.next_value, r.width, r.prefix, r.max_value) for r in db.session.execute(
        sa.select(Sequence.name, Sequence.next_value, Sequence.width, Sequence.prefix, Sequence.max_value))}
    if has_request_context():
        g._ob_codes = values
    return values


def _code_value(name: str, default: str) -> str:
    """An alphanumeric counter's next code as typed on the options page; a used-up counter
    (past its last code) reads as its last code, as numeric ones do."""
    row = sequence_codes().get(name)
    if row is None:
        return default
    next_value, width, prefix, high = row
    return f"{prefix}{str(min(next_value, high)).zfill(width)}"


def sequence_drawn(name: str, next_value: int) -> None:
    """A number of ``name`` was drawn: its counter now stands at ``next_value``."""
    if has_request_context() and "_ob_sequences" in g:
        g._ob_sequences[name] = next_value
    if has_request_context() and "_ob_codes" in g:
        if name in g._ob_codes:
            g._ob_codes[name] = (next_value, *g._ob_codes[name][1:])
        else:  # a counter created just now: read them all again when next asked
            g.pop("_ob_codes")


def forget_sequences() -> None:
    if has_request_context():
        g.pop("_ob_sequences", None)
        g.pop("_ob_codes", None)


@sa.event.listens_for(sa.orm.Session, "after_soft_rollback")
def _rolled_back(_session: sa.orm.Session, _previous) -> None:
    forget_sequences()  # numbers drawn in the rolled-back transaction went back to their counters


def is_available(option: Option, values: Mapping[str, Any], declared: Mapping[str, Option]) -> bool:
    for key, want in (option.available_if or {}).items():
        controller = declared[key]
        if not is_available(controller, values, declared):
            current = controller.default
        else:
            current = values.get(key, controller.default)
        wanted = want if isinstance(want, tuple) else (want,)
        if current not in wanted:
            return False
    return True


class Options(Mapping[str, Any]):
    """Typed, read-only view of one plugin's options: ``opts["receipt_variance_pct"]``.

    An unavailable option reads as its default (it is ignored, not lost).
    """

    def __init__(self, plugin: str, declared: dict[str, Option], values: dict[str, Any]):
        self.plugin, self._declared, self._values = plugin, declared, values

    def __getitem__(self, key: str) -> Any:
        opt = self._declared[key]
        if not is_available(opt, self._values, self._declared):
            return opt.default
        return self._values[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._declared)

    def __len__(self) -> int:
        return len(self._declared)


def registry() -> OptionRegistry:
    return current_app.extensions["orderbridge_options"]


def options_for(plugin: str) -> Options:
    reg = registry()
    return Options(plugin, reg.declared.get(plugin, {}), reg.current(plugin))


class PluginOptions:
    """One plugin's options, bound once in its package (Indico binds ``settings`` the same way).

    ``options = PluginOptions("purchase_order")`` in the plugin's ``__init__``; code then
    reads ``options.current()`` (a typed :class:`Options`) or ``options.receipt_variance_pct``.
    Stored values are cached per request and per settings version by the registry.
    """

    def __init__(self, plugin: str):
        self.plugin = plugin

    def current(self) -> Options:
        return options_for(self.plugin)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        return getattr(self.current(), key)

    def __getitem__(self, key: str) -> Any:
        return self.current()[key]


# -- changing options ------------------------------------------------------------------


def apply_changes(plugin: str, new_values: Mapping[str, Any], *, user_id: int | None, source: str,
                  only_available: bool = True) -> dict:
    """Store validated values, audit them, fire ``on_options_changed``.

    From the page only available options change (an unavailable one keeps its value);
    an import (``only_available=False``) restores every value it carries.
    Runs in the caller's transaction and does not commit. Returns {key: (old, new)}.
    """
    from .numbering import set_next_value
    from .plugins import host_of

    reg = registry()
    declared = reg.declared[plugin]
    current = reg.current(plugin)
    merged = {**current, **{k: v for k, v in new_values.items() if k in declared}}
    changes: dict[str, tuple[Any, Any]] = {}
    for key, opt in declared.items():
        if key not in new_values or (only_available and not is_available(opt, merged, declared)):
            continue
        old, new = current.get(key), new_values[key]
        if old == new:
            continue
        changes[key] = (old, new)
        if opt.is_code:
            from .numbering import set_next_code

            set_next_code(opt.sequence.get("name", key), str(new))
        elif opt.type == "sequence":
            seq = dict(opt.sequence)
            set_next_value(seq.pop("name", key), int(new), **seq)
        else:
            row = db.session.get(OptionValue, (plugin, key)) or OptionValue(plugin=plugin, key=key)
            row.value = json.dumps(to_json(opt, new))
            db.session.add(row)
        db.session.add(OptionAudit(plugin=plugin, key=key, old_value=json.dumps(to_json(opt, old)),
                                   new_value=json.dumps(to_json(opt, new)), user_id=user_id, source=source))
    if changes:
        bump_settings_version()
        db.session.flush()
        reg.forget_cache()
        host_of(current_app).hook.on_options_changed(plugin=plugin, changes=changes)
    return changes


def export_all() -> dict:
    reg = registry()
    return {
        "format": EXPORT_FORMAT,
        "plugins": {
            plugin: {key: to_json(opt, value) for key, value in reg.current(plugin).items()
                     for opt in [reg.declared[plugin][key]]}
            for plugin in sorted(reg.declared)
        },
    }


MAX_DEPTH = 20


class DocumentError(ValueError):
    """The uploaded options file cannot be read; ``str()`` is the message for the page."""


def load_document(raw: bytes) -> Any:
    """Parse an uploaded options export; refuses bad JSON and nesting deeper than an export has.

    ``json.loads`` recurses once per nesting level, so ``[[[[...]]]]`` 100,000 deep would
    raise ``RecursionError``: the depth is checked on the text first, and the error caught
    as a second line.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError("the file is not UTF-8 text") from None
    depth = deepest = 0
    in_string = escaped = False
    for char in text:  # brackets outside strings only
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string, escaped = True, False
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                raise DocumentError(f"the file nests deeper than {MAX_DEPTH} levels; "
                                    "it is not an OrderBridge options export")
        elif char in "]}":
            depth -= 1
    try:
        return json.loads(text)
    except RecursionError:
        raise DocumentError("the file nests too deeply; it is not an OrderBridge options export") from None
    except ValueError as exc:
        raise DocumentError(f"not valid JSON: {exc}") from None


def validate_import(document: Any) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Check a whole export document; returns (typed values per plugin, errors)."""
    reg = registry()
    errors: list[str] = []
    typed: dict[str, dict[str, Any]] = {}
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        return {}, [f"not an OrderBridge options export (expected format {EXPORT_FORMAT!r})"]
    plugins = document.get("plugins")
    if not isinstance(plugins, dict):
        return {}, ["'plugins' must be an object"]
    for plugin, values in plugins.items():
        if plugin not in reg.declared:
            errors.append(f"{plugin}: no such plugin with options")
            continue
        if not isinstance(values, dict):
            errors.append(f"{plugin}: must be an object of option values")
            continue
        for key, raw in values.items():
            opt = reg.declared[plugin].get(key)
            if opt is None:
                errors.append(f"{plugin}.{key}: no such option")
                continue
            try:
                typed.setdefault(plugin, {})[key] = coerce(opt, raw)
            except OptionError as exc:
                errors.append(f"{plugin}.{key}: {exc.message}")
    return typed, errors


def import_all(document: Any, *, user_id: int | None, source: str = "import") -> tuple[dict, list[str]]:
    """Validate everything first; change nothing when anything is wrong. Commits."""
    typed, errors = validate_import(document)
    if errors:
        return {}, errors
    changed = {}
    try:
        for plugin, values in typed.items():
            changed[plugin] = apply_changes(plugin, values, user_id=user_id, source=source, only_available=False)
        db.session.commit()
    except Exception:
        db.session.rollback()
        registry().forget_cache()
        raise
    return changed, []
