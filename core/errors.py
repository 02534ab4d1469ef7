"""The domain errors every layer shares.

Services raise :class:`ValidationError` when a rule refuses the input; the request
lifecycle (:mod:`core.lifecycle`) rolls the request back and puts each message beside
its field, or at the top of the page when it names no field. The API, the CLI and
hooks see the same exception and the same words.

A plugin whose hook raised is reported as :class:`HookError`, itself a
``ValidationError`` with no field, so it reaches the user in one wording everywhere:
``Plugin 'name' failed in hook_name: what it said``. The one exception: a
``ValidationError`` a plugin raises naming a form field passes through unwrapped, so its
message stands beside that field (:func:`core.plugins._hook_failure`).
"""

from __future__ import annotations

from collections.abc import Iterable


class ValidationError(Exception):
    """A rule refused the input. ``field`` names the form field (``None``: the whole form).

    Several messages can travel together: ``ValidationError.many([(field, message), ...])``.
    Nested line fields use the form's own names, e.g. ``lines-0-qty_ordered``.
    """

    def __init__(self, field: str | None, message: str):
        self.errors: list[tuple[str | None, str]] = [(field, message)]
        super().__init__(message)

    @property
    def field(self) -> str | None:
        return self.errors[0][0]

    @property
    def message(self) -> str:
        return self.errors[0][1]

    @classmethod
    def many(cls, errors: Iterable[tuple[str | None, str]]) -> ValidationError:
        errors = list(errors)
        if not errors:
            raise ValueError("ValidationError.many needs at least one error")
        exc = cls(*errors[0])
        exc.errors = errors
        return exc

    def __str__(self) -> str:
        return "; ".join(message for _field, message in self.errors)


class HookError(ValidationError):
    """An implementation of ``hook`` in ``plugin`` raised ``original``."""

    def __init__(self, plugin: str, hook: str, original: BaseException):
        self.plugin, self.hook, self.original = plugin, hook, original
        super().__init__(None, describe_failure(plugin, hook, original))


def describe_failure(plugin: str, hook: str, original: BaseException) -> str:
    """The one wording for a plugin that failed: used by pages, the CLI and the API."""
    text = str(original) or type(original).__name__
    return f"Plugin '{plugin}' failed in {hook}: {text}"
