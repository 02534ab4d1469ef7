"""Master data pages: customers and vendors, items, warehouses, stock; CSV import."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FileField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from . import stock as stock_service
from .auth import require
from .db import db
from .forms import Email, build_form
from .models import SUPPLY_METHODS, Item, Partner, StockLevel, Warehouse
from .plugins import HookError, host_of
from .web import paginate

bp = Blueprint("masterdata", __name__)

EDITORS = ("sales", "purchasing")


class PartnerForm(FlaskForm):
    number = StringField("Number", validators=[DataRequired(), Length(max=20)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = StringField("E-mail", validators=[Optional(), Email(), Length(max=254)])
    phone = StringField("Phone", validators=[Length(max=40)])
    is_customer = BooleanField("Customer")
    is_vendor = BooleanField("Vendor")
    bill_to_address = TextAreaField("Bill-to address")
    ship_to_address = TextAreaField("Ship-to address")
    ship_via = StringField("Ship via", validators=[Length(max=40)])
    fob = StringField("FOB", validators=[Length(max=40)])
    credit_limit = DecimalField("Credit limit", places=2, default=Decimal("0"),
                                validators=[Optional(), NumberRange(min=0)])
    terms_days = IntegerField("Invoice terms (days)", default=30, validators=[Optional(), NumberRange(0, 999)])
    current_balance = DecimalField("Current balance", places=2, default=Decimal("0"), validators=[Optional()])
    oldest_unpaid_invoice_date = DateField("Oldest unpaid invoice", validators=[Optional()])
    credit_status = IntegerField("Credit status", default=0, validators=[Optional(), NumberRange(0, 9)],
                                 description="SYSPRO's credit status: months overdue (0-9).")
    active = BooleanField("Active", default=True)

    def validate_is_vendor(self, field) -> None:
        if not (field.data or self.is_customer.data):
            raise ValidationError("A partner must be a customer, a vendor or both.")


class ItemForm(FlaskForm):
    code = StringField("Item code", validators=[DataRequired(), Length(max=30)])
    description = StringField("Description", validators=[Length(max=200)])
    uom = StringField("Unit of measure", default="EA", validators=[DataRequired(), Length(max=10)])
    unit_cost = DecimalField("Unit cost", places=5, default=Decimal("0"), validators=[Optional(), NumberRange(min=0)])
    list_price = DecimalField("List price", places=5, default=Decimal("0"), validators=[Optional(), NumberRange(min=0)])
    stocked = BooleanField("Stocked", default=True)
    supply_method = SelectField("Supply method", choices=list(SUPPLY_METHODS.items()))
    default_vendor_id = SelectField("Default vendor", coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                                    validate_choice=False)
    vendor_item_code = StringField("Vendor's item code", validators=[Length(max=40)])
    min_margin_pct = DecimalField("Minimum margin %", places=2, default=Decimal("0"),
                                  validators=[Optional(), NumberRange(0, 1000)])
    active = BooleanField("Active", default=True)

    def validate_default_vendor_id(self, field) -> None:
        if field.data is not None:
            vendor = db.session.get(Partner, field.data)
            if vendor is None or not vendor.is_vendor:
                raise ValidationError("Choose a vendor.")


class WarehouseForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=10)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    address = TextAreaField("Address")


def vendor_choices() -> list[tuple[Any, str]]:
    rows = db.session.execute(sa.select(Partner.id, Partner.number, Partner.name)
                              .where(Partner.is_vendor, Partner.active).order_by(Partner.number)).all()
    return [("", "— none —")] + [(r.id, f"{r.number} {r.name}") for r in rows]


# -- partners -----------------------------------------------------------------------------


@bp.route("/partners")
@require()
def partners():
    q, kind = request.args.get("q", "").strip(), request.args.get("kind", "")
    stmt = sa.select(Partner).order_by(Partner.number)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(sa.or_(Partner.number.ilike(like), Partner.name.ilike(like), Partner.email.ilike(like)))
    if kind == "customer":
        stmt = stmt.where(Partner.is_customer)
    elif kind == "vendor":
        stmt = stmt.where(Partner.is_vendor)
    return render_template("core/partners.html", page=paginate(stmt), q=q, kind=kind)


def _save_record(obj: Any, form: FlaskForm, hook_name: str, created: bool, fields: list[str]) -> None:
    for name in fields:
        value = form[name].data
        if isinstance(form[name], DecimalField | IntegerField) and value is None:
            value = form[name].default
        setattr(obj, name, value.strip() if isinstance(value, str) and name in ("number", "code") else value)
    db.session.add(obj)
    db.session.flush()
    arg = "partner" if isinstance(obj, Partner) else "item"
    getattr(host_of(current_app).hook, hook_name)(**{arg: obj, "created": created, "form_data": dict(form.data)})


ITEM_FIELDS = ["code", "description", "uom", "unit_cost", "list_price", "stocked", "supply_method",
               "default_vendor_id", "vendor_item_code", "min_margin_pct", "active"]
PARTNER_FIELDS = ["number", "name", "email", "phone", "is_customer", "is_vendor", "bill_to_address",
                  "ship_to_address", "ship_via", "fob", "credit_limit", "terms_days", "current_balance",
                  "oldest_unpaid_invoice_date", "credit_status", "active"]


def _unique_clash(model: Any, column: Any, value: str, own_id: int | None) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)
                             .where(column == value.strip(), model.id != (own_id or -1))) > 0


@bp.route("/partners/new", methods=["GET", "POST"])
@bp.route("/partners/<int:partner_id>", methods=["GET", "POST"])
@require(*EDITORS)
def partner_edit(partner_id: int | None = None):
    partner = db.session.get(Partner, partner_id) if partner_id else None
    if partner_id and partner is None:
        abort(404)
    form = build_form("partner", PartnerForm, obj=partner)
    if form.validate_on_submit():
        if _unique_clash(Partner, Partner.number, form.number.data, partner_id):
            form.number.errors.append("This number is already used.")
        else:
            try:
                _save_record(partner or Partner(), form, "on_partner_saved", partner is None, PARTNER_FIELDS)
                db.session.commit()
            except HookError as exc:
                db.session.rollback()
                flash(str(exc), "error")
            else:
                flash(f"Saved {form.name.data}.", "success")
                return redirect(url_for(".partners"))
    return render_template("core/partner_form.html", form=form, partner=partner), (422 if form.errors else 200)


# -- items ------------------------------------------------------------------------------


@bp.route("/items")
@require()
def items():
    q, method = request.args.get("q", "").strip(), request.args.get("supply_method", "")
    vendor = request.args.get("vendor", "")
    stmt = sa.select(Item).options(joinedload(Item.default_vendor)).order_by(Item.code)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(sa.or_(Item.code.ilike(like), Item.description.ilike(like)))
    if method in SUPPLY_METHODS:
        stmt = stmt.where(Item.supply_method == method)
    if vendor.isdigit():
        stmt = stmt.where(Item.default_vendor_id == int(vendor))
    return render_template("core/items.html", page=paginate(stmt), q=q, supply_method=method, vendor=vendor,
                           methods=SUPPLY_METHODS, vendors=vendor_choices()[1:])


@bp.route("/items/new", methods=["GET", "POST"])
@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
@require(*EDITORS)
def item_edit(item_id: int | None = None):
    item = db.session.get(Item, item_id) if item_id else None
    if item_id and item is None:
        abort(404)
    form = build_form("item", ItemForm, obj=item)
    form.default_vendor_id.choices = vendor_choices()
    if form.validate_on_submit():
        if _unique_clash(Item, Item.code, form.code.data, item_id):
            form.code.errors.append("This item code is already used.")
        else:
            try:
                _save_record(item or Item(), form, "on_item_saved", item is None, ITEM_FIELDS)
                db.session.commit()
            except HookError as exc:
                db.session.rollback()
                flash(str(exc), "error")
            else:
                flash(f"Saved item {form.code.data}.", "success")
                return redirect(url_for(".items"))
    return render_template("core/item_form.html", form=form, item=item), (422 if form.errors else 200)


# -- warehouses and stock ----------------------------------------------------------------


@bp.route("/warehouses")
@require()
def warehouses():
    rows = db.session.scalars(sa.select(Warehouse).order_by(Warehouse.code)).all()
    return render_template("core/warehouses.html", warehouses=rows)


@bp.route("/warehouses/new", methods=["GET", "POST"])
@bp.route("/warehouses/<int:warehouse_id>", methods=["GET", "POST"])
@require("admin")
def warehouse_edit(warehouse_id: int | None = None):
    wh = db.session.get(Warehouse, warehouse_id) if warehouse_id else None
    if warehouse_id and wh is None:
        abort(404)
    form = WarehouseForm(obj=wh)
    if form.validate_on_submit():
        if _unique_clash(Warehouse, Warehouse.code, form.code.data, warehouse_id):
            form.code.errors.append("This warehouse code is already used.")
        else:
            wh = wh or Warehouse()
            wh.code, wh.name, wh.address = form.code.data.strip(), form.name.data, form.address.data or ""
            db.session.add(wh)
            db.session.commit()
            flash(f"Saved warehouse {wh.code}.", "success")
            return redirect(url_for(".warehouses"))
    return render_template("core/warehouse_form.html", form=form, warehouse=wh), (422 if form.errors else 200)


class StockAdjustForm(FlaskForm):
    item_code = StringField("Item code", validators=[DataRequired()])
    warehouse_id = SelectField("Warehouse", coerce=int)
    on_hand = DecimalField("New quantity on hand", places=4, validators=[DataRequired(message="Enter a quantity."),
                                                                        NumberRange(min=0)])


@bp.route("/stock")
@require()
def stock():
    q = request.args.get("q", "").strip()
    stmt = (sa.select(StockLevel).options(joinedload(StockLevel.item), joinedload(StockLevel.warehouse))
            .join(Item, Item.id == StockLevel.item_id).order_by(Item.code, StockLevel.warehouse_id))
    if q:
        stmt = stmt.where(sa.or_(Item.code.ilike(f"%{q}%"), Item.description.ilike(f"%{q}%")))
    form = StockAdjustForm()
    form.warehouse_id.choices = [(w.id, str(w)) for w in db.session.scalars(sa.select(Warehouse).order_by(Warehouse.code))]
    return render_template("core/stock.html", page=paginate(stmt), q=q, form=form)


@bp.route("/stock/adjust", methods=["POST"])
@require("admin", "purchasing")
def stock_adjust():
    form = StockAdjustForm()
    form.warehouse_id.choices = [(w.id, str(w)) for w in db.session.scalars(sa.select(Warehouse))]
    if form.validate_on_submit():
        item = db.session.scalar(sa.select(Item).where(Item.code == form.item_code.data.strip()))
        if item is None:
            form.item_code.errors.append("No item with this code.")
        else:
            row = stock_service.locked_row(item.id, form.warehouse_id.data)
            if form.on_hand.data < row.allocated:
                form.on_hand.errors.append(f"Cannot go below the allocated quantity {row.allocated:f}.")
            else:
                row.on_hand = form.on_hand.data
                db.session.commit()
                flash(f"Stock of {item.code} set to {form.on_hand.data:f}.", "success")
                return redirect(url_for(".stock"))
    q = ""
    stmt = (sa.select(StockLevel).options(joinedload(StockLevel.item), joinedload(StockLevel.warehouse))
            .join(Item, Item.id == StockLevel.item_id).order_by(Item.code))
    return render_template("core/stock.html", page=paginate(stmt), q=q, form=form), 422



# -- CSV import -----------------------------------------------------------------------------

IMPORTS = {
    "partners": (PartnerForm, Partner, Partner.number, "number", PARTNER_FIELDS, "on_partner_saved"),
    "items": (ItemForm, Item, Item.code, "code", ITEM_FIELDS, "on_item_saved"),
}


class CsvImportForm(FlaskForm):
    file = FileField("CSV file")


def _csv_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (first line number, row) pairs; quoted fields may span lines (addresses)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    rows, last = [], reader.line_num
    for row in reader:
        rows.append((last + 1, row))
        last = reader.line_num
    return header, rows


def import_csv(kind: str, text: str) -> tuple[int, list[str]]:
    """Validate every row with the record's own form; import all rows or none.

    Returns (rows imported, errors as "line N: field: message"). Commits on success.
    """
    form_cls, model, key_col, key_field, fields, hook_name = IMPORTS[kind]
    try:
        header, rows = _csv_rows(text)
    except csv.Error as exc:
        return 0, [f"the file is not valid CSV: {exc}"]
    unknown = [h for h in header if h not in fields and not (kind == "items" and h == "default_vendor")]
    errors: list[str] = []
    if not header or key_field not in header:
        return 0, [f"line 1: the header must name the column '{key_field}'"]
    if unknown:
        errors.append(f"line 1: unknown column(s): {', '.join(unknown)}")
    vendors = {n: i for n, i in db.session.execute(sa.select(Partner.number, Partner.id).where(Partner.is_vendor))}
    seen: dict[str, int] = {}
    valid: list[tuple[FlaskForm, Any]] = []
    for lineno, row in rows:
        if None in row:
            errors.append(f"line {lineno}: more values than columns in the header")
            continue
        data = MultiDict({k: (v or "").strip() for k, v in row.items() if k in fields})
        for flag in ("is_customer", "is_vendor", "stocked", "active"):
            if flag in data and data[flag].lower() in ("0", "n", "no", "false", ""):
                data.pop(flag)
        if kind == "items" and row.get("default_vendor"):
            vid = vendors.get(row["default_vendor"].strip())
            if vid is None:
                errors.append(f"line {lineno}: default_vendor: no vendor numbered {row['default_vendor']!r}")
                continue
            data["default_vendor_id"] = str(vid)
        if "active" not in row:
            data["active"] = "y"
        form = form_cls(formdata=data, meta={"csrf": False})
        if kind == "items":
            form.default_vendor_id.choices = [("", "")]
        key = data.get(key_field, "")
        if key in seen:
            errors.append(f"line {lineno}: {key_field}: {key!r} repeats line {seen[key]}")
        seen[key] = lineno
        if not form.validate():
            for field, msgs in form.errors.items():
                errors.extend(f"line {lineno}: {field}: {m}" for m in msgs)
            continue
        existing = db.session.scalar(sa.select(model).where(key_col == key))
        valid.append((form, existing))
    if not rows:
        errors.append("the file has no data rows")
    if errors:
        return 0, errors
    try:
        for form, existing in valid:
            # only the columns the file has; a new record is active unless the file says otherwise
            present = [f for f in fields if f in header or (f == "active" and existing is None)
                       or (f == "default_vendor_id" and "default_vendor" in header)]
            _save_record(existing or model(), form, hook_name, existing is None, present)
        db.session.commit()
    except HookError as exc:
        db.session.rollback()
        return 0, [str(exc)]
    return len(valid), []


@bp.route("/<any(partners, items):kind>/import", methods=["GET", "POST"])
@require(*EDITORS)
def csv_import(kind: str):
    form = CsvImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        upload = request.files.get("file")
        try:
            text = (upload.read() if upload else b"").decode("utf-8-sig")
        except UnicodeDecodeError:
            errors = ["the file is not UTF-8 text"]
        else:
            count, errors = import_csv(kind, text)
            if not errors:
                flash(f"Imported {count} {kind}.", "success")
                return redirect(url_for(f".{kind}"))
    return render_template("core/csv_import.html", form=form, kind=kind, errors=errors,
                           columns=IMPORTS[kind][4]), (422 if errors else 200)
