"""PO entry: create a purchase order, or change one with its lines, from the entry page.

The rules are the ones other plugins meet through :mod:`..documents` (one validation of
headers and lines); entry adds what only a person editing an order does: changing the
header, changing or removing existing lines (removed lines to history with a reason
code when *Retain Deleted Lines* says so), and firing ``on_purchase_order_saved``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.db import ZERO, db
from core.errors import ValidationError

from .. import activity_log
from ..common import (
    CLOSED_STATUSES,
    MAX_LINES,
    check_reason_code,
    default_ship_to,
    deleted_reason_required,
    has_receipts,
    hooks,
    line_history_row,
    refresh_status,
    retain_deleted,
)
from ..documents import create
from ..drafts import PurchaseOrderDraft, PurchaseOrderLineDraft, Refs, draft_problems, line_values, load_refs
from ..models import PurchaseOrder, PurchaseOrderLine

HEADER_FIELDS = (
    "order_date", "required_date", "ship_to_address", "ship_via", "fob", "confirm_to", "email",
    "warehouse_id", "customer_id", "comment",
)
LINE_FIELDS = (
    "item_id", "vendor_item_code", "description", "qty_ordered", "unit_cost", "required_date",
    "line_status_id", "origin_label",
)


def line_draft(data: Mapping[str, Any]) -> PurchaseOrderLineDraft:
    """A line dict of entry (``LINE_FIELDS``) as a draft; empty cost means the item's."""
    cost = data.get("unit_cost")
    return PurchaseOrderLineDraft(
        item_id=data.get("item_id"), qty=data.get("qty_ordered", ZERO), unit_cost=None if cost in (None, "") else cost,
        required_date=data.get("required_date"), description=data.get("description") or "",
        vendor_item_code=data.get("vendor_item_code"), line_status_id=data.get("line_status_id"),
        origin_label=data.get("origin_label"))


def header_draft(vendor_id: int, order_type: str, header: Mapping[str, Any], lines: list[PurchaseOrderLineDraft],
                 number: str | None = None) -> PurchaseOrderDraft:
    """Entry's header dict (``HEADER_FIELDS``) as a draft; empty ship-to, ship via and FOB take defaults."""
    unknown = set(header) - set(HEADER_FIELDS)
    if unknown:
        raise TypeError(f"unknown purchase order field(s): {', '.join(sorted(unknown))}")
    return PurchaseOrderDraft(
        vendor_id=vendor_id, order_type=order_type, lines=lines, number=number,
        order_date=header.get("order_date"), required_date=header.get("required_date"),
        ship_to_address=header.get("ship_to_address") or None, ship_via=header.get("ship_via") or None,
        fob=header.get("fob") or None, confirm_to=header.get("confirm_to") or "", email=header.get("email") or "",
        warehouse_id=header.get("warehouse_id"), customer_id=header.get("customer_id"),
        comment=header.get("comment") or "")


def create_purchase_order(*, vendor_id: int, order_type: str, lines: list[dict], number: str | None = None,
                          **header: Any) -> PurchaseOrder:
    """Create one PO with its lines (cost and description default from the item). Flushes.

    ``header`` takes any of ``HEADER_FIELDS``. Fires ``on_purchase_orders_created``, like
    every PO another plugin creates; PO entry uses :func:`save_purchase_order`.
    """
    draft = header_draft(vendor_id, order_type, header, [line_draft(d) for d in lines], number)
    return create([draft], fire_hook=True)[0]


def save_purchase_order(po: PurchaseOrder | None, *, vendor_id: int, order_type: str, header: dict,
                        lines: list[dict], number: str | None = None, line_reason_code: str | None = None,
                        user_id: int | None = None, form_data: dict[str, Any] | None = None) -> PurchaseOrder:
    """Save from PO entry: create or update header and lines, then fire ``on_purchase_order_saved``.

    ``lines`` are dicts with ``LINE_FIELDS`` plus ``id`` for existing lines. Everything is
    checked before anything changes; ``ValidationError`` names the form fields
    (``vendor_id``, ``lines-2-qty_ordered``, ``line_reason_code``). ``form_data``: the values
    of the fields plugins added to the entry form, for ``on_purchase_order_saved``.
    """
    created = po is None
    statuses_before = {} if created else {ln.id: ln.line_status_id for ln in po.lines}
    if po is None:
        draft = header_draft(vendor_id, order_type, header, [line_draft(d) for d in lines], number)
        po = create([draft], fire_hook=False)[0]
    else:
        before = activity_log.snapshot(po)
        _update(po, vendor_id=vendor_id, order_type=order_type, header=header, lines=lines,
                line_reason_code=line_reason_code, user_id=user_id)
        activity_log.record_saved(po, before)
    hooks().on_purchase_order_saved(po=po, created=created, form_data=dict(form_data or {}))
    for ln in [ln for ln in po.lines if ln.line_status_id != statuses_before.get(ln.id)]:
        hooks().on_po_line_status_changed(po_line=ln, old=statuses_before.get(ln.id), new=ln.line_status_id)
    return po


