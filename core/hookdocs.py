"""The hook reference of docs/plugins.md, generated from core/hookspecs.py."""

from __future__ import annotations

import inspect
from pathlib import Path

from . import hookspecs

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
BEGIN, END = "<!-- hooks:begin -->", "<!-- hooks:end -->"


def hook_specs() -> list[tuple[str, str, str]]:
    """(name, signature, docstring) of every hook, in declaration order."""
    out = []
    for name, fn in vars(hookspecs).items():
        if callable(fn) and getattr(fn, "orderbridge_spec", None) is not None:
            out.append((name, f"{name}{inspect.signature(fn)}", inspect.getdoc(fn) or ""))
    out.sort(key=lambda t: getattr(hookspecs, t[0]).__code__.co_firstlineno)
    return out


def render_reference() -> str:
    parts = [BEGIN, ""]
    for _name, sig, doc in hook_specs():
        parts += [f"### `{sig}`", "", doc, ""]
    parts.append(END)
    return "\n".join(parts)


def update_doc() -> None:
    text = DOC_PATH.read_text() if DOC_PATH.exists() else f"# Writing plugins\n\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC_PATH.write_text(head + render_reference() + tail)
