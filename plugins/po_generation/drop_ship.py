"""A drop-ship PO made by hand from a sales order (*Include All Drop Ship Line Items*).

The buyer names a sales order and the PO vendor; the PO takes that vendor's drop-ship
lines (*Only for PO Vendor*), all of the order's drop-ship lines (*Yes*), or whichever
the buyer says (*Prompt*). Every check is here; the page only passes what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from core import lookup
from core.db import db
from core.errors import ValidationError
from core.models import Partner
from core.parsing import parse_id
from plugins.purchase_order.models import PurchaseOrder
from plugins.sales_order.models import DONE_STATUSES, SalesOrder

from . import links, purchasing, settings
from .choices import INCLUDE_ALL, INCLUDE_VENDOR
from .inputs import HELD, Selection, load_inputs
from .rules import LineIn


@dataclass
class DropShipPage:
    """What the page shows: the order found from what was typed, its drop-ship lines and their
    vendors' numbers (the PO vendor is typed, with suggestions: no list of every vendor)."""

    order: SalesOrder | None
    so_number: str
    lines: list[LineIn] = field(default_factory=list)
    vendor_numbers: dict[int, str] = field(default_factory=dict)


def find_order(so_number: str | None, order_id: str | None) -> tuple[SalesOrder | None, str]:
    so_number = (so_number or "").strip()
    if so_number:
        return db.session.scalar(sa.select(SalesOrder).where(SalesOrder.number == so_number)), so_number
    oid = parse_id(order_id)
    order = db.session.get(SalesOrder, oid) if oid is not None else None
    return order, (order.number if order else "")


def page(so_number: str | None, order_id: str | None) -> DropShipPage:
    order, number = find_order(so_number, order_id)
    lines = drop_ship_lines(order.id, 0, include_all=True) if order is not None else []
    vendors = lookup.by_ids(Partner, {ln.resolved_vendor_id for ln in lines})
    return DropShipPage(order, number, lines, {pid: p.number for pid, p in vendors.items()})


def drop_ship_lines(order_id: int, vendor_id: int, *, include_all: bool) -> list[LineIn]:
    """The order's drop-ship lines still to be ordered that a drop-ship PO for ``vendor_id``
    takes: those whose vendor is that vendor, or every one (``include_all``)."""
    inputs = load_inputs(Selection(order_ids=[order_id]))
    return sorted((ln for ln in inputs.lines
                   if ln.is_drop_ship and ln.quantity_to_order() > 0
                   and (include_all or ln.resolved_vendor_id == vendor_id)), key=lambda ln: ln.line_no)


def _checked(data: DropShipPage, raw_vendor: str | None, raw_include: str | None) -> tuple[int, bool]:
    errors: list[tuple[str, str]] = []
    order = data.order
    if order is None:
        errors.append(("sales_order", f"No sales order {data.so_number!r}." if data.so_number
                       else "Enter a sales order number."))
    elif order.status in DONE_STATUSES:
        errors.append(("sales_order", f"Sales order {order.number} is {order.status_label.lower()}."))
    elif order.status == HELD:
        errors.append(("sales_order", f"Sales order {order.number} is on credit hold: purchase orders are made "
                                      "once it is authorised."))
    typed = (raw_vendor or "").strip()
    vendor = lookup.typed_partner(typed, "vendors")  # a vendor number (any case) or an id
    if vendor is None:
        errors.append(("vendor_id", f"No vendor has the number {typed}." if typed else "Enter the PO vendor's number."))
    setting = settings.include_all_drop_ship
    include = setting if setting in (INCLUDE_VENDOR, INCLUDE_ALL) else (raw_include or "")
    if include not in (INCLUDE_VENDOR, INCLUDE_ALL):
        errors.append(("include", "Include all drop ship line items, or only those for the PO vendor?"))
    if errors:
        raise ValidationError.many(errors)
    return vendor.id, include == INCLUDE_ALL


def create_from_page(data: DropShipPage, raw_vendor: str | None, raw_include: str | None) -> PurchaseOrder:
    """Check what the page sent, then make the PO (:func:`create_drop_ship_po`)."""
    vendor_id, include_all = _checked(data, raw_vendor, raw_include)
    return create_drop_ship_po(data.order, vendor_id, include_all=include_all)


def create_drop_ship_po(order: SalesOrder, vendor_id: int, *, include_all: bool) -> PurchaseOrder:
    """A type D PO for ``vendor_id`` with the order's drop-ship lines, its customer, ship-to,
    ship via, FOB, confirm to and e-mail, the next automatic PO number (skipping numbers
    taken by POs numbered after sales orders), and the links. Flushes only."""
    lines = drop_ship_lines(order.id, vendor_id, include_all=include_all)
    if not lines:
        vendor = db.session.get(Partner, vendor_id)
        raise ValidationError("vendor_id", f"Sales order {order.number} has no drop-ship lines left to order"
                              + ("" if include_all else f" for vendor {vendor.number if vendor else vendor_id}") + ".")
    draft = purchasing.PurchaseOrderDraft(
        vendor_id=vendor_id, order_type="D", customer_id=order.customer_id,
        ship_to_address=order.ship_to_address or None, ship_via=order.ship_via or None, fob=order.fob or None,
        confirm_to=order.confirm_to or "", email=order.email or "", warehouse_id=order.warehouse_id,
        required_date=order.requested_ship_date or order.order_date, comment=f"Drop ship for SO {order.number}",
        lines=[purchasing.PurchaseOrderLineDraft(
            item_id=ln.item_id, qty=ln.quantity_to_order(), drop_ship=True, unit_cost=ln.unit_cost,
            description=ln.description, required_date=ln.promise_date,
            vendor_item_code=ln.vendor_item_code if ln.resolved_vendor_id == vendor_id else "",
            alias_item_code=ln.alias_item_code if settings.current()["alias_item_number"] else "",
            origin_label=f"SO {order.number} line {ln.line_no}") for ln in lines])
    po = purchasing.create_one(draft)
    links.add_links([links.new_link(ln.id, order.id, written.po_line_id, po.id, written.qty)
                     for ln, written in zip(lines, draft.lines, strict=True)])
    db.session.flush()
    return po
