"""Core's resources: partners, items, warehouses, stock (adjustments), setup options."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import abort, current_app
from flask_login import current_user

from ..auth import require
from ..db import Quantity, db
from ..errors import ValidationError
from ..masterdata import item_list, partner_list, set_on_hand, stock_list
from ..models import Item, Partner, StockLevel, Warehouse
from ..options import OptionError, apply_changes, coerce, is_available, registry, to_json
from . import Blueprint
from .fields import DecimalOut, Id, Number, Text
from .lists import PageArgs, page_schema, read_page
from .problems import from_validation, problem

partners_bp = Blueprint("partners", __name__, url_prefix="/api/v1/partners", description="Customers and vendors.")
items_bp = Blueprint("items", __name__, url_prefix="/api/v1/items", description="Items.")
warehouses_bp = Blueprint("warehouses", __name__, url_prefix="/api/v1/warehouses", description="Warehouses.")
stock_bp = Blueprint("stock", __name__, url_prefix="/api/v1/stock", description="Stock levels.")
options_bp = Blueprint("options", __name__, url_prefix="/api/v1/options", description="Setup options.")


# -- schemas -----------------------------------------------------------------------------------


class PartnerSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    phone = ma.fields.String(required=True)
    is_customer = ma.fields.Boolean(required=True)
    is_vendor = ma.fields.Boolean(required=True)
    bill_to_address = ma.fields.String(required=True)
    ship_to_address = ma.fields.String(required=True)
    ship_via = ma.fields.String(required=True)
    fob = ma.fields.String(required=True)
    credit_limit = DecimalOut(required=True)
    terms_days = ma.fields.Integer(required=True)
    active = ma.fields.Boolean(required=True)


class ItemSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    uom = ma.fields.String(required=True)
    unit_cost = DecimalOut(required=True)
    list_price = DecimalOut(required=True)
    stocked = ma.fields.Boolean(required=True)
    supply_method = ma.fields.String(required=True)
    default_vendor_id = Id(allow_none=True, required=True)
    vendor_item_code = ma.fields.String(required=True)
    active = ma.fields.Boolean(required=True)


class WarehouseSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    address = ma.fields.String(required=True)


class StockLevelSchema(ma.Schema):
    item_id = ma.fields.Integer(required=True)
    item_code = ma.fields.Function(lambda s: s.item.code, required=True, metadata={"type": "string"})
    warehouse_id = ma.fields.Integer(required=True)
    warehouse_code = ma.fields.Function(lambda s: s.warehouse.code, required=True, metadata={"type": "string"})
    on_hand = DecimalOut(required=True)
    allocated = DecimalOut(required=True)
    available = DecimalOut(required=True)


class PartnerArgs(PageArgs):
    q = Text(200, load_default="", metadata={"description": "Number, name or e-mail contains."})
    kind = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", "customer", "vendor"]))


class ItemArgs(PageArgs):
    q = Text(200, load_default="", metadata={"description": "Code or description contains."})
    supply_method = Text(20, load_default="")
    vendor = Text(20, load_default="", metadata={"description": "Default vendor id."})


class StockArgs(PageArgs):
    q = Text(200, load_default="")


class StockAdjustSchema(ma.Schema):
    item_code = Text(30, required=True)
    warehouse_id = Id(required=True)
    on_hand = Number(Quantity, low=0, required=True)


# -- partners, items, warehouses, stock (read) ---------------------------------------------------


@partners_bp.route("")
@require()
@partners_bp.arguments(PartnerArgs, location="query")
@partners_bp.response(200, page_schema(PartnerSchema, "PartnerPage"))
def list_partners(args: dict[str, Any]):
    """Customers and vendors, by number (the filters of the Customers & vendors page)."""
    return read_page(partner_list(args["q"].strip(), args["kind"]), args)


@partners_bp.route("/<int:partner_id>")
@require()
@partners_bp.response(200, PartnerSchema)
def get_partner(partner_id: int):
    """One customer or vendor."""
    return db.session.get(Partner, partner_id) or abort(404)


@items_bp.route("")
@require()
@items_bp.arguments(ItemArgs, location="query")
@items_bp.response(200, page_schema(ItemSchema, "ItemPage"))
def list_items(args: dict[str, Any]):
    """Items, by code (the filters of the Items page)."""
    return read_page(item_list(args["q"].strip(), args["supply_method"], args["vendor"]), args)


@items_bp.route("/<int:item_id>")
@require()
@items_bp.response(200, ItemSchema)
def get_item(item_id: int):
    """One item."""
    return db.session.get(Item, item_id) or abort(404)


@warehouses_bp.route("")
@require()
@warehouses_bp.arguments(PageArgs, location="query")
@warehouses_bp.response(200, page_schema(WarehouseSchema, "WarehousePage"))
def list_warehouses(args: dict[str, Any]):
    """Warehouses, by code."""
    return read_page(sa.select(Warehouse).order_by(Warehouse.code), args)


@warehouses_bp.route("/<int:warehouse_id>")
@require()
@warehouses_bp.response(200, WarehouseSchema)
def get_warehouse(warehouse_id: int):
    """One warehouse."""
    return db.session.get(Warehouse, warehouse_id) or abort(404)


@stock_bp.route("")
@require()
@stock_bp.arguments(StockArgs, location="query")
@stock_bp.response(200, page_schema(StockLevelSchema, "StockPage"))
def list_stock(args: dict[str, Any]):
    """Stock levels by item code and warehouse (the Stock page's search)."""
    return read_page(stock_list(args["q"].strip()), args)


@stock_bp.route("/adjustments", methods=["POST"])
@require("admin", "purchasing")
@stock_bp.arguments(StockAdjustSchema)
@stock_bp.response(200, StockLevelSchema)
def adjust_stock(data: dict[str, Any]):
    """Set the quantity on hand of an item in a warehouse (never below what is allocated),
    as the Stock page's adjustment does."""
    warehouse = db.session.get(Warehouse, data["warehouse_id"]) if data["warehouse_id"] else None
    if warehouse is None:
        return problem(422, "Choose a warehouse.", errors=[("warehouse_id", "Choose a warehouse.")])
    item = set_on_hand(data["item_code"], warehouse.id, data["on_hand"])
    db.session.flush()
    return db.session.scalar(sa.select(StockLevel).where(StockLevel.item_id == item.id,
                                                         StockLevel.warehouse_id == warehouse.id))


# -- setup options ----------------------------------------------------------------------------------


class OptionSchema(ma.Schema):
    key = ma.fields.String(required=True)
    type = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    tab = ma.fields.String(required=True)
    value = ma.fields.Raw(required=True, allow_none=True)
    default = ma.fields.Raw(required=True, allow_none=True)
    available = ma.fields.Boolean(required=True)
    choices = ma.fields.List(ma.fields.String(), required=True)


class PluginOptionsSchema(ma.Schema):
    plugin = ma.fields.String(required=True)
    options = ma.fields.List(ma.fields.Nested(OptionSchema), required=True)


class OptionChangeSchema(ma.Schema):
    values = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(allow_none=True), required=True,
                            metadata={"description": "Option key -> new value (as in the options export)."})


