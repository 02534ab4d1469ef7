"""The hooks the purchase_order plugin fires: its own contract, owned here.

Added to the plugin manager when ``purchase_order`` loads (``plugin.py`` exposes this
module as ``hookspecs``), before any plugin depending on it registers. Only plugins
that list ``purchase_order`` in their ``depends`` may implement them. The general
rules (keyword arguments, order, transactions) are in :mod:`core.hookspecs`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.hookspecs import hookspec

if TYPE_CHECKING:
    from .models import PurchaseOrder, Receipt, Return


@hookspec
def on_purchase_order_saved(po: PurchaseOrder, created: bool) -> None:
    """A purchase order and its lines were flushed from PO entry.

    Fires inside the save's transaction; an exception aborts the save and names the
    plugin. Generation by other plugins does not fire it (they own that save).

    Example::

        @hookimpl
        def on_purchase_order_saved(po, created):
            if created and po.order_type == "D":
                db.session.add(MyDropShipNote(po_id=po.id))
    """


@hookspec
def on_purchase_order_sent(po: PurchaseOrder) -> None:
    """A purchase order was marked sent to its vendor.

    Fires inside the transaction that marks it; an exception aborts the send and
    names the plugin. Mail or supplier calls go to an outbox, never from here.

    Example::

        @hookimpl
        def on_purchase_order_sent(po):
            db.session.add(MyOutbox(kind="po_sent", ref=po.number))
    """


@hookspec
def on_purchase_order_cancelled(po: PurchaseOrder) -> None:
    """A purchase order was cancelled or deleted (to history when the options say so).

    Fires inside that transaction, before its lines are removed; an exception aborts
    it and names the plugin. Plugins holding links to the PO's lines drop them here.

    Example::

        @hookimpl
        def on_purchase_order_cancelled(po):
            ids = [line.id for line in po.lines]
            db.session.execute(sa.delete(MyLink).where(MyLink.po_line_id.in_(ids)))
    """


@hookspec
def on_receipt(receipt: Receipt) -> None:
    """Goods were received against a purchase order.

    Fires inside the receipt's transaction after it is posted (quantities, stock and
    history updated); ``receipt.lines`` carry each line's PO line and quantity. Used
    to release back orders. An exception aborts the receipt and names the plugin.

    Example::

        @hookimpl
        def on_receipt(receipt):
            for line in receipt.lines:
                release_back_orders(line.po_line, line.qty)
    """


@hookspec
def on_return(return_: Return) -> None:
    """Goods were returned to a vendor; same rules as :func:`on_receipt`.

    Example::

        @hookimpl
        def on_return(return_):
            for line in return_.lines:
                db.session.add(MyReturnNote(po_line_id=line.po_line_id, qty=line.qty))
    """
