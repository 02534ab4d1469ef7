"""*Auto-sync purchase orders* on the vendor form, for vendors with a supplier connection."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash
from wtforms import BooleanField

from core.db import db
from core.models import Partner
from plugins.purchase_order.models import PurchaseOrder

from . import services
from .models import PoSync, SupplierConnection


def fields_for(partner: Partner) -> dict[str, Any]:
    conn = db.session.get(SupplierConnection, partner.id) if partner.is_vendor else None
    if conn is None:
        return {}
    return {
        "ss_auto_sync": BooleanField("Auto-sync purchase orders", default=conn.auto_sync,
                                     description="Purchase orders stay in step with the supplier's orders; new "
                                                 "purchase orders for this vendor have auto-sync on."),
        "ss_open_pos": BooleanField("Also turn on auto-sync for all this vendor's open purchase orders",
                                    default=False),
    }


def saved(partner: Partner, form_data: dict[str, Any]) -> None:
    if "ss_auto_sync" not in form_data:
        return
    conn = db.session.get(SupplierConnection, partner.id)
    if conn is None:
        return
    on = bool(form_data["ss_auto_sync"])
    switched = services.set_vendor_auto_sync(partner.id, on, open_pos_too=bool(form_data.get("ss_open_pos")))
    if switched:
        flash(f"Auto-sync turned on for {switched} open purchase order{'s' if switched != 1 else ''}.", "info")


def po_fields(po: PurchaseOrder | None) -> dict[str, Any]:
    """The PO form's own *Auto-sync* box, for vendors with a supplier connection.

    A new PO (vendor not chosen yet) shows it when any vendor has a connection, ticked: the
    order follows its vendor's *Auto-sync purchase orders*; untick it to leave this order out.
    """
    if po is None:
        if db.session.scalar(sa.select(SupplierConnection.vendor_id).limit(1)) is None:
            return {}
        return {"ss_auto_sync": BooleanField(
            "Auto-sync", default=True,
            description="For vendors with a supplier connection and Auto-sync purchase orders on: this order "
                        "stays in step with the supplier's order. Untick to leave it out.")}
    conn = db.session.get(SupplierConnection, po.vendor_id)
    if conn is None:
        return {}
    state = db.session.get(PoSync, po.id)
    on = state.auto_sync if state is not None else conn.auto_sync
    note = "" if conn.auto_sync else " The vendor's Auto-sync purchase orders is off: nothing syncs until it is on."
    return {"ss_auto_sync": BooleanField(
        "Auto-sync", default=on,
        description="This order stays in step with the supplier's order; fields the sync wrote are read-only "
                    "while it is ticked." + note)}
