"""Auto generate from sales orders (the batch page): what was typed becomes a selection."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError
from core.models import Partner

from .generation import date_field, prompt_date_from
from .inputs import Selection


def _partner_id(number: str, kind: str) -> int:
    pid = db.session.scalar(sa.select(Partner.id).where(Partner.number == number))
    if pid is None:
        raise ValidationError(kind, f"No {kind} with number {number!r}.")
    return pid


def selection_from(form: Mapping[str, str]) -> tuple[Selection, date | None]:
    """The selection and required date from the page's fields; every problem at once."""
    errors: list[tuple[str | None, str]] = []
    values: dict[str, object] = {}
    for name, parse in (("date_from", lambda raw: date_field(raw, "date_from")),
                        ("date_to", lambda raw: date_field(raw, "date_to")),
                        ("customer_id", lambda raw: _partner_id(raw, "customer") if raw else None),
                        ("vendor_id", lambda raw: _partner_id(raw, "vendor") if raw else None),
                        ("prompt_date", prompt_date_from)):
        field = {"customer_id": "customer", "vendor_id": "vendor", "prompt_date": "required_date"}.get(name, name)
        try:
            values[name] = parse((form.get(field) or "").strip())
        except ValidationError as exc:
            errors += exc.errors
    if values.get("date_from") and values.get("date_to") and values["date_from"] > values["date_to"]:
        errors.append(("date_to", "The end date is before the start date."))
    if errors:
        raise ValidationError.many(errors)
    prompt_date = values.pop("prompt_date")
    return Selection(**values), prompt_date
