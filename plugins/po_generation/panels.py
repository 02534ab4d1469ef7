"""What po_generation adds to other plugins' pages: buttons and the links panels, and
the question a save left for the sales order page (:mod:`.notices`)."""

from __future__ import annotations

from flask import render_template, url_for
from markupsafe import Markup

from core.plugins import Action, Panel
from plugins.purchase_order.models import STATUS_LABELS
from plugins.sales_order.models import DONE_STATUSES

from . import links, notices, settings
from .inputs import HELD, OrderSupply, order_supply
from .models import PoGenFill

CANCELLED = "*"
GENERATING_ROLES = ("purchasing", "sales")  # may generate and reset (deleting sent POs needs purchasing)


def actions_for(page: str, obj) -> list[Action]:
    if page not in ("sales_order.view", "sales_order.supply") or obj is None or getattr(obj, "id", None) is None:
        return []
    live = obj.status not in DONE_STATUSES
    if page == "sales_order.supply":  # the sales order's supply request page: order the shortage
        return [Action("Order the shortage (generate POs)", url_for("po_generation.generate", order_id=obj.id),
                       method="get", roles=GENERATING_ROLES, style="primary")] if live else []
    # only buttons that can apply: Generate when something is left to order, Drop-ship PO when
    # a line is drop-shipped, Reset unless the order is cancelled (its POs went with it)
    supply = order_supply(obj) if live and obj.status != HELD else OrderSupply(False, False)
    out = []
    if settings.enable_in_entry and supply.to_order:
        out.append(Action("Generate POs", url_for("po_generation.generate", order_id=obj.id), method="get",
                          roles=GENERATING_ROLES, style="primary"))
    if obj.status != CANCELLED:
        out.append(Action("Reset Purchase Orders", url_for("po_generation.reset", order_id=obj.id),
                          roles=GENERATING_ROLES))
    if supply.drop_ship:
        out.append(Action("Drop-ship PO", url_for("po_generation.drop_ship", order_id=obj.id), method="get",
                          roles=("purchasing",)))
    return out


def panels_for(page: str, obj) -> list[Panel]:
    if obj is None or getattr(obj, "id", None) is None:
        return []
    if page == "sales_order.view":
        html = render_template("po_generation/_so_panel.html", rows=links.links(so_id=obj.id), order=obj,
                               status_labels=STATUS_LABELS, notice=notices.take(obj.id), held=obj.status == HELD,
                               fills=links.fills(PoGenFill.so_id == obj.id))
        return [Panel("Purchase orders", Markup(html), order=50)]
    if page == "purchase_order.view":
        rows = links.links(po_id=obj.id)
        if not rows:
            return []
        html = render_template("po_generation/_po_panel.html", rows=rows, fills=links.fills(PoGenFill.po_id == obj.id))
        return [Panel("Sales orders served", Markup(html), order=50)]
    if page == "purchase_order.receipt":
        fills = links.fills(PoGenFill.receipt_id == obj.id)
        if not fills:
            return []
        html = render_template("po_generation/_fills.html", fills=fills, table_id="pogen-receipt-fills")
        return [Panel("Back orders released (generated purchase orders)", Markup(html), order=50)]
    return []
