"""Sales order forms: the header and its editable lines (a FieldList of line subforms)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, Length, Optional

from core.db import db
from core.models import Item, Partner, Warehouse
from core.parsing import ParseError, parse_id

from .codes import active_choices
from .models import ORDER_TYPES, ReasonCode
from .rules import parse_number


class LineForm(Form):
    id = HiddenField()
    item_id = SelectField("Item", coerce=parse_id, validate_choice=False)
    description = StringField("Description", validators=[Length(max=200)])
    alias_item_code = StringField("Alias item number", validators=[Length(max=40)],
                                  description="The customer's own or an alternate number for the item.")
    qty_ordered = DecimalField("Quantity", validators=[Optional()])
    unit_price = DecimalField("Unit price", places=5, validators=[Optional()],
                              description="Blank: the item's list price.")
    discount_pct = DecimalField("Discount %", validators=[Optional()])
    promise_date = DateField("Promise date", validators=[Optional()])
    warehouse_id = SelectField("Warehouse", coerce=parse_id, validate_choice=False)
    drop_ship = BooleanField("Drop ship")
    vendor_id = SelectField("Vendor", coerce=parse_id, validate_choice=False)

    @property
    def is_blank(self) -> bool:
        return not self.item_id.data and self.qty_ordered.data is None and not self.id.data


class OrderForm(FlaskForm):
    number = StringField("Order number", validators=[Length(max=20)])
    customer_id = SelectField("Customer", coerce=parse_id, validate_choice=False)
    customer_po_number = StringField("Customer PO number", validators=[Length(max=40)])
    order_date = DateField("Order date", validators=[Optional()])
    requested_ship_date = DateField("Requested ship date", validators=[Optional()])
    order_type = SelectField("Order type", choices=list(ORDER_TYPES.items()))
    warehouse_id = SelectField("Warehouse", coerce=parse_id, validate_choice=False)
    ship_to_address = TextAreaField("Ship-to address", description="Blank: the customer's ship-to address.")
    ship_via = StringField("Ship via", validators=[Length(max=40)])
    fob = StringField("FOB", validators=[Length(max=40)])
    confirm_to = StringField("Confirm to", validators=[Length(max=120)])
    email = StringField("E-mail", validators=[Optional(), Email(), Length(max=254)])
    notes = TextAreaField("Notes")
    margin_override = BooleanField("Override margin check")
    invoice_discount_pct = DecimalField("Invoice discount %", validators=[Optional()])
    reason_code = SelectField("Reason code (credit notes)", validate_choice=False)
    lines = FieldList(FormField(LineForm), min_entries=1)

    def fill_choices(self) -> None:
        customers = db.session.execute(sa.select(Partner.id, Partner.number, Partner.name)
                                       .where(Partner.is_customer).order_by(Partner.number)).all()
        self.customer_id.choices = [("", "— choose —")] + [(r.id, f"{r.number} {r.name}") for r in customers]
        whs = db.session.execute(sa.select(Warehouse.id, Warehouse.code, Warehouse.name)
                                 .order_by(Warehouse.code)).all()
        self.warehouse_id.choices = [(r.id, f"{r.code} {r.name}") for r in whs]
        items = db.session.execute(sa.select(Item.id, Item.code, Item.description, Item.list_price)
                                   .where(Item.active).order_by(Item.code)).all()
        item_choices = [("", "— item —")] + [(r.id, f"{r.code} {r.description}") for r in items]
        vendors = db.session.execute(sa.select(Partner.id, Partner.number, Partner.name)
                                     .where(Partner.is_vendor).order_by(Partner.number)).all()
        vendor_choices = [("", "— item's vendor —")] + [(r.id, f"{r.number} {r.name}") for r in vendors]
        line_whs = [("", "— order's —")] + [(r.id, r.code) for r in whs]
        codes = active_choices(ReasonCode)
        if self.reason_code.data and self.reason_code.data not in dict(codes):
            codes.append((self.reason_code.data, self.reason_code.data))  # the order's, retired since
        self.reason_code.choices = [("", "— none —"), *codes]
        self.choice_sets = {"item": item_choices, "vendor": vendor_choices, "warehouse": line_whs}
        for entry in self.lines:
            entry.form.item_id.choices = item_choices
            entry.form.vendor_id.choices = vendor_choices
            entry.form.warehouse_id.choices = line_whs


class ShipForm(FlaskForm):
    """Quantities to ship come as ``ship-<line id>`` fields; the form carries the CSRF token."""


class ReleaseForm(FlaskForm):
    """Quantities to release come as ``release-<line id>`` fields."""


def line_quantities(formdata: Mapping[str, str], prefix: str, column_type: sa.Numeric
                    ) -> tuple[dict[int, Decimal], dict[str, str], dict[int, str]]:
    """``<prefix><line id>`` fields: (non-zero quantities by line id, errors by field, text as typed)."""
    values: dict[int, Decimal] = {}
    errors: dict[str, str] = {}
    typed: dict[int, str] = {}
    for key, raw in formdata.items():
        line_id = parse_id(key[len(prefix):]) if key.startswith(prefix) else None
        if line_id is None:
            continue
        typed[line_id] = raw
        if not raw.strip():
            continue
        try:
            value = parse_number(raw, column_type)
        except ParseError as exc:
            errors[key] = str(exc)
            continue
        if value:
            values[line_id] = value
    return values, errors, typed
