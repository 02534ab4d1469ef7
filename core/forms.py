"""Form helpers: per-request form subclasses that plugins extend, and line parsing."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, flash
from wtforms import Form
from wtforms.validators import ValidationError

from .plugins import HookError, host_of


def build_form(form_name: str, base: type[Form], obj: Any = None, **kwargs: Any) -> Form:
    """Instantiate ``base`` extended by the enabled plugins' ``extend_form`` fields.

    The extra fields live on a subclass made for this request only, so the shared
    class is never changed and a disabled plugin's fields are simply absent.
    """
    extra: dict[str, Any] = {}
    for plugin, fields in host_of(current_app).contributions("extend_form", form_name=form_name, obj=obj):
        if isinstance(fields, HookError):
            flash(str(fields), "error")
            continue
        for field_name, unbound in (fields or {}).items():
            if hasattr(base, field_name) or field_name in extra:
                # a plugin adds fields; it never replaces the form's own (or another plugin's)
                flash(f"Plugin '{plugin}' tried to add field '{field_name}' to the {form_name} "
                      "form, which already has it; it was left out.", "error")
                continue
            extra[field_name] = unbound
    cls = type(base.__name__, (base,), extra) if extra else base
    form = cls(obj=obj, **kwargs)
    form.extra_field_names = list(extra)  # type: ignore[attr-defined]
    return form


_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


class Email:
    """A plain e-mail address check (``name@example.com``).

    Needs no extra package (``wtforms.validators.Email`` needs ``email-validator``, which
    raises at validation time, i.e. a 500, wherever it is missing).
    """

    def __init__(self, message: str | None = None):
        self.message = message or "Enter an e-mail address like name@example.com."

    def __call__(self, form, field) -> None:
        if field.data and not _EMAIL.fullmatch(field.data.strip()):
            raise ValidationError(self.message)
