"""Forms of the purchase_order pages; document lines are parsed by :func:`parse_lines`.

Forms turn request text into typed values (through :mod:`core.parsing`); the rules
(a vendor is a vendor, quantities above zero, ...) live in the services, which raise
``ValidationError`` with these forms' field names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from core import lookup
from core.db import db
from core.errors import ValidationError
from core.fields import IdHiddenField
from core.forms import Email
from core.models import Item, Partner, Warehouse
from core.parsing import parse_date, parse_id

from .common import MAX_LINES, parse_cost, parse_quantity
from .models import ORDER_TYPES, CancelReasonCode, PoLineStatus, PurchaseOrder


def id_or_none(value: Any) -> int | None:
    """A select's record id: None when empty, 0 (never a record) when it cannot be an id."""
    if value in (None, "", "None"):
        return None
    return value if isinstance(value, int) else (parse_id(value) or 0)


def warehouse_choices() -> list[tuple[Any, str]]:
    rows = db.session.execute(sa.select(Warehouse.id, Warehouse.code, Warehouse.name).order_by(Warehouse.code)).all()
    return [("", "— default —")] + [(r.id, f"{r.code} {r.name}") for r in rows]


def reason_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(sa.select(CancelReasonCode.code, CancelReasonCode.description)
                              .order_by(CancelReasonCode.code)).all()
    return [("", "— none —")] + [(r.code, f"{r.code} {r.description}") for r in rows]


def line_status_choices() -> list[tuple[Any, str]]:
    rows = db.session.execute(sa.select(PoLineStatus.id, PoLineStatus.code, PoLineStatus.description)
                              .order_by(PoLineStatus.code)).all()
    return [("", "—")] + [(r.id, f"{r.code} {r.description}") for r in rows]


class PurchaseOrderForm(FlaskForm):
    number = StringField("PO number", validators=[Optional(), Length(max=20)],
                         description="Leave empty for the next automatic purchase order number.")
    # vendor and drop-ship customer are typed numbers with suggestions (a select of every
    # partner would grow with the catalogue); a script may post the ids instead
    vendor_id = IdHiddenField(not_an_id=0)
    vendor_code = StringField("Vendor", validators=[Length(max=20)],
                              render_kw={"list": "vendor-numbers", "autocomplete": "off", "data-suggest": "vendors"},
                              description="The vendor's number; type its beginning or the name's.")
    order_type = SelectField("Order type", choices=[(k, f"{k} — {v}") for k, v in ORDER_TYPES.items()], default="S")
    order_date = DateField("Order date", default=date.today, validators=[DataRequired("Enter the order date.")])
    required_date = DateField("Required date", validators=[Optional()])
    warehouse_id = SelectField("Warehouse", coerce=id_or_none, validate_choice=False)
    customer_id = IdHiddenField(not_an_id=0)
    customer_code = StringField("Drop-ship customer", validators=[Length(max=20)],
                                render_kw={"list": "customer-numbers", "autocomplete": "off",
                                           "data-suggest": "customers"})
    ship_to_address = TextAreaField("Ship-to address", description="Empty: the warehouse's address, or the "
                                    "customer's ship-to address for a drop-ship order.")
    ship_via = StringField("Ship via", validators=[Length(max=40)])
    fob = StringField("FOB", validators=[Length(max=40)])
    confirm_to = StringField("Confirm to", validators=[Length(max=80)])
    email = StringField("E-mail", validators=[Optional(), Length(max=254), Email()])
    comment = TextAreaField("Comment")
    line_reason_code = SelectField("Cancel/reason code for deleted lines", validate_choice=False)

    HEADER = ("order_date", "required_date", "warehouse_id", "customer_id", "ship_to_address", "ship_via", "fob",
              "confirm_to", "email", "comment")

    # (typed number field, id field, the partner flag it needs, the word in a refusal)
    PARTNERS = (("vendor_code", "vendor_id", "is_vendor", "vendor"),
                ("customer_code", "customer_id", "is_customer", "customer"))

    def fill_choices(self) -> None:
        self.warehouse_id.choices = warehouse_choices()
        self.line_reason_code.choices = reason_choices()

    def resolve_partners(self, posted: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Ids from the typed numbers (a typed number wins over a posted id; an empty one with no
        id posted clears it), in one query; a number that names no vendor (customer) is refused
        beside its field."""
        fields = [(self[c], self[i], flag, word) for c, i, flag, word in self.PARTNERS]
        found = lookup.by_codes(Partner, [code.data or "" for code, *_ in fields])
        errors = []
        for code, record_id, flag, word in fields:
            text = (code.data or "").strip()
            if not text:
                if record_id.name not in posted:
                    record_id.data = None
                continue
            partner = found.get(text.lower())
            ok = partner is not None and getattr(partner, flag)
            record_id.data = partner.id if ok else None
            if not ok:
                errors.append((code.name, f"No {word} has the number {text}."))
        return errors

    def show_numbers(self) -> None:
        """The numbers of partners set by id (an order being edited, a script's post)."""
        pairs = [(self[c], self[i]) for c, i, *_ in self.PARTNERS]
        known = lookup.by_ids(Partner, [i.data for c, i in pairs if i.data and not (c.data or "").strip()])
        for code, record_id in pairs:
            if record_id.data in known:
                code.data = known[record_id.data].number

    def header(self) -> dict[str, Any]:
        return {k: self[k].data for k in self.HEADER}


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=10),
                                           Regexp(r"^[A-Za-z0-9_-]+$", message="Letters, digits, - and _ only.")])
    description = StringField("Description", validators=[DataRequired(), Length(max=120)])


