"""The hook reference of docs/plugins.md, generated from the hookspecs of core and of
every built-in plugin that publishes some (its plugin module's ``hookspecs``)."""

from __future__ import annotations

import importlib
import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from . import hookspecs
from .plugins import BUILTIN_PLUGINS

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
BEGIN, END = "<!-- hooks:begin -->", "<!-- hooks:end -->"
MARKER = f"{hookspecs.PROJECT}_spec"


@dataclass(frozen=True)
class HookDoc:
    owner: str  # "core" or the plugin that declares the hook
    module: str  # the hookspecs module's dotted name
    name: str
    args: tuple[tuple[str, str], ...]  # (argument, type as written in the spec)
    returns: str
    doc: str
    firstresult: bool

    @property
    def signature(self) -> str:
        args = ", ".join(f"{a}: {t}" for a, t in self.args)
        return f"{self.name}({args}) -> {self.returns}"


def spec_modules() -> list[tuple[str, ModuleType]]:
    """(owner, hookspecs module): core's first, then each built-in plugin's, by name.

    Built-ins are imported by module path, as the loader does, so core names no plugin.
    """
    out: list[tuple[str, ModuleType]] = [("core", hookspecs)]
    for name, path in BUILTIN_PLUGINS.items():
        specs = getattr(importlib.import_module(path), "hookspecs", None)
        if isinstance(specs, ModuleType) and specs is not hookspecs:
            out.append((name, specs))
    return out


def _annotation(value: object) -> str:
    if value is inspect.Parameter.empty:
        raise TypeError("hookspec arguments and results must carry type annotations")
    return value if isinstance(value, str) else getattr(value, "__name__", repr(value))


def _doc_of(owner: str, module: ModuleType, name: str) -> HookDoc:
    fn = getattr(module, name)
    sig = inspect.signature(fn)
    args = tuple((p.name, _annotation(p.annotation)) for p in sig.parameters.values())
    opts = getattr(fn, MARKER) or {}
    return HookDoc(owner, module.__name__, name, args, _annotation(sig.return_annotation),
                   inspect.getdoc(fn) or "", bool(opts.get("firstresult")))


def hooks() -> list[HookDoc]:
    """Every documented hook, grouped by owner, in declaration order within a module."""
    out = []
    for owner, module in spec_modules():
        names = [n for n, fn in vars(module).items() if callable(fn) and getattr(fn, MARKER, None) is not None]
        names.sort(key=lambda n: getattr(module, n).__code__.co_firstlineno)
        out += [_doc_of(owner, module, n) for n in names]
    return out


def hook_specs() -> list[tuple[str, str, str]]:
    """(name, signature, docstring) of every hook."""
    return [(h.name, h.signature, h.doc) for h in hooks()]


def _markdown(doc: str) -> str:
    """The docstring with its ``Example::`` block turned into a fenced Python block."""
    head, sep, example = doc.partition("Example::")
    if not sep:
        return doc
    return f"{head}Example:\n\n```python\n{textwrap.dedent(example).strip()}\n```"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # a `|` inside a table cell ends it, even in code


def _section(hook: HookDoc) -> list[str]:
    note = " It is a *firstresult* hook: the first non-`None` result wins." if hook.firstresult else ""
    table = ["| argument | type |", "|---|---|"]
    table += [f"| `{a}` | `{_cell(t)}` |" for a, t in hook.args]
    return [f"#### `{hook.signature}`", "", f"Declared in `{hook.module}`.{note}", "",
            *(table + [""] if hook.args else ["No arguments.", ""]), _markdown(hook.doc), ""]


def render_reference() -> str:
    parts = [BEGIN, ""]
    owner = None
    for hook in hooks():
        if hook.owner != owner:
            owner = hook.owner
            title = "Platform hooks (core)" if owner == "core" else f"Hooks of `{owner}`"
            parts += [f"### {title}", ""]
        parts += _section(hook)
    parts.append(END)
    return "\n".join(parts)


def update_doc() -> None:
    text = DOC_PATH.read_text() if DOC_PATH.exists() else f"# Writing plugins\n\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC_PATH.write_text(head + render_reference() + tail)
