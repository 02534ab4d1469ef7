"""Implements a hook ``publisher`` publishes without depending on ``publisher``."""

from core.hookspecs import hookimpl
from core.plugins import Manifest

manifest = Manifest(name="stranger", title="Stranger probe", version="1.0")


@hookimpl
def probe_collect(word):
    return "stranger"
