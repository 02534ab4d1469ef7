"""The hooks the sales_order plugin fires: its own contract, owned here.

Added to the plugin manager when ``sales_order`` loads (``plugin.py`` exposes this
module as ``hookspecs``), before any plugin depending on it registers. Only plugins
that list ``sales_order`` in their ``depends`` may implement them. The general rules
(keyword arguments, order, transactions) are in :mod:`core.hookspecs`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.hookspecs import hookspec

if TYPE_CHECKING:
    from core.plugins import Message

    from .models import SalesInvoice, SalesOrder
    from .services import LineChanges


@hookspec
def validate_sales_order(order: SalesOrder) -> list[Message]:
    """Check a sales order before it is saved; return a list of ``core.plugins.Message``.

    Fires after the form is valid and the order and lines are built but before the
    save's flush, inside the transaction. A message with ``level="error"`` stops the
    save and is shown to the user; ``level="warning"`` is shown and the save goes on.
    Must not change data. An exception aborts the save and names the plugin.

    Example::

        @hookimpl
        def validate_sales_order(order):
            if order.total > 100_000:
                return [Message("error", "Orders above 100,000 need a second signature.",
                                field="notes", plugin="my_plugin")]
            return []
    """


@hookspec
def on_sales_order_saved(order: SalesOrder, created: bool, changes: LineChanges) -> None:
    """A sales order and its lines were validated and flushed.

    Fires inside the save's transaction; ``created`` is True for a new order;
    ``changes`` (``plugins.sales_order.services.LineChanges``) tells which lines were
    added, changed (with old and new quantity) or removed. Implementations may add
    rows (purchase orders, links). An exception aborts the save: nothing of it is
    kept and the user sees an error naming the plugin.

    Example::

        @hookimpl
        def on_sales_order_saved(order, created, changes):
            for change in changes.changed:
                db.session.add(MyAudit(line_id=change.line.id, old=change.old_qty, new=change.new_qty))
    """


@hookspec
def on_sales_order_cancelled(order: SalesOrder) -> None:
    """A sales order was cancelled (status ``*``).

    Fires inside the cancelling transaction; an exception aborts the cancellation and
    names the plugin.

    Example::

        @hookimpl
        def on_sales_order_cancelled(order):
            db.session.execute(sa.delete(MyLink).where(MyLink.order_id == order.id))
    """


@hookspec
def on_sales_order_shipped(order: SalesOrder, shipment: SalesInvoice) -> None:
    """Quantities of a sales order were shipped and invoiced (``shipment``).

    Fires inside the shipping transaction after stock is issued and the invoice
    number drawn; an exception aborts the shipment and names the plugin.

    Example::

        @hookimpl
        def on_sales_order_shipped(order, shipment):
            db.session.add(MyOutbox(kind="shipped", ref=shipment.number))
    """
