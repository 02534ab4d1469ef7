"""What a purchase order to be written looks like, and the one check of it.

:class:`PurchaseOrderDraft` and :class:`PurchaseOrderLineDraft` describe orders and lines
to write; :func:`load_refs` reads what checking them needs (one query per table);
:func:`draft_problems` lists every problem as (form field, message); the row builders
turn checked drafts into column values. :mod:`.documents` (other plugins) and PO
entry share all of it, so a rule holds however an order is made.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from core.bulk import among
from core.db import ZERO, db
from core.errors import ValidationError
from core.models import Item, Partner, Warehouse
from core.parsing import decimal_bounds

from .common import COST_TYPE, MAX_LINES, QTY_TYPE, default_warehouse_id, parse_cost, parse_quantity
from .models import PoLineStatus, PurchaseOrder, PurchaseOrderLine

CHUNK = 5000  # ids per IN (...) list
_TEXT_LIMITS = {name: PurchaseOrder.__table__.c[name].type.length for name in ("ship_via", "fob", "confirm_to",
                                                                                "email")}
_DESCRIPTION = PurchaseOrderLine.__table__.c.description.type.length
_VENDOR_ITEM_CODE = PurchaseOrderLine.__table__.c.vendor_item_code.type.length
_ALIAS_ITEM_CODE = PurchaseOrderLine.__table__.c.alias_item_code.type.length
_ORIGIN_LABEL = PurchaseOrderLine.__table__.c.origin_label.type.length


@dataclass(slots=True)
class PurchaseOrderLineDraft:
    """One line to order. ``None`` means "the default": the item's cost, the item's
    description, the item's vendor item code when the PO's vendor is the item's default
    vendor, the header's required date and warehouse.

    ``origin`` is an opaque key of the caller's (a sales order line id, say): it is never
    stored; after creation ``po_line_id`` and ``line_no`` are filled in on the draft, so the
    caller maps its keys to the created lines. ``origin_label`` is stored and shown on the
    PO ("SO 0100022 line 3"). ``drop_ship`` lines go only on drop-ship (type D) orders;
    ``warehouse_id``, when given, must be the order's.
    """

    item_id: int
    qty: Decimal
    unit_cost: Decimal | None = None
    required_date: date | None = None
    description: str = ""
    vendor_item_code: str | None = None
    warehouse_id: int | None = None
    drop_ship: bool = False
    alias_item_code: str = ""  # the customer's or an alternate item number, printed on the PO
    line_status_id: int | None = None
    origin_label: str | None = None
    origin: Any = None
    po_line_id: int | None = field(default=None, compare=False)  # filled in when written
    line_no: int | None = field(default=None, compare=False)


@dataclass(slots=True)
class PurchaseOrderDraft:
    """One purchase order to create.

    ``number`` None draws the next automatic PO number (skipping numbers in use). A
    given number that is taken or longer than the column is refused, unless
    ``number_fallback`` is set: then the next automatic number is used instead
    (``number_source`` says which: ``"given"`` or ``"automatic"``). ``comment`` carries the
    origin reference text ("Generated from SO 0100022"). ``ship_via``/``fob`` None take the
    vendor's; ``ship_to_address`` None takes the customer's ship-to on a drop-ship order,
    else the warehouse's address; ``warehouse_id`` None takes the default warehouse.
    ``po_id`` and ``number`` are filled in when written.
    """

    vendor_id: int
    order_type: str = "S"
    lines: list[PurchaseOrderLineDraft] = field(default_factory=list)
    number: str | None = None
    number_fallback: bool = False
    order_date: date | None = None
    required_date: date | None = None
    ship_to_address: str | None = None
    ship_via: str | None = None
    fob: str | None = None
    confirm_to: str = ""
    email: str = ""
    warehouse_id: int | None = None
    customer_id: int | None = None
    comment: str = ""
    po_id: int | None = field(default=None, compare=False)
    number_source: str = field(default="", compare=False)


# -- reference data for validation, a fixed number of queries ------------------------------------


def chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    values = sorted({v for v in values if v is not None})
    for i in range(0, len(values), CHUNK):
        yield values[i:i + CHUNK]


@dataclass
class Refs:
    """Partners, items, warehouses and line statuses the drafts name, read in a few queries."""

    partners: dict[int, Any]
    items: dict[int, Any]
    warehouses: dict[int, str]
    statuses: set[int]
    default_warehouse: int | None


def load_refs(drafts: Sequence[PurchaseOrderDraft], *, warehouse_ids: Iterable[int | None] = ()) -> Refs:
    """What validating and writing ``drafts`` needs to know, in one query per table."""
    lines = [ln for d in drafts for ln in d.lines]
    wanted_partners = {*(d.vendor_id for d in drafts), *(d.customer_id for d in drafts)} - {None}
    partners = {r.id: r for r in db.session.execute(
        sa.select(Partner.id, Partner.number, Partner.is_vendor, Partner.is_customer, Partner.ship_via,
                  Partner.fob, Partner.ship_to_address).where(among(Partner.id, wanted_partners)))}
    items = {r.id: r for r in db.session.execute(
        sa.select(Item.id, Item.code, Item.description, Item.unit_cost, Item.vendor_item_code,
                  Item.default_vendor_id).where(among(Item.id, {ln.item_id for ln in lines} - {None})))}
    default_wh = default_warehouse_id() if any(d.warehouse_id is None for d in drafts) else None
    wanted_wh = {*warehouse_ids, *(d.warehouse_id for d in drafts), default_wh,
                 *(ln.warehouse_id for ln in lines)} - {None}
    warehouses: dict[int, str] = dict(db.session.execute(
        sa.select(Warehouse.id, Warehouse.address).where(among(Warehouse.id, wanted_wh))).all())
    wanted_statuses = {ln.line_status_id for ln in lines} - {None}
    statuses = set(db.session.scalars(sa.select(PoLineStatus.id).where(among(PoLineStatus.id, wanted_statuses)))
                   ) if wanted_statuses else set()
    return Refs(partners, items, warehouses, statuses, default_wh)


# -- validation -----------------------------------------------------------------------------------


def line_errors(ln: PurchaseOrderLineDraft, j: int, *, order_type: str, warehouse_id: int | None,
                 refs: Refs, name: str) -> list[tuple[str, str]]:
    """Problems of one line draft as (form field, message); ``name`` prefixes the message.

    Runs for every line of a bulk generation: the messages are only built for a line
    that has a problem.
    """
    found: list[tuple[str, str]] = []  # (field key, message)
    if ln.item_id not in refs.items:
        found.append(("item", "There is no such item."))
    try:
        ln.qty = parse_quantity(ln.qty, None)  # normalised: stored exactly as checked
        if ln.qty <= 0:
            found.append(("qty_ordered", "The quantity must be more than zero."))
    except ValidationError as exc:
        found.append(("qty_ordered", exc.message))
    if ln.unit_cost is not None:
        try:
            ln.unit_cost = parse_cost(ln.unit_cost, None)
        except ValidationError as exc:
            found.append(("unit_cost", exc.message))
    if ln.drop_ship and order_type != "D":
        found.append(("item", "A drop-ship line goes on a drop-ship (D) purchase order."))
    if ln.warehouse_id is not None and ln.warehouse_id != warehouse_id:
        found.append(("item", "The line's warehouse differs from the purchase order's."))
    if ln.line_status_id is not None and ln.line_status_id not in refs.statuses:
        found.append(("line_status_id", "Choose a line status."))
    if not found:
        return []
    where = f"{name}line {j + 1}: " if name else ""
    return [(f"lines-{j}-{key}", where + message) for key, message in found]


def _header_errors(d: PurchaseOrderDraft, refs: Refs, name: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    vendor = refs.partners.get(d.vendor_id)
    if vendor is None or not vendor.is_vendor:
        out.append(("vendor_id", f"{name}Choose a vendor." if vendor is None
                    else f"{name}Partner {vendor.number} is not a vendor."))
    if d.order_type not in ("S", "D"):
        out.append(("order_type", f"{name}The order type must be S (standard) or D (drop ship)."))
    if d.customer_id is not None:
        customer = refs.partners.get(d.customer_id)
        if customer is None or not customer.is_customer:
            out.append(("customer_id", f"{name}Choose a customer."))
    elif d.order_type == "D":
        out.append(("customer_id", f"{name}A drop-ship order needs the customer it ships to."))
    if d.warehouse_id is not None and d.warehouse_id not in refs.warehouses:
        out.append(("warehouse_id", f"{name}Choose a warehouse."))
    if not d.lines:
        out.append((None, f"{name}Enter at least one line."))
    elif len(d.lines) > MAX_LINES:
        out.append((None, f"{name}A purchase order takes at most {MAX_LINES} lines; this one has "
                          f"{len(d.lines)}. Split it into several orders."))
    return out


def _draft_name(d: PurchaseOrderDraft, i: int, refs: Refs, many: bool) -> str:
    """How messages name a draft when several are created at once ("" for a single one)."""
    if not many:
        return ""
    vendor = refs.partners.get(d.vendor_id)
    return f"Purchase order {d.number or i + 1} for vendor {vendor.number if vendor else d.vendor_id}: "


def _good_amounts(values: Iterable[Any], column_type: Any, *, positive: bool) -> bool:
    """Every value a Decimal the column stores exactly (above zero when ``positive``, else
    not negative); normalises nothing. False sends the caller to the per-line check."""
    values = set(values)  # a batch repeats a few quantities and costs: check each once
    if not values:
        return True
    if not all(type(v) is Decimal and v.is_finite() for v in values):
        return False
    largest, scale = decimal_bounds(column_type)
    low, high = min(values), max(values)
    if (low <= 0 if positive else low < 0) or high > largest or -low > largest:
        return False
    return all(v.as_tuple().exponent >= -scale for v in values)


def _all_valid(drafts: Sequence[PurchaseOrderDraft], refs: Refs) -> bool:
    """The whole batch checked by set (vendors, types, customers, warehouses, items,
    statuses, amounts, line counts) in a few passes: the bulk path's common case. When it
    says False, :func:`draft_problems` goes draft by draft to name each problem."""
    vendors = {d.vendor_id for d in drafts}
    if any(not (p := refs.partners.get(v)) or not p.is_vendor for v in vendors):
        return False
    if {d.order_type for d in drafts} - {"S", "D"} or any(not 0 < len(d.lines) <= MAX_LINES for d in drafts):
        return False
    customers = {d.customer_id for d in drafts} - {None}
    if any(not (p := refs.partners.get(c)) or not p.is_customer for c in customers):
        return False
    if any(d.customer_id is None and d.order_type == "D" for d in drafts):
        return False
    if any(d.warehouse_id is not None and d.warehouse_id not in refs.warehouses for d in drafts):
        return False
    lines = [ln for d in drafts for ln in d.lines]
    if {ln.item_id for ln in lines} - refs.items.keys() or {ln.line_status_id for ln in lines} - refs.statuses - {None}:
        return False
    if any(ln.drop_ship for d in drafts if d.order_type != "D" for ln in d.lines):
        return False
    if any(ln.warehouse_id is not None and ln.warehouse_id != (d.warehouse_id or refs.default_warehouse)
           for d in drafts for ln in d.lines):
        return False
    costs = [ln.unit_cost for ln in lines if ln.unit_cost is not None]
    return (_good_amounts([ln.qty for ln in lines], QTY_TYPE, positive=True)
            and _good_amounts(costs, COST_TYPE, positive=False))


def draft_problems(drafts: Sequence[PurchaseOrderDraft], refs: Refs, *, header_only: bool = False
                   ) -> list[tuple[str | None, str]]:
    """Every problem of the drafts' headers and lines, as (form field, message).

    ``header_only``: the header's alone (PO entry shows them while lines are still being typed).
    """
    if not header_only and _all_valid(drafts, refs):
        return []
    many = len(drafts) > 1
    errors: list[tuple[str | None, str]] = []
    for i, d in enumerate(drafts):
        name = _draft_name(d, i, refs, many)
        errors += [e for e in _header_errors(d, refs, name) if not (header_only and e[0] is None)]
        if header_only:
            continue
        warehouse_id = d.warehouse_id or refs.default_warehouse
        for j, ln in enumerate(d.lines):
            errors += line_errors(ln, j, order_type=d.order_type, warehouse_id=warehouse_id, refs=refs, name=name)
    return errors



# -- column values of checked drafts -------------------------------------------------------------


def _text(value: str | None, limit: int) -> str:
    return (value or "")[:limit]


def header_values(d: PurchaseOrderDraft, refs: Refs, now, today: date) -> dict[str, Any]:
    vendor = refs.partners[d.vendor_id]
    warehouse_id = d.warehouse_id or refs.default_warehouse
    if d.ship_to_address is not None:
        ship_to = d.ship_to_address
    elif d.order_type == "D" and d.customer_id:
        ship_to = refs.partners[d.customer_id].ship_to_address or ""
    else:
        ship_to = refs.warehouses.get(warehouse_id or 0, "") or ""
    return dict(
        number=d.number, vendor_id=d.vendor_id, order_type=d.order_type, order_date=d.order_date or today,
        required_date=d.required_date, ship_to_address=ship_to,
        ship_via=_text(vendor.ship_via if d.ship_via is None else d.ship_via, _TEXT_LIMITS["ship_via"]),
        fob=_text(vendor.fob if d.fob is None else d.fob, _TEXT_LIMITS["fob"]),
        confirm_to=_text(d.confirm_to, _TEXT_LIMITS["confirm_to"]), email=_text(d.email, _TEXT_LIMITS["email"]),
        warehouse_id=warehouse_id, customer_id=d.customer_id, status="new", comment=d.comment or "",
        sent_at=None, sent_by_id=None, cancel_reason="", completed_at=None, created_at=now, updated_at=now,
    )


def line_values(po_id: int, line_no: int, ln: PurchaseOrderLineDraft, *, vendor_id: int,
              required_date: date | None, refs: Refs) -> dict[str, Any]:
    item = refs.items[ln.item_id]
    vic = ln.vendor_item_code
    if vic is None:
        vic = item.vendor_item_code if item.default_vendor_id == vendor_id else ""
    return dict(
        po_id=po_id, line_no=line_no, item_id=ln.item_id, vendor_item_code=_text(vic, _VENDOR_ITEM_CODE),
        alias_item_code=_text(ln.alias_item_code or "", _ALIAS_ITEM_CODE),
        description=_text(ln.description or item.description, _DESCRIPTION),
        qty_ordered=Decimal(ln.qty), qty_received=ZERO, qty_returned=ZERO,
        unit_cost=item.unit_cost if ln.unit_cost is None else Decimal(ln.unit_cost),
        required_date=ln.required_date or required_date, line_status_id=ln.line_status_id, closed=False,
        origin_label=_text(ln.origin_label, _ORIGIN_LABEL) if ln.origin_label else None,
    )
