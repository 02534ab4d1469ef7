"""Implements a hook nobody declared (a typo)."""

from core.hookspecs import hookimpl
from core.plugins import Manifest

manifest = Manifest(name="unknown_hook", title="Unknown hook", version="1.0")


@hookimpl
def on_partner_saveed(partner):
    pass
