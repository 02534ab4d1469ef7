"""The hooks the ``publisher`` probe publishes, as a third-party plugin would."""

from __future__ import annotations

from core.hookspecs import hookspec


@hookspec
def probe_collect(word: str) -> list[str]:
    """Every enabled implementation adds its word.

    Example::

        @hookimpl
        def probe_collect(word):
            return f"mine:{word}"
    """


@hookspec(firstresult=True)
def probe_pick(choices: list[str]) -> str | None:
    """The first implementation returning something other than ``None`` decides.

    Example::

        @hookimpl
        def probe_pick(choices):
            return choices[0] if choices else None
    """
