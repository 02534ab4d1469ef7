"""Implements a hook with an argument the spec does not have."""

from core.hookspecs import hookimpl
from core.plugins import Manifest, MenuItem

manifest = Manifest(name="bad_signature", title="Bad signature", version="1.0")


@hookimpl
def menu_items():  # registered before pluggy rejects the next one (alphabetical order)
    return [MenuItem("Bad signature page", "core.home")]


@hookimpl
def on_partner_saved(partner, created, colour):
    pass
