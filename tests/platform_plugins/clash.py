"""Publishes a hook under a name core already declares (a class works as a hookspecs container)."""

from core.hookspecs import hookspec
from core.plugins import Manifest

manifest = Manifest(name="clash", title="Clashing probe", version="1.0")


class hookspecs:  # noqa: N801  (the attribute name the host reads)
    @hookspec
    def menu_items(self):
        """Already core's."""