class LineStatusForm(CodeForm):
    """A PO line status; email_templates adds its template select through ``extend_form``."""


class ReasonForm(FlaskForm):
    reason_code = SelectField("Cancel/reason code", validate_choice=False)


# -- document lines --------------------------------------------------------------------------------

LINE_KEYS = ("id", "item", "vendor_item_code", "description", "qty_ordered", "unit_cost", "required_date",
             "line_status_id")
_LINE_NAME = re.compile(r"^lines-(\d{1,6})-(\w+)$")


def rows_from_po(po: PurchaseOrder | None) -> list[dict[str, Any]]:
    """The entry page's line rows for ``po`` (one empty row for a new order)."""
    if po is None:
        return [dict.fromkeys(LINE_KEYS, "")]
    return [{"id": str(ln.id), "item": ln.item.code, "vendor_item_code": ln.vendor_item_code,
             "description": ln.description, "qty_ordered": f"{ln.qty_ordered.normalize():f}",
             "unit_cost": f"{ln.unit_cost.normalize():f}",
             "required_date": ln.required_date.isoformat() if ln.required_date else "",
             "line_status_id": str(ln.line_status_id or ""), "line": ln} for ln in po.lines]


def raw_lines(form_data: MultiDict) -> list[dict[str, str]]:
    """The submitted line rows as strings, in order, empty rows dropped."""
    rows: dict[int, dict[str, str]] = {}
    for name, value in form_data.items():
        m = _LINE_NAME.match(name)
        if m and m.group(2) in LINE_KEYS:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = value.strip()
    out = []
    for i in sorted(rows):
        row = {k: rows[i].get(k, "") for k in LINE_KEYS}
        if any(row[k] for k in ("item", "qty_ordered", "description", "unit_cost")):
            out.append(row)
    return out


def _parse_row(i: int, r: dict[str, str], items: dict[str, Item], existing_ids: set[int],
               errors: dict[tuple[int, str], str]) -> dict[str, Any]:
    data: dict[str, Any] = {"description": r["description"][:200], "vendor_item_code": r["vendor_item_code"][:40]}
    if r["id"]:
        data["id"] = parse_id(r["id"]) or 0
        if data["id"] not in existing_ids:
            errors[(i, "item")] = "This line does not belong to the purchase order."
    item = items.get(r["item"].lower()) if r["item"] else None
    if item is None:
        errors[(i, "item")] = "Enter an item code." if not r["item"] else f"No item with code {r['item']!r}."
    else:
        data["item_id"] = item.id
    for key, parse in (("qty_ordered", parse_quantity), ("unit_cost", parse_cost)):
        raw = r[key].replace(",", "")
        data[key] = None
        if not raw:
            if key == "qty_ordered":
                errors[(i, key)] = "Enter the quantity ordered."
            continue
        try:
            data[key] = parse(raw, None)
        except ValidationError as exc:
            errors[(i, key)] = exc.message
    data["required_date"] = parse_date(r["required_date"])
    if r["required_date"] and data["required_date"] is None:
        errors[(i, "required_date")] = "Enter a date as YYYY-MM-DD."
    data["line_status_id"] = (parse_id(r["line_status_id"]) or 0) if r["line_status_id"] else None
    return data


def parse_lines(rows: list[dict[str, str]], existing_ids: set[int]) -> tuple[list[dict], dict[tuple[int, str], str]]:
    """Turn raw rows into service line dicts; errors keyed by (row index, field).

    Only the text is checked here (numbers, dates, known item codes); the rules are the
    service's. More rows than :data:`MAX_LINES` are refused before any is looked at.
    """
    if len(rows) > MAX_LINES:
        raise ValidationError(None, f"A purchase order takes at most {MAX_LINES} lines; this one has {len(rows)}. "
                                    "Split it into several orders.")
    errors: dict[tuple[int, str], str] = {}
    items = lookup.by_codes(Item, [r["item"] for r in rows])  # case ignored, through the look-up index
    return [_parse_row(i, r, items, existing_ids, errors) for i, r in enumerate(rows)], errors
