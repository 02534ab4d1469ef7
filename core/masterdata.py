"""Master data pages: customers and vendors, items, warehouses, stock.

Views load their arguments, check access and call the services below; the request
lifecycle commits once (or rolls back when the page answers an error). Services raise
:class:`core.errors.ValidationError`, which the views put beside the fields.
The CSV import lives in :mod:`core.csv_import`.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, DateField, FileField, SelectField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from . import lookup
from . import stock as stock_service
from .auth import require
from .db import Money, Quantity, UnitAmount, db
from .errors import ValidationError as DomainError
from .fields import (
    BoundedDecimalField,
    BoundedIntegerField,
    IdSelectField,
    PartnerNumberField,
    SafeForm,
    TextAreaField,
    TextField,
)
from .forms import Email, build_form
from .lifecycle import attach_errors, form_page, record_or_404
from .models import SUPPLY_METHODS, Item, Partner, StockLevel, Warehouse
from .plugins import host_of
from .web import paginate

bp = Blueprint("masterdata", __name__)

EDITORS = ("sales", "purchasing")
# Credit fields decide the credit hold that only administrators may lift, so only they change them.
CREDIT_FIELDS = ("credit_limit", "current_balance", "credit_status", "terms_days", "oldest_unpaid_invoice_date")
PERCENT = sa.Numeric(7, 2)


class PartnerForm(SafeForm):
    number = TextField("Number", validators=[DataRequired(), Length(max=20)])
    name = TextField("Name", validators=[DataRequired(), Length(max=120)])
    email = TextField("E-mail", validators=[Optional(), Email(), Length(max=254)])
    phone = TextField("Phone", validators=[Length(max=40)])
    is_customer = BooleanField("Customer")
    is_vendor = BooleanField("Vendor")
    bill_to_address = TextAreaField("Bill-to address", validators=[Length(max=2000)])
    ship_to_address = TextAreaField("Ship-to address", validators=[Length(max=2000)])
    ship_via = TextField("Ship via", validators=[Length(max=40)])
    fob = TextField("FOB", validators=[Length(max=40)])
    credit_limit = BoundedDecimalField("Credit limit", column_type=Money, low=Decimal("0"), default=Decimal("0"))
    terms_days = BoundedIntegerField("Invoice terms (days)", low=0, high=999, default=30)
    current_balance = BoundedDecimalField("Current balance", column_type=Money, default=Decimal("0"))
    oldest_unpaid_invoice_date = DateField("Oldest unpaid invoice", validators=[Optional()])
    credit_status = BoundedIntegerField("Credit status", low=0, high=9, default=0,
                                        description="Months overdue (0-9).")
    active = BooleanField("Active", default=True)

    def validate_is_vendor(self, field) -> None:
        if not (field.data or self.is_customer.data):
            raise ValidationError("A partner must be a customer, a vendor or both.")


class ItemForm(SafeForm):
    code = TextField("Item code", validators=[DataRequired(), Length(max=30)])
    description = TextField("Description", validators=[Length(max=200)])
    uom = TextField("Unit of measure", default="EA", validators=[DataRequired(), Length(max=10)])
    unit_cost = BoundedDecimalField("Unit cost", column_type=UnitAmount, low=Decimal("0"), default=Decimal("0"))
    list_price = BoundedDecimalField("List price", column_type=UnitAmount, low=Decimal("0"), default=Decimal("0"))
    stocked = BooleanField("Stocked", default=True)
    supply_method = SelectField("Supply method", choices=list(SUPPLY_METHODS.items()))
    default_vendor_id = PartnerNumberField("Default vendor", kind="vendors", message="Choose a vendor.",
                                           description="The vendor's number; type its beginning or the name's.")
    vendor_item_code = TextField("Vendor's item code", validators=[Length(max=40)])
    min_margin_pct = BoundedDecimalField("Minimum margin %", column_type=PERCENT, low=Decimal("0"),
                                         high=Decimal("1000"), default=Decimal("0"))
    active = BooleanField("Active", default=True)


class WarehouseForm(SafeForm):
    code = TextField("Code", validators=[DataRequired(), Length(max=10)])
    name = TextField("Name", validators=[DataRequired(), Length(max=120)])
    address = TextAreaField("Address", validators=[Length(max=2000)])


class StockAdjustForm(SafeForm):
    item_code = TextField("Item code", validators=[DataRequired(), Length(max=30)])
    warehouse_id = IdSelectField("Warehouse", model=Warehouse, message="Choose a warehouse.")
    on_hand = BoundedDecimalField("New quantity on hand", column_type=Quantity, low=Decimal("0"),
                                  validators=[DataRequired(message="Enter a quantity.")])


ITEM_FIELDS = ["code", "description", "uom", "unit_cost", "list_price", "stocked", "supply_method",
               "default_vendor_id", "vendor_item_code", "min_margin_pct", "active"]
PARTNER_FIELDS = ["number", "name", "email", "phone", "is_customer", "is_vendor", "bill_to_address",
                  "ship_to_address", "ship_via", "fob", "credit_limit", "terms_days", "current_balance",
                  "oldest_unpaid_invoice_date", "credit_status", "active"]


def warehouse_choices() -> list[tuple[int, str]]:
    return [(w.id, str(w)) for w in db.session.scalars(sa.select(Warehouse).order_by(Warehouse.code))]


# -- rules and services --------------------------------------------------------------------


def item_rule_errors(supply_method: str, stocked: bool, default_vendor_id: int | None) -> list[tuple[str, str]]:
    """Contradictory item master data, as (field, message) pairs. Pure.

    * A drop-ship item goes from the vendor straight to the customer: it is never stocked.
    * A buy-to-order item is bought for the order that needs it: it is not stocked either.
    * Both are bought for each order, so they need a default vendor to order from.
    A stock item may be non-stocked (a non-inventory item sold from stock lines), so that pair is allowed.
    """
    errors: list[tuple[str, str]] = []
    label = SUPPLY_METHODS.get(supply_method, supply_method).lower()
    if supply_method in ("drop_ship", "buy_to_order") and stocked:
        errors.append(("stocked", f"A {label} item is bought for each order and not kept in stock: "
                                  "clear Stocked or choose the supply method Stock."))
    if supply_method in ("drop_ship", "buy_to_order") and default_vendor_id is None:
        errors.append(("default_vendor_id", f"A {label} item needs a default vendor to order from."))
    return errors


def _field_value(form: SafeForm, name: str) -> Any:
    value = form[name].data
    if value is None and form[name].default is not None and not isinstance(form[name], DateField):
        value = form[name].default
    return value.strip() if isinstance(value, str) and name in ("number", "code") else value


def _unique_clash(model: Any, column: Any, value: str, own_id: int | None) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)
                             .where(column == value.strip(), model.id != (own_id or -1))) > 0


def save_partner(partner: Partner | None, form: SafeForm, fields: list[str]) -> Partner:
    """Write ``fields`` from a validated form; fires ``on_partner_saved``. Raises ValidationError."""
    if _unique_clash(Partner, Partner.number, form.number.data, partner.id if partner else None):
        raise DomainError("number", "This number is already used.")
    return _write(partner or Partner(), form, fields, "on_partner_saved", created=partner is None)


def save_item(item: Item | None, form: SafeForm, fields: list[str]) -> Item:
    """Write ``fields`` from a validated form; fires ``on_item_saved``. Raises ValidationError."""
    merged = {name: _field_value(form, name) if name in fields else getattr(item, name, None)
              for name in ("supply_method", "stocked", "default_vendor_id")}
    errors = item_rule_errors(merged["supply_method"] or "stock", bool(merged["stocked"]),
                              merged["default_vendor_id"])
    if _unique_clash(Item, Item.code, form.code.data, item.id if item else None):
        errors.insert(0, ("code", "This item code is already used."))
    if errors:
        raise DomainError.many(errors)
    return _write(item or Item(), form, fields, "on_item_saved", created=item is None)


def _write(obj: Any, form: SafeForm, fields: list[str], hook_name: str, *, created: bool, flush: bool = True):
    for name in fields:
        setattr(obj, name, _field_value(form, name))
    db.session.add(obj)
    if flush:
        db.session.flush()
        fire_saved(obj, hook_name, created, dict(form.data))
    return obj


def fire_saved(obj: Any, hook_name: str, created: bool, form_data: dict[str, Any]) -> None:
    """Call ``on_partner_saved``/``on_item_saved``; a raising plugin arrives as HookError."""
    arg = "partner" if isinstance(obj, Partner) else "item"
    getattr(host_of(current_app).hook, hook_name)(**{arg: obj, "created": created, "form_data": form_data})


def is_admin() -> bool:
    return current_user.is_authenticated and current_user.role == "admin"


def protect_credit_fields(form: SafeForm, partner: Partner | None) -> None:
    """Non-administrators see the credit fields read-only; what they post there is ignored."""
    if is_admin():
        return
    for name in CREDIT_FIELDS:
        field = form[name]
        field.process(None, data=getattr(partner, name) if partner else field.default)
        field.render_kw = {**(field.render_kw or {}), "disabled": True}
        field.description = "Only an administrator can change credit fields."


# -- partners -----------------------------------------------------------------------------


@bp.route("/partners")
@require()
def partners():
    q, kind = request.args.get("q", "").strip(), request.args.get("kind", "")
    return render_template("core/partners.html", page=paginate(partner_list(q, kind)), q=q, kind=kind)


def partner_list(q: str, kind: str) -> sa.Select:
    """The partners list (page and API): text search, customers or vendors, by number."""
    stmt = sa.select(Partner).order_by(Partner.number)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(sa.or_(Partner.number.ilike(like), Partner.name.ilike(like), Partner.email.ilike(like)))
    if kind == "customer":
        stmt = stmt.where(Partner.is_customer)
    elif kind == "vendor":
        stmt = stmt.where(Partner.is_vendor)
    return stmt


@bp.route("/partners/new", methods=["GET", "POST"])
@bp.route("/partners/<int:partner_id>", methods=["GET", "POST"])
@require(*EDITORS)
def partner_edit(partner_id: int | None = None):
    partner = record_or_404(Partner, partner_id)
    form = build_form("partner", PartnerForm, obj=partner)
    protect_credit_fields(form, partner)
    fields = [f for f in PARTNER_FIELDS if is_admin() or f not in CREDIT_FIELDS]
    return form_page(form, lambda: save_partner(partner, form, fields), lambda: f"Saved {form.name.data}.",
                     url_for(".partners"), "core/partner_form.html", partner=partner)


# -- items ------------------------------------------------------------------------------


@bp.route("/items")
@require()
def items():
    q, method = request.args.get("q", "").strip(), request.args.get("supply_method", "")
    vendor = request.args.get("vendor", "")
    return render_template("core/items.html", page=paginate(item_list(q, method, vendor)), q=q,
                           supply_method=method, vendor=vendor, methods=SUPPLY_METHODS)


def item_list(q: str, method: str, vendor: str) -> sa.Select:
    """The items list (page and API): text search, supply method, default vendor, by code."""
    stmt = sa.select(Item).options(joinedload(Item.default_vendor)).order_by(Item.code)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(sa.or_(Item.code.ilike(like), Item.description.ilike(like)))
    if method in SUPPLY_METHODS:
        stmt = stmt.where(Item.supply_method == method)
    if vendor:  # a vendor number (any case), or an id as older links carry
        stmt = stmt.where(Item.default_vendor_id == lookup.typed_id(Partner, vendor))
    return stmt


@bp.route("/items/new", methods=["GET", "POST"])
@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
@require(*EDITORS)
def item_edit(item_id: int | None = None):
    item = record_or_404(Item, item_id)
    form = build_form("item", ItemForm, obj=item)
    return form_page(form, lambda: save_item(item, form, ITEM_FIELDS), lambda: f"Saved item {form.code.data}.",
                     url_for(".items"), "core/item_form.html", item=item)


# -- warehouses and stock ----------------------------------------------------------------


@bp.route("/warehouses")
@require()
def warehouses():
    rows = db.session.scalars(sa.select(Warehouse).order_by(Warehouse.code)).all()
    return render_template("core/warehouses.html", warehouses=rows)


def save_warehouse(wh: Warehouse | None, code: str, name: str, address: str) -> Warehouse:
    if _unique_clash(Warehouse, Warehouse.code, code, wh.id if wh else None):
        raise DomainError("code", "This warehouse code is already used.")
    wh = wh or Warehouse()
    wh.code, wh.name, wh.address = code.strip(), name, address
    db.session.add(wh)
    db.session.flush()
    return wh


@bp.route("/warehouses/new", methods=["GET", "POST"])
@bp.route("/warehouses/<int:warehouse_id>", methods=["GET", "POST"])
@require("admin")
def warehouse_edit(warehouse_id: int | None = None):
    wh = record_or_404(Warehouse, warehouse_id)
    form = WarehouseForm(obj=wh)
    return form_page(form, lambda: save_warehouse(wh, form.code.data, form.name.data, form.address.data or ""),
                     lambda: f"Saved warehouse {form.code.data.strip()}.", url_for(".warehouses"),
                     "core/warehouse_form.html", warehouse=wh)


def set_on_hand(item_code: str, warehouse_id: int, on_hand: Decimal) -> Item:
    """Set the quantity on hand under the row lock; never below what is allocated."""
    item = db.session.scalar(sa.select(Item).where(Item.code == item_code.strip()))
    if item is None:
        raise DomainError("item_code", "No item with this code.")
    row = stock_service.locked_row(item.id, warehouse_id)
    if on_hand < row.allocated:
        raise DomainError("on_hand", f"Cannot go below the allocated quantity {row.allocated:f}.")
    row.on_hand = on_hand
    return item


def stock_list(q: str = "") -> sa.Select:
    """Stock levels (page and API): text search on the item, by item code and warehouse."""
    stmt = (sa.select(StockLevel).options(joinedload(StockLevel.item), joinedload(StockLevel.warehouse))
            .join(Item, Item.id == StockLevel.item_id).order_by(Item.code, StockLevel.warehouse_id))
    if q:
        stmt = stmt.where(sa.or_(Item.code.ilike(f"%{q}%"), Item.description.ilike(f"%{q}%")))
    return stmt


def _stock_page(form: StockAdjustForm, q: str = ""):
    return render_template("core/stock.html", page=paginate(stock_list(q)), q=q, form=form)


@bp.route("/stock")
@require()
def stock():
    form = StockAdjustForm()
    form.warehouse_id.choices = warehouse_choices()
    return _stock_page(form, request.args.get("q", "").strip())


@bp.route("/stock/adjust", methods=["POST"])
@require("admin", "purchasing")
def stock_adjust():
    form = StockAdjustForm()
    form.warehouse_id.choices = warehouse_choices()
    if form.validate_on_submit():
        try:
            item = set_on_hand(form.item_code.data, form.warehouse_id.data, form.on_hand.data)
        except DomainError as exc:
            attach_errors(form, exc)
        else:
            flash(f"Stock of {item.code} set to {form.on_hand.data:f}.", "success")
            return redirect(url_for(".stock"))
    return _stock_page(form), 422


# -- CSV import -----------------------------------------------------------------------------


class CsvImportForm(SafeForm):
    file = FileField("CSV file")


@bp.route("/<any(partners, items):kind>/import", methods=["GET", "POST"])
@require(*EDITORS)
def csv_import(kind: str):
    from .csv_import import accepted_values, import_csv

    form = CsvImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        upload = request.files.get("file")
        try:
            count, errors = import_csv(kind, upload.stream if upload else io.BytesIO(), admin=is_admin())
        except DomainError as exc:  # a plugin's saved hook refused a record
            errors = [message for _field, message in exc.errors]
        if not errors:
            flash(f"Imported {count} {kind}.", "success")
            return redirect(url_for(f".{kind}"))
    return render_template("core/csv_import.html", form=form, kind=kind, errors=errors,
                           columns=_import_columns(kind), accepted=accepted_values(kind)), (422 if errors else 200)


def _import_columns(kind: str) -> list[str]:
    from .csv_import import IMPORTS

    return [c for c in IMPORTS[kind].fields if is_admin() or c not in CREDIT_FIELDS]


@bp.route("/<any(partners, items):kind>/import/template.csv")
@require(*EDITORS)
def csv_template(kind: str):
    from .csv_import import template_csv

    return Response(template_csv(kind, _import_columns(kind)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{kind}-template.csv"'})
