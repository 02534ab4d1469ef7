"""Implements the hooks ``publisher`` publishes (it depends on it)."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import Manifest

manifest = Manifest(name="subscriber", title="Subscriber probe", version="1.0", depends=("publisher",))


@hookimpl(tryfirst=True)  # by dependency order it would come last
def probe_collect(word):
    return f"subscriber:{word}"


@hookimpl
def probe_pick(choices):
    return choices[0] if choices else None
