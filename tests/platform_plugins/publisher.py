"""A plugin that publishes hooks of its own (``publisher_hookspecs``) and implements them too."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import Manifest

from . import publisher_hookspecs as hookspecs  # noqa: F401  (published: the host adds it)

manifest = Manifest(name="publisher", title="Publisher probe", version="1.0")

CALLS: list[str] = []


@hookimpl
def probe_collect(word):
    return f"publisher:{word}"


@hookimpl(trylast=True)  # a fallback: runs after every other implementation
def probe_pick(choices):
    CALLS.append("publisher.probe_pick")
    return "default"
