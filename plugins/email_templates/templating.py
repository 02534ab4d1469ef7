"""Template records: validate and save, preview on sample or real data."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError

from .models import EmailTemplate
from .render import FIELDS, Rendered, check, describe, render
from .types import all_types


def validate(data: dict[str, Any], row: EmailTemplate | None) -> None:
    """Raise one ValidationError with every problem beside its field."""
    errors: list[tuple[str | None, str]] = []
    name = (data.get("name") or "").strip()
    if not name:
        errors.append(("name", "Enter a name."))
    else:
        clash = db.session.scalar(sa.select(EmailTemplate.id).where(EmailTemplate.name == name))
        if clash is not None and (row is None or clash != row.id):
            errors.append(("name", f"A template called {name} exists."))
    ttype = all_types().get(data.get("type") or "")
    if ttype is None:
        errors.append(("type", "Choose a template type."))
    else:
        errors += check({f: data.get(f) or "" for f in FIELDS}, ttype.variables, dict(ttype.sample))
    if not (data.get("subject") or "").strip():
        errors.append(("subject", "Enter a subject."))
    if errors:
        raise ValidationError.many(errors)


def save_template(row: EmailTemplate | None, data: dict[str, Any]) -> EmailTemplate:
    validate(data, row)
    row = row or EmailTemplate()
    row.name = data["name"].strip()
    row.type = data["type"]
    row.subject = data["subject"].strip()
    row.body_html = data.get("body_html") or ""
    row.body_text = data.get("body_text") or ""
    row.active = bool(data.get("active"))
    db.session.add(row)
    db.session.flush()
    return row


def preview(data: dict[str, Any], context: dict[str, Any] | None = None) -> tuple[Rendered | None, list[str]]:
    """Render the submitted template on the type's sample (or on ``context``); (result, errors)."""
    ttype = all_types().get(data.get("type") or "")
    if ttype is None:
        return None, ["Choose a template type."]
    try:
        return render({f: data.get(f) or "" for f in FIELDS}, context or dict(ttype.sample)), []
    except Exception as exc:  # a template error is the user's text, shown beside the preview
        return None, [describe(exc)]
