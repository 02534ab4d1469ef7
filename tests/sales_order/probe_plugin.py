"""A throwaway plugin for the sales order hook tests: records calls, raises on request."""

from __future__ import annotations

import sqlalchemy as sa

from core.db import db
from core.hookspecs import hookimpl
from core.plugins import Manifest, Message

manifest = Manifest(name="probe_sales_order", title="Probe (sales order tests)", version="0",
                    depends=("sales_order",))

CALLS: list[tuple] = []
RAISE: set[str] = set()


def _maybe_raise(hook: str) -> None:
    if hook in RAISE:
        raise RuntimeError(f"probe refuses in {hook}")


@hookimpl
def validate_sales_order(order):
    CALLS.append(("validate_sales_order", order.number, order.total))
    _maybe_raise("validate_sales_order")
    msgs = []
    if "PROBE-ERROR" in (order.notes or ""):
        msgs.append(Message("error", "The probe does not like this order.", field="notes", plugin=manifest.name))
    if "PROBE-WARN" in (order.notes or ""):
        msgs.append(Message("warning", "The probe has doubts.", plugin=manifest.name))
    return msgs


@hookimpl
def on_sales_order_saved(order, created, changes):
    from plugins.sales_order.models import SalesOrderLine

    still_there = [r.line_id for r in changes.removed
                   if db.session.scalar(sa.select(sa.func.count()).select_from(SalesOrderLine)
                                        .where(SalesOrderLine.id == r.line_id))]
    CALLS.append(("on_sales_order_saved", order.number, created,
                  [line.line_no for line in changes.added],
                  [(c.line.line_no, c.old_qty, c.new_qty) for c in changes.changed],
                  [(r.line_no, r.qty_ordered) for r in changes.removed], still_there,
                  [line.qty_backordered for line in order.active_lines]))
    _maybe_raise("on_sales_order_saved")


@hookimpl
def on_sales_order_cancelled(order):
    CALLS.append(("on_sales_order_cancelled", order.number, order.status))
    _maybe_raise("on_sales_order_cancelled")


@hookimpl
def on_sales_order_shipped(order, shipment):
    CALLS.append(("on_sales_order_shipped", order.number, shipment.number, [il.qty for il in shipment.lines]))
    _maybe_raise("on_sales_order_shipped")
