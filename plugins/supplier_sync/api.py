"""Supplier sync under ``/api/v1``: syncing notifications (list, read, resolve, as the
*Syncing notifications* page) and a purchase order's sync state (the PO page's panel),
through :mod:`.services`. The suppliers' signed webhook stays at ``/supplier-sync/webhook``:
it is called by suppliers with their signature, not with a user's API key."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from core.api import Blueprint
from core.api.endpoints import action, found, operation, records
from core.api.fields import Id, Text
from core.api.lists import PageArgs
from core.api.schemas import many, output, text_of
from core.db import db
from plugins.purchase_order.models import PurchaseOrder

from . import services
from .models import NOTIFICATION_KINDS, SyncNotification
from .views import BUYERS

NotificationOut = output(
    "SyncNotificationOut", "id:int vendor_id:int po_id:int? po_number supplier_ref kind kind_label item_code "
    "message created_at:stamp resolved:bool resolved_at:stamp resolved_by_id:int?",
    vendor_number=text_of(lambda n: n.vendor.number))


class NotificationArgs(PageArgs):
    state = ma.fields.String(load_default="open", validate=ma.validate.OneOf(["open", "resolved", "all"]))
    vendor = Id(load_default=None, metadata={"description": "Vendor id."})
    kind = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", *NOTIFICATION_KINDS]))
    q = Text(60, load_default="", metadata={"description": "PO number, item, supplier order or message contains."})


bp = Blueprint("supplier_notifications", __name__, url_prefix="/api/v1/supplier-notifications",
               description="Syncing notifications: what the supplier sync needs a buyer to look at.")
records(bp, "notification", NotificationOut, query=NotificationArgs, load=SyncNotification,
        select=lambda a: services.notifications_query(state=a["state"], vendor_id=a["vendor"], kind=a["kind"],
                                                      text=a["q"].strip()),
        docs=("Syncing notifications, newest first (the filters of the Syncing notifications page; open ones "
              "unless state says otherwise).", "One syncing notification."))


def _resolve(notification_id: int) -> SyncNotification:
    note = found(db.session.get(SyncNotification, notification_id))
    services.resolve_notification(note, user_id=current_user.id)
    return note


action(bp, "/<int:notification_id>/resolve", "resolve_notification",
       "Mark the notification resolved (as its *Resolve* button): it leaves the open list.",
       _resolve, roles=BUYERS, response=NotificationOut)


po_bp = Blueprint("supplier_sync_state", __name__, url_prefix="/api/v1/supplier-sync",
                  description="A purchase order's sync with its supplier's order.")

LineSyncOut = output(
    "LineSyncOut", "id:int po_line_id:int? line_ref supplier_item_code description status status_label "
    "qty:decimal unit_price:decimal required_date:day hidden:bool updated_at:stamp",
    synced_fields=ma.fields.Function(lambda ls: sorted(ls.read_only), required=True,
                                     metadata={"type": "array", "items": {"type": "string"}}))
PoSyncOut = output("PoSyncOut", "po_id:int supplier_ref:str? auto_sync:bool last_synced_at:stamp "
                   "last_notification_at:stamp last_error stale:bool", lines=many(LineSyncOut),
                   open_notifications=many(NotificationOut))


@operation(po_bp, "/purchase-orders/<int:po_id>", response=PoSyncOut)
def get_po_sync(po_id: int):
    """The purchase order's sync with its supplier's order: state, the supplier's lines, open
    notifications (404 when its vendor has no supplier connection)."""
    view = found(services.po_view(found(db.session.get(PurchaseOrder, po_id))))
    state = view.state
    return {"po_id": po_id, "supplier_ref": state.supplier_ref if state else None,
            "auto_sync": state.auto_sync if state else view.conn.auto_sync,
            "last_synced_at": state.last_synced_at if state else None,
            "last_notification_at": view.last_notification_at, "last_error": state.last_error if state else "",
            "stale": view.stale, "lines": view.lines, "open_notifications": view.notes}
