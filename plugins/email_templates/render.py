"""Rendering user-edited templates: Jinja's sandbox, StrictUndefined, plain data only.

A template never sees a model object or the app: the caller builds a dict of plain
values (:func:`plain` checks it), so even a sandbox escape would find nothing to reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

_TEXT = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
_HTML = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True, keep_trailing_newline=True)
PLAIN = (str, int, float, Decimal, date, datetime, bool, type(None))
FIELDS = ("subject", "body_html", "body_text")


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_html: str
    body_text: str


def plain(value: Any, path: str = "context") -> Any:
    """Return ``value`` if it is made only of plain values, dicts and lists; else TypeError."""
    if isinstance(value, PLAIN):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, f"{path}[{i}]") for i, v in enumerate(value)]
    raise TypeError(f"{path} is a {type(value).__name__}: templates get plain data only")


def _env(field: str) -> SandboxedEnvironment:
    return _HTML if field == "body_html" else _TEXT


def render_field(field: str, source: str, context: dict[str, Any]) -> str:
    text = _env(field).from_string(source).render(plain(context))
    return text.strip() if field == "subject" else text


def render(sources: dict[str, str], context: dict[str, Any]) -> Rendered:
    """Render subject and bodies; raises TemplateError (syntax, undefined, unsafe)."""
    return Rendered(**{f: render_field(f, sources.get(f) or "", context) for f in FIELDS})


def describe(exc: Exception) -> str:
    """The user's words for what went wrong in a template."""
    if isinstance(exc, TemplateSyntaxError):
        return f"Syntax error on line {exc.lineno}: {exc.message}"
    if isinstance(exc, SecurityError):
        return f"Not allowed in a template: {exc}"
    if isinstance(exc, UndefinedError):
        return f"Unknown variable or attribute: {exc.message}"
    return f"Cannot render: {exc}"


def check(sources: dict[str, str], variables: dict[str, str] | Any, sample: dict[str, Any]) -> list[tuple[str, str]]:
    """Errors per field (field, message): syntax, variables the type does not offer, and a trial
    render on the type's sample data (undefined attributes, unsafe access)."""
    errors: list[tuple[str, str]] = []
    for field in FIELDS:
        source = sources.get(field) or ""
        env = _env(field)
        try:
            ast = env.parse(source)
        except TemplateSyntaxError as exc:
            errors.append((field, describe(exc)))
            continue
        unknown = sorted(meta.find_undeclared_variables(ast) - set(variables))
        if unknown:
            errors.append((field, "Unknown variable(s): " + ", ".join(unknown)
                           + ". This type offers: " + ", ".join(sorted(variables))))
            continue
        try:
            render_field(field, source, dict(sample))
        except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:
            errors.append((field, describe(exc)))
    return errors
