"""The template a PO line status sends: a field on purchase_order's status form, a row in em_."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from wtforms import SelectField

from core.db import db
from core.errors import ValidationError

from .models import EmailTemplate, StatusTemplate


def _int_or_none(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # never an id: refused by the choice check


def template_field(status: Any) -> SelectField:
    rows = db.session.execute(sa.select(EmailTemplate.id, EmailTemplate.name, EmailTemplate.type)
                              .order_by(EmailTemplate.name)).all()
    current = db.session.get(StatusTemplate, status.id) if status is not None and status.id else None
    return SelectField(
        "Email template", coerce=_int_or_none, default=current.template_id if current else None,
        choices=[(None, "— none —")] + [(r.id, f"{r.name} ({r.type})") for r in rows],
        description="Sent when a PO line takes this status; a BACK ORDER template mails each customer whose "
                    "orders wait on the line.")


def save_link(status_id: int, template_id: int | None) -> None:
    link = db.session.get(StatusTemplate, status_id)
    if template_id is None:
        if link is not None:
            db.session.delete(link)
        return
    template = db.session.get(EmailTemplate, template_id)
    if template is None:
        raise ValidationError("em_template_id", "Choose an existing email template.")
    link = link or StatusTemplate(po_line_status_id=status_id)
    link.template_id = template_id
    db.session.add(link)

