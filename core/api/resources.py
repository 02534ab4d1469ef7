"""Core's resources: partners, items, warehouses, stock (adjustments), setup options."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import abort, current_app
from flask_login import current_user

from ..db import Quantity, db
from ..errors import ValidationError
from ..masterdata import item_list, partner_list, set_on_hand, stock_list
from ..models import Item, Partner, StockLevel, Warehouse
from ..options import OptionError, apply_changes, coerce, is_available, registry, to_json
from . import Blueprint
from .endpoints import operation, records
from .fields import Id, Number, Text
from .lists import PageArgs, page_schema, read_page
from .problems import from_validation, problem
from .schemas import many, output, text_of

partners_bp = Blueprint("partners", __name__, url_prefix="/api/v1/partners", description="Customers and vendors.")
items_bp = Blueprint("items", __name__, url_prefix="/api/v1/items", description="Items.")
warehouses_bp = Blueprint("warehouses", __name__, url_prefix="/api/v1/warehouses", description="Warehouses.")
stock_bp = Blueprint("stock", __name__, url_prefix="/api/v1/stock", description="Stock levels.")
options_bp = Blueprint("options", __name__, url_prefix="/api/v1/options", description="Setup options.")


# -- schemas -----------------------------------------------------------------------------------


PartnerSchema = output("PartnerSchema", "id:int number name email phone is_customer:bool is_vendor:bool "
                       "bill_to_address ship_to_address ship_via fob credit_limit:decimal terms_days:int active:bool")
ItemSchema = output("ItemSchema", "id:int code description uom unit_cost:decimal list_price:decimal stocked:bool "
                    "supply_method default_vendor_id:id? vendor_item_code active:bool")
WarehouseSchema = output("WarehouseSchema", "id:int code name address")
StockLevelSchema = output("StockLevelSchema", "item_id:int warehouse_id:int on_hand:decimal allocated:decimal "
                          "available:decimal", item_code=text_of(lambda s: s.item.code),
                          warehouse_code=text_of(lambda s: s.warehouse.code))


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


records(partners_bp, "partner", PartnerSchema, query=PartnerArgs, load=Partner,
        select=lambda a: partner_list(a["q"].strip(), a["kind"]),
        docs=("Customers and vendors, by number (the filters of the Customers & vendors page).",
              "One customer or vendor."))
records(items_bp, "item", ItemSchema, query=ItemArgs, load=Item,
        select=lambda a: item_list(a["q"].strip(), a["supply_method"], a["vendor"]),
        docs=("Items, by code (the filters of the Items page).", "One item."))
records(warehouses_bp, "warehouse", WarehouseSchema, load=Warehouse,
        select=lambda _a: sa.select(Warehouse).order_by(Warehouse.code), docs=("Warehouses, by code.", "One warehouse."))


@operation(stock_bp, "", query=StockArgs, response=page_schema(StockLevelSchema, "StockPage"))
def list_stock(args: dict[str, Any]):
    """Stock levels by item code and warehouse (the Stock page's search)."""
    return read_page(stock_list(args["q"].strip()), args)


@operation(stock_bp, "/adjustments", roles=("admin", "purchasing"), methods=["POST"], body=StockAdjustSchema,
           response=StockLevelSchema)
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


OptionSchema = output("OptionSchema", "key type label tab value:raw default:raw available:bool choices:strs")
PluginOptionsSchema = output("PluginOptionsSchema", "plugin", options=many(OptionSchema))


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


@operation(options_bp, "", response=PluginOptionsSchema(many=True))
def list_options():
    """Every enabled module's setup options with their current values."""
    return [_options_of(p) for p in _enabled_plugins_with_options()]


@operation(options_bp, "/<plugin>", response=PluginOptionsSchema)
def get_options(plugin: str):
    """One module's setup options."""
    _check_plugin(plugin)
    return _options_of(plugin)


@operation(options_bp, "/<plugin>", roles=["admin"], methods=["PATCH"], body=OptionChangeSchema,
           response=PluginOptionsSchema)
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
