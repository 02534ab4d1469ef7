"""Order entry helpers: codes typed on the form, the type-ahead's answers, what the page shows.

The order form takes customers, items and vendors as typed codes. With JavaScript the
type-ahead also fills their ids; without it the codes are resolved here, in one query per
kind, and an unknown code is refused beside its field. Nothing here reads every item or
customer: look-ups are index range scans (:mod:`core.lookup`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core import lookup, stock
from core.models import SUPPLY_METHODS, Item, Partner

from .forms import OrderForm, shown_decimal


@dataclass
class Names:
    """What the form shows beside the typed codes: names, units, available stock (by line index)."""

    customer: str = ""
    terms_days: int | None = None
    items: dict[int, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)
    available: dict[int, str] = field(default_factory=dict)
    vendors: dict[int, str] = field(default_factory=dict)


def resolve_codes(form: OrderForm) -> tuple[list[tuple[str, str]], Names]:
    """Set the ids from the typed codes (a typed code wins over a posted id).

    Returns the refusals (field, message) for codes that name nothing, and the names found.
    Two queries however many lines: one for the items, one for the customer and vendors.
    """
    errors: list[tuple[str, str]] = []
    names = Names()
    lines = [(i, e.form) for i, e in enumerate(form.lines.entries)]
    items = lookup.by_codes(Item, [lf.item_code.data or "" for _, lf in lines])
    partners = lookup.by_codes(Partner, [form.customer_code.data or ""] + [lf.vendor_code.data or "" for _, lf in lines])
    typed = (form.customer_code.data or "").strip()
    if typed:
        customer = partners.get(typed.lower())
        if customer is None or not customer.is_customer:
            errors.append(("customer_id", f"No customer has the number {typed}."))
        form.customer_id.data = customer.id if customer is not None and customer.is_customer else None
        if customer is not None and customer.is_customer:
            names.customer, names.terms_days = customer.name, customer.terms_days
    for i, lf in lines:
        code = (lf.item_code.data or "").strip()
        if code:
            item = items.get(code.lower())
            lf.item_id.data = item.id if item is not None else None
            if item is None:
                errors.append((f"lines-{i}-item_id", f"No item has the code {code}."))
            else:
                names.items[i], names.units[i] = item.description, item.uom
        vendor_code = (lf.vendor_code.data or "").strip()
        if vendor_code:
            vendor = partners.get(vendor_code.lower())
            ok = vendor is not None and vendor.is_vendor
            lf.vendor_id.data = vendor.id if ok else None
            if not ok:
                errors.append((f"lines-{i}-vendor_id", f"No vendor has the number {vendor_code}."))
            else:
                names.vendors[i] = vendor.name
    _codes_for_ids(form, lines, names)
    return errors, names


def _codes_for_ids(form: OrderForm, lines: list, names: Names) -> None:
    """Ids posted without their codes (scripts, the API's callers): the page shows the codes."""
    item_ids = {lf.item_id.data for _, lf in lines if lf.item_id.data and not (lf.item_code.data or "").strip()}
    partner_ids = {lf.vendor_id.data for _, lf in lines if lf.vendor_id.data and not (lf.vendor_code.data or "").strip()}
    if form.customer_id.data and not (form.customer_code.data or "").strip():
        partner_ids.add(form.customer_id.data)
    items = lookup.by_ids(Item, item_ids)
    partners = lookup.by_ids(Partner, partner_ids)
    if (customer := partners.get(form.customer_id.data)) is not None and not (form.customer_code.data or "").strip():
        form.customer_code.data, names.customer, names.terms_days = customer.number, customer.name, customer.terms_days
    for i, lf in lines:
        if (item := items.get(lf.item_id.data)) is not None and not (lf.item_code.data or "").strip():
            lf.item_code.data, names.items[i], names.units[i] = item.code, item.description, item.uom
        if (vendor := partners.get(lf.vendor_id.data)) is not None and not (lf.vendor_code.data or "").strip():
            lf.vendor_code.data, names.vendors[i] = vendor.number, vendor.name


def fill_codes(form: OrderForm, order: Any, warehouse_id: int | None) -> Names:
    """An order opened for editing: its codes, names and the lines' available stock."""
    names = Names()
    if order.customer is not None:
        form.customer_code.data = order.customer.number
        names.customer, names.terms_days = order.customer.name, order.customer.terms_days
    by_id = {line.id: line for line in order.lines}
    pairs = {(line.item_id, line.warehouse_id or warehouse_id) for line in order.lines if line.item_id}
    avail = stock.available_many({p for p in pairs if p[1]})
    for i, entry in enumerate(form.lines.entries):
        line = by_id.get(int(entry.form.id.data)) if str(entry.form.id.data or "").isdigit() else None
        if line is None:
            continue
        entry.form.item_code.data = line.item.code if line.item else ""
        entry.form.vendor_code.data = line.vendor.number if line.vendor else ""
        if line.item is not None:
            names.items[i], names.units[i] = line.item.description, line.item.uom
            place = (line.item_id, line.warehouse_id or warehouse_id)
            if place in avail:
                names.available[i] = shown_decimal(avail[place])
        if line.vendor is not None:
            names.vendors[i] = line.vendor.name
    return names


# -- the type-ahead's answers -------------------------------------------------------------------


def customer_rows(text: str) -> list[dict[str, Any]]:
    """Customers for the type-ahead, with what choosing one fills in."""
    return [{"id": c.id, "code": c.number, "name": c.name, "ship_to": c.ship_to_address or "",
             "ship_via": c.ship_via or "", "fob": c.fob or "", "email": c.email or "",
             "terms": f"{c.terms_days} days" if c.terms_days is not None else ""}
            for c in lookup.search_partners(text, "customers")]


def item_rows(text: str, warehouse_id: int | None, price_places: int) -> list[dict[str, Any]]:
    """Items for the type-ahead: description, unit, price, vendor (bought items), available stock."""
    items = lookup.search_items(text)
    avail = stock.available_many({(i.id, warehouse_id) for i in items}) if warehouse_id else {}
    rows = []
    for i in items:
        bought = i.supply_method in ("buy_to_order", "drop_ship")
        vendor = i.default_vendor if bought else None
        rows.append({
            "id": i.id, "code": i.code, "name": i.description, "unit": i.uom,
            "price": shown_decimal(i.list_price or Decimal(0), price_places),
            "supply": i.supply_method, "supply_label": SUPPLY_METHODS.get(i.supply_method, i.supply_method),
            "drop_ship": i.supply_method == "drop_ship",
            "vendor": {"id": vendor.id, "code": vendor.number, "name": vendor.name} if vendor else None,
            "available": shown_decimal(avail[(i.id, warehouse_id)]) if (i.id, warehouse_id) in avail and i.stocked
            else None,
        })
    return rows
