"""Forms of the purchase_order pages; document lines are parsed by :func:`parse_lines`."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from core.db import db
from core.models import Item, Partner, Warehouse

from .models import ORDER_TYPES, CancelReasonCode, PoLineStatus


def _int_or_none(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # never a real id: the validator refuses it


def vendor_choices() -> list[tuple[Any, str]]:
    rows = db.session.execute(sa.select(Partner.id, Partner.number, Partner.name)
                              .where(Partner.is_vendor).order_by(Partner.number)).all()
    return [("", "— choose a vendor —")] + [(r.id, f"{r.number} {r.name}") for r in rows]


def customer_choices() -> list[tuple[Any, str]]:
    rows = db.session.execute(sa.select(Partner.id, Partner.number, Partner.name)
                              .where(Partner.is_customer).order_by(Partner.number)).all()
    return [("", "— none —")] + [(r.id, f"{r.number} {r.name}") for r in rows]


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
    vendor_id = SelectField("Vendor", coerce=_int_or_none, validate_choice=False)
    order_type = SelectField("Order type", choices=[(k, f"{k} — {v}") for k, v in ORDER_TYPES.items()], default="S")
    order_date = DateField("Order date", default=date.today, validators=[DataRequired("Enter the order date.")])
    required_date = DateField("Required date", validators=[Optional()])
    warehouse_id = SelectField("Warehouse", coerce=_int_or_none, validate_choice=False)
    customer_id = SelectField("Drop-ship customer", coerce=_int_or_none, validate_choice=False)
    ship_to_address = TextAreaField("Ship-to address", description="Empty: the warehouse's address, or the "
                                    "customer's ship-to address for a drop-ship order.")
    ship_via = StringField("Ship via", validators=[Length(max=40)])
    fob = StringField("FOB", validators=[Length(max=40)])
    confirm_to = StringField("Confirm to", validators=[Length(max=80)])
    email = StringField("E-mail", validators=[Optional(), Length(max=254),
                                          Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter a valid e-mail address.")])
    comment = TextAreaField("Comment")
    line_reason_code = SelectField("Cancel/reason code for deleted lines", validate_choice=False)

    def fill_choices(self) -> None:
        self.vendor_id.choices = vendor_choices()
        self.warehouse_id.choices = warehouse_choices()
        self.customer_id.choices = customer_choices()
        self.line_reason_code.choices = reason_choices()

    def validate_vendor_id(self, field) -> None:
        if field.data is None:
            raise ValidationError("Choose a vendor.")
        vendor = db.session.get(Partner, field.data) if field.data > 0 else None
        if vendor is None or not vendor.is_vendor:
            raise ValidationError("Choose a vendor.")

    def validate_warehouse_id(self, field) -> None:
        if field.data is not None and (field.data < 0 or db.session.get(Warehouse, field.data) is None):
            raise ValidationError("Choose a warehouse.")

    def validate_customer_id(self, field) -> None:
        if field.data is not None:
            customer = db.session.get(Partner, field.data) if field.data > 0 else None
            if customer is None or not customer.is_customer:
                raise ValidationError("Choose a customer.")
        elif self.order_type.data == "D":
            raise ValidationError("A drop-ship order needs the customer it ships to.")


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=10),
                                           Regexp(r"^[A-Za-z0-9_-]+$", message="Letters, digits, - and _ only.")])
    description = StringField("Description", validators=[DataRequired(), Length(max=120)])


class LineStatusForm(CodeForm):
    email_template = StringField("Email template", validators=[Length(max=64)],
                                 description="Template code used by the email plugin (for example a BACK ORDER "
                                             "template); optional.")


class ReasonForm(FlaskForm):
    reason_code = SelectField("Cancel/reason code", validate_choice=False)


LINE_KEYS = ("id", "item", "vendor_item_code", "description", "qty_ordered", "unit_cost", "required_date",
             "line_status_id")
_LINE_NAME = re.compile(r"^lines-(\d+)-(\w+)$")


def raw_lines(form_data) -> list[dict[str, str]]:
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


def parse_lines(rows: list[dict[str, str]], existing_ids: set[int]) -> tuple[list[dict], dict[tuple[int, str], str]]:
    """Turn raw rows into service line dicts; errors keyed by (row index, field)."""
    errors: dict[tuple[int, str], str] = {}
    codes = {r["item"].upper() for r in rows if r["item"]}
    items = {i.code.upper(): i for i in db.session.scalars(sa.select(Item).where(sa.func.upper(Item.code).in_(codes)))}
    statuses = set(db.session.scalars(sa.select(PoLineStatus.id)))
    out = []
    for i, r in enumerate(rows):
        data: dict[str, Any] = {}
        if r["id"]:
            try:
                lid = int(r["id"])
            except ValueError:
                lid = -1
            if lid not in existing_ids:
                errors[(i, "item")] = "This line does not belong to the purchase order."
            data["id"] = lid
        item = items.get(r["item"].upper()) if r["item"] else None
        if item is None:
            errors[(i, "item")] = "Enter an item code." if not r["item"] else f"No item with code {r['item']!r}."
        else:
            data["item_id"] = item.id
        for key, what in (("qty_ordered", "quantity"), ("unit_cost", "unit cost")):
            raw = r[key].replace(",", "")
            if not raw:
                if key == "qty_ordered":
                    errors[(i, key)] = "Enter the quantity ordered."
                data[key] = None
                continue
            try:
                value = Decimal(raw)
                if not value.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors[(i, key)] = f"The {what} must be a number."
                continue
            if key == "qty_ordered" and value <= 0:
                errors[(i, key)] = "The quantity must be more than zero."
            elif value < 0:
                errors[(i, key)] = f"The {what} cannot be negative."
            elif -value.as_tuple().exponent > (4 if key == "qty_ordered" else 5):
                errors[(i, key)] = f"Too many decimal places in the {what}."
            elif abs(value) >= Decimal("1e9"):
                errors[(i, key)] = f"The {what} is too large."
            data[key] = value
        if r["required_date"]:
            try:
                data["required_date"] = date.fromisoformat(r["required_date"])
            except ValueError:
                errors[(i, "required_date")] = "Enter a date as YYYY-MM-DD."
        else:
            data["required_date"] = None
        if r["line_status_id"]:
            try:
                sid = int(r["line_status_id"])
            except ValueError:
                sid = -1
            if sid not in statuses:
                errors[(i, "line_status_id")] = "Choose a line status."
            data["line_status_id"] = sid
        else:
            data["line_status_id"] = None
        data["description"] = r["description"][:200]
        data["vendor_item_code"] = r["vendor_item_code"][:40]
        out.append(data)
    return out, errors
