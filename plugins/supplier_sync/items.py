"""Finding a supplier's item among our items, or adding it from a catalog (core master data)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from core.db import UnitAmount, db
from core.models import Item
from core.parsing import ParseError, parse_decimal
from core.plugins import host_of

from .models import SupplierConnection


def find_item(vendor_id: int, code: str) -> Item | None:
    """The vendor's item code for this vendor first, then our own item code."""
    item = db.session.scalar(sa.select(Item).where(Item.vendor_item_code == code, Item.default_vendor_id == vendor_id)
                             .order_by(Item.id).limit(1))
    return item or db.session.scalar(sa.select(Item).where(Item.code == code))


def _catalog_item(found: dict[str, Any], supplier_code: str) -> dict[str, Any] | None:
    code = str(found.get("code") or supplier_code).strip()
    if not code or len(code) > 30:
        return None
    values: dict[str, Any] = {"code": code, "description": str(found.get("description") or "")[:200],
                              "uom": (str(found.get("uom") or "EA").strip() or "EA")[:10]}
    for key in ("unit_cost", "list_price"):
        try:
            values[key] = parse_decimal(str(found.get(key, "0")), UnitAmount, low=Decimal(0))
        except ParseError:
            values[key] = Decimal(0)
    return values


def lookup_catalog(conn: SupplierConnection, codes: list[str]) -> dict[str, dict[str, Any] | None]:
    """Ask the catalog hook about each code (network: call it outside any transaction)."""
    host = host_of(current_app)
    return {code: host.hook.supplier_catalog_lookup(conn=conn, vendor_item_code=code) for code in codes}


def unknown_codes(vendor_id: int, codes: list[str]) -> list[str]:
    return [c for c in dict.fromkeys(codes) if find_item(vendor_id, c) is None]


def item_from_catalog(conn: SupplierConnection, code: str, found: Any) -> Item | None:
    """Create the item the catalog answered (fires ``on_item_saved`` like the item page)."""
    host = host_of(current_app)
    values = _catalog_item(found, code) if isinstance(found, dict) else None
    if values is None:
        return None
    existing = db.session.scalar(sa.select(Item).where(Item.code == values["code"]))
    if existing is not None:
        return existing
    item = Item(**values, stocked=False, supply_method="buy_to_order", default_vendor_id=conn.vendor_id,
                vendor_item_code=code, active=True)
    db.session.add(item)
    db.session.flush()
    form_data = {**values, "stocked": False, "supply_method": "buy_to_order",
                 "default_vendor_id": conn.vendor_id, "vendor_item_code": code, "active": True}
    host.hook.on_item_saved(item=item, created=True, form_data=form_data)
    return item