def _enabled_plugins_with_options() -> list[str]:
    from ..plugins import host_of

    host = host_of(current_app)
    enabled = host.enabled()
    return [n for n in host.order() if n in registry().declared and n in enabled]


def _options_of(plugin: str) -> dict[str, Any]:
    reg = registry()
    declared, current = reg.declared[plugin], reg.current(plugin)
    return {"plugin": plugin, "options": [
        {"key": key, "type": opt.type, "label": opt.label, "tab": opt.tab, "value": to_json(opt, current[key]),
         "default": to_json(opt, opt.default), "available": is_available(opt, current, declared),
         "choices": [c for c, _label in opt.choices]} for key, opt in declared.items()]}


def _check_plugin(plugin: str) -> None:
    if plugin not in _enabled_plugins_with_options():
        abort(404)


@options_bp.route("")
@require()
@options_bp.response(200, PluginOptionsSchema(many=True))
def list_options():
    """Every enabled module's setup options with their current values."""
    return [_options_of(p) for p in _enabled_plugins_with_options()]


@options_bp.route("/<plugin>")
@require()
@options_bp.response(200, PluginOptionsSchema)
def get_options(plugin: str):
    """One module's setup options."""
    _check_plugin(plugin)
    return _options_of(plugin)


@options_bp.route("/<plugin>", methods=["PATCH"])
@require("admin")
@options_bp.arguments(OptionChangeSchema)
@options_bp.response(200, PluginOptionsSchema)
def change_options(data: dict[str, Any], plugin: str):
    """Change some options, with the options page's checks (type, range, availability), audit and hooks."""
    _check_plugin(plugin)
    reg = registry()
    declared = reg.declared[plugin]
    merged = {**reg.current(plugin)}
    values: dict[str, Any] = {}
    errors: list[tuple[str | None, str]] = []
    for key, raw in data["values"].items():
        opt = declared.get(key)
        if opt is None:
            errors.append((f"values/{key}", "There is no such option."))
            continue
        try:
            values[key] = merged[key] = coerce(opt, raw)
        except OptionError as exc:
            errors.append((f"values/{key}", exc.message))
    for key in values:
        if not is_available(declared[key], merged, declared):
            errors.append((f"values/{key}", declared[key].condition_text(declared) + "."))
    if errors:
        return problem(422, "Some options are not valid; nothing was saved.", errors=errors)
    try:
        apply_changes(plugin, values, user_id=current_user.id, source="api")
    except ValidationError as exc:  # a plugin's on_options_changed refused (HookError)
        reg.forget_cache()
        return from_validation(exc)
    return _options_of(plugin)


BLUEPRINTS = [partners_bp, items_bp, warehouses_bp, stock_bp, options_bp]
