"""Form helpers: per-request form subclasses that plugins extend, and line parsing."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash
from wtforms import Form

from .plugins import HookError, host_of


def build_form(form_name: str, base: type[Form], obj: Any = None, **kwargs: Any) -> Form:
    """Instantiate ``base`` extended by the enabled plugins' ``extend_form`` fields.

    The extra fields live on a subclass made for this request only, so the shared
    class is never changed and a disabled plugin's fields are simply absent.
    """
    host = host_of(current_app)
    extra: dict[str, Any] = {}
    enabled = host.enabled()
    for name in host.order():
        if name not in enabled:
            continue
        try:
            for _plugin, fields in host.call_one("extend_form", name, form_name=form_name, obj=obj):
                extra.update(fields or {})
        except HookError as exc:
            flash(str(exc), "error")
    cls = type(base.__name__, (base,), extra) if extra else base
    form = cls(obj=obj, **kwargs)
    form.extra_field_names = list(extra)  # type: ignore[attr-defined]
    return form
