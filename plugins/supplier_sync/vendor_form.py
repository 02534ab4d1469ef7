"""*Auto-sync purchase orders* on the vendor form, for vendors with a supplier connection."""

from __future__ import annotations

from typing import Any

from flask import flash
from wtforms import BooleanField

from core.db import db
from core.models import Partner

from . import services
from .models import SupplierConnection


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
