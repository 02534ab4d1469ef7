"""A module without a manifest."""

from core.hookspecs import hookimpl


@hookimpl
def menu_items():
    return []