def header_problems(vendor_id: int | None, order_type: str, header: dict) -> list[tuple[str | None, str]]:
    """The header's problems alone, shown beside its fields while the lines still have typing errors."""
    draft = header_draft(vendor_id, order_type, header, [])
    return draft_problems([draft], load_refs([draft]), header_only=True)


# -- changing an existing order ---------------------------------------------------------------


def _update(po: PurchaseOrder, *, vendor_id: int, order_type: str, header: dict, lines: list[dict],
            line_reason_code: str | None, user_id: int | None) -> None:
    if po.status in CLOSED_STATUSES:
        raise ValidationError(None, f"A {po.status_label.lower()} purchase order cannot be changed.")
    if len(lines) > MAX_LINES:
        raise ValidationError(None, f"A purchase order takes at most {MAX_LINES} lines; this one has {len(lines)}.")
    existing = {ln.id: ln for ln in po.lines}
    draft = header_draft(vendor_id, order_type, header, [line_draft(d) for d in lines])
    refs = load_refs([draft])
    errors = draft_problems([draft], refs) + _change_problems(po, existing, vendor_id, lines)
    kept = {d["id"] for d in lines if d.get("id")}
    removed = [ln for lid, ln in existing.items() if lid not in kept]
    code = ""
    if removed:
        try:
            code = check_reason_code(line_reason_code, required=deleted_reason_required("line"),
                                     field="line_reason_code")
        except ValidationError as exc:
            errors += exc.errors
    if errors:
        raise ValidationError.many(errors)
    _apply_header(po, vendor_id, order_type, header)
    _remove_lines(po, removed, code, user_id)
    _apply_lines(po, existing, lines, draft.lines, refs)
    if not po.ship_to_address:
        po.ship_to_address = default_ship_to(po.order_type, po.warehouse_id, po.customer_id)
    refresh_status(po)
    db.session.flush()


def _change_problems(po: PurchaseOrder, existing: dict[int, PurchaseOrderLine], vendor_id: int,
                     lines: list[dict]) -> list[tuple[str | None, str]]:
    """What only a change of a PO with goods received can break."""
    errors: list[tuple[str | None, str]] = []
    if vendor_id != po.vendor_id and has_receipts(po):
        errors.append(("vendor_id", "The vendor cannot change once goods are received."))
    kept = {d["id"] for d in lines if d.get("id")}
    for ln in existing.values():
        if ln.id not in kept and ((ln.qty_received or ZERO) > 0 or (ln.qty_returned or ZERO) > 0):
            errors.append((None, f"Line {ln.line_no} has received goods and cannot be deleted."))
    for j, data in enumerate(lines):
        ln = existing.get(data.get("id"))
        received = (ln.qty_received or ZERO) if ln is not None else ZERO
        if ln is None or received <= 0:
            continue
        if data.get("item_id") != ln.item_id:
            errors.append((f"lines-{j}-item", f"Line {ln.line_no}: the item cannot change once goods are received."))
        qty = data.get("qty_ordered")
        if qty is not None and qty < received:
            errors.append((f"lines-{j}-qty_ordered", f"Line {ln.line_no}: the quantity ordered cannot be less "
                                                     f"than the {received.normalize():f} received."))
    return errors


def _apply_header(po: PurchaseOrder, vendor_id: int, order_type: str, header: dict) -> None:
    po.vendor_id, po.order_type = vendor_id, order_type
    for key in HEADER_FIELDS:
        if key in header:
            value = header[key]
            # ids and dates may be empty; text columns keep "" rather than NULL
            setattr(po, key, value if value is not None or key.endswith(("_id", "date")) else "")


def _remove_lines(po: PurchaseOrder, removed: list[PurchaseOrderLine], code: str, user_id: int | None) -> None:
    if not removed:
        return
    if retain_deleted("line"):
        for ln in removed:
            db.session.add(line_history_row(po, ln, "line_deleted", code, user_id))
    for ln in removed:
        po.lines.remove(ln)
    db.session.flush()


def _apply_lines(po: PurchaseOrder, existing: dict[int, PurchaseOrderLine], lines: list[dict],
                 drafts: list[PurchaseOrderLineDraft], refs: Refs) -> None:
    """Existing lines take the new values; new ones are numbered after the last (numbers are not reused)."""
    next_no = max((ln.line_no for ln in existing.values()), default=0)
    for data, draft in zip(lines, drafts, strict=True):
        values = line_values(po.id, 0, draft, vendor_id=po.vendor_id, required_date=None, refs=refs)
        ln = existing.get(data.get("id"))
        if ln is None:
            next_no += 1
            values["line_no"] = next_no
            values["required_date"] = draft.required_date or po.required_date
            po.lines.append(PurchaseOrderLine(**values))
            continue
        for key in ("item_id", "qty_ordered", "description", "unit_cost", "required_date", "line_status_id"):
            setattr(ln, key, values[key])
        ln.vendor_item_code = draft.vendor_item_code or ""
