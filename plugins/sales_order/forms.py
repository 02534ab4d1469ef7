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
from core.fields import IdHiddenField
from core.models import Warehouse
from core.parsing import ParseError, parse_id

from .codes import active_choices
from .models import ORDER_TYPES, ReasonCode
from .rules import parse_number


class ShownDecimalField(DecimalField):
    """A decimal shown as stored, with at least ``min_places`` decimals (``10``, ``3650.000``).

    The view sets ``min_places`` from the options (prices: *Number of decimals for contract
    and net unit prices*); a value with more decimals keeps them, so re-saving changes nothing.
    """

    min_places = 0

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else shown_decimal(self.data, self.min_places)


def shown_decimal(value: Decimal, min_places: int = 0) -> str:
    """``Decimal("10.0000")`` as ``10``; ``Decimal("3650")`` with 3 places as ``3650.000``."""
    value = Decimal(value)
    text = f"{value.normalize():f}" if value else "0"
    places = len(text.partition(".")[2])
    return f"{value:.{max(places, min_places)}f}"


class LineForm(Form):
    """One order line. The item and vendor are typed as codes (``item_code``, ``vendor_code``):
    the page's type-ahead also fills their ids, and without JavaScript the view resolves the
    codes. Posting only the ids (API clients, scripts) works as before. To add a field, declare
    it here and add a column to ``LINE_COLUMNS`` in ``form.html``."""

    id = HiddenField()
    item_id = IdHiddenField()
    item_code = StringField("Item", validators=[Length(max=30)])
    description = StringField("Description", validators=[Length(max=200)])
    alias_item_code = StringField("Alias item number", validators=[Length(max=40)],
                                  description="The customer's own or an alternate number for the item.")
    qty_ordered = ShownDecimalField("Quantity", validators=[Optional()])
    unit_price = ShownDecimalField("Unit price", validators=[Optional()], description="Blank: the item's list price.")
    discount_pct = ShownDecimalField("Discount %", validators=[Optional()])
    promise_date = DateField("Promise date", validators=[Optional()])
    warehouse_id = SelectField("Warehouse", coerce=parse_id, validate_choice=False)
    drop_ship = BooleanField("Drop ship")
    vendor_id = IdHiddenField()
    vendor_code = StringField("Vendor", validators=[Length(max=20)])

    @property
    def is_blank(self) -> bool:
        return (not self.item_id.data and not (self.item_code.data or "").strip() and self.qty_ordered.data is None
                and not self.id.data)


class OrderForm(FlaskForm):
    number = StringField("Order number", validators=[Length(max=20)])
    customer_id = IdHiddenField()
    customer_code = StringField("Customer", validators=[Length(max=20)])
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
    invoice_discount_pct = ShownDecimalField("Invoice discount %", validators=[Optional()])
    reason_code = SelectField("Reason code (credit notes)", validate_choice=False)
    lines = FieldList(FormField(LineForm), min_entries=1)

    def fill_choices(self, price_places: int = 2) -> None:
        """The small choice lists (warehouses, reason codes). Customers, items and vendors are
        typed: nothing here grows with the catalogue."""
        whs = db.session.execute(sa.select(Warehouse.id, Warehouse.code, Warehouse.name)
                                 .order_by(Warehouse.code)).all()
        self.warehouse_id.choices = [(r.id, f"{r.code} {r.name}") for r in whs]
        line_whs = [("", "— order's —")] + [(r.id, r.code) for r in whs]
        codes = active_choices(ReasonCode)
        if self.reason_code.data and self.reason_code.data not in dict(codes):
            codes.append((self.reason_code.data, self.reason_code.data))  # the order's, retired since
        self.reason_code.choices = [("", "— none —"), *codes]
        self.choice_sets = {"warehouse": line_whs}
        for entry in self.lines:
            prepare_line(entry.form, line_whs, price_places)


def prepare_line(lf: LineForm, warehouses: list, price_places: int) -> None:
    lf.warehouse_id.choices = warehouses
    lf.unit_price.min_places = price_places


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
