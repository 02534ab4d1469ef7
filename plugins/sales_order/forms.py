"""Sales order forms: the header and its editable lines (a FieldList of line subforms)."""

from __future__ import annotations

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

from .models import ORDER_TYPES


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class LineForm(Form):
    id = HiddenField()
    item_id = SelectField("Item", coerce=_int_or_none, validate_choice=False)
    description = StringField("Description", validators=[Length(max=200)])
    qty_ordered = DecimalField("Quantity", validators=[Optional()])
    unit_price = DecimalField("Unit price", places=5, validators=[Optional()],
                              description="Blank: the item's list price.")
    discount_pct = DecimalField("Discount %", validators=[Optional()])
    promise_date = DateField("Promise date", validators=[Optional()])
    warehouse_id = SelectField("Warehouse", coerce=_int_or_none, validate_choice=False)
    drop_ship = BooleanField("Drop ship")
    vendor_id = SelectField("Vendor", coerce=_int_or_none, validate_choice=False)

    @property
    def is_blank(self) -> bool:
        return not self.item_id.data and self.qty_ordered.data is None and not self.id.data


class OrderForm(FlaskForm):
    number = StringField("Order number", validators=[Length(max=20)])
    customer_id = SelectField("Customer", coerce=_int_or_none, validate_choice=False)
    customer_po_number = StringField("Customer PO number", validators=[Length(max=40)])
    order_date = DateField("Order date", validators=[Optional()])
    requested_ship_date = DateField("Requested ship date", validators=[Optional()])
    order_type = SelectField("Order type", choices=list(ORDER_TYPES.items()))
    warehouse_id = SelectField("Warehouse", coerce=_int_or_none, validate_choice=False)
    ship_to_address = TextAreaField("Ship-to address", description="Blank: the customer's ship-to address.")
    ship_via = StringField("Ship via", validators=[Length(max=40)])
    fob = StringField("FOB", validators=[Length(max=40)])
    confirm_to = StringField("Confirm to", validators=[Length(max=120)])
    email = StringField("E-mail", validators=[Optional(), Email(), Length(max=254)])
    notes = TextAreaField("Notes")
    margin_override = BooleanField("Override margin check")
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
        self.choice_sets = {"item": item_choices, "vendor": vendor_choices, "warehouse": line_whs}
        for entry in self.lines:
            entry.form.item_id.choices = item_choices
            entry.form.vendor_id.choices = vendor_choices
            entry.form.warehouse_id.choices = line_whs


class ShipForm(FlaskForm):
    """Quantities to ship come as ``ship-<line id>`` fields; the form carries the CSRF token."""


class ReleaseForm(FlaskForm):
    """Quantities to release come as ``release-<line id>`` fields."""


def decimal_or_none(raw) -> Decimal | None | str:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = Decimal(str(raw).strip())
    except Exception:
        return "invalid"
    return value if value.is_finite() else "invalid"
