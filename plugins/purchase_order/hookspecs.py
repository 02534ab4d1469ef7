"""The hooks the purchase_order plugin fires: its own contract, owned here.

Added to the plugin manager when ``purchase_order`` loads (``plugin.py`` exposes this
module as ``hookspecs``), before any plugin depending on it registers. Only plugins
that list ``purchase_order`` in their ``depends`` may implement them. The general
rules (keyword arguments, order, transactions) are in :mod:`core.hookspecs`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.hookspecs import hookspec

if TYPE_CHECKING:
    from .fill_report import FillScope
    from .marks import LineMark
    from .models import PoLineStatus, PurchaseOrder, PurchaseOrderLine, Receipt, Return


@hookspec
def on_purchase_order_saved(po: PurchaseOrder, created: bool, form_data: dict[str, Any]) -> None:
    """A purchase order and its lines were flushed from PO entry.

    Fires inside the save's transaction; an exception aborts the save and names the
    plugin, except a ``ValidationError`` naming a form field (``lines-2-qty_ordered``,
    a field the plugin added), which is shown beside that field. ``form_data`` holds the
    values of the fields plugins added to the entry form through ``extend_form`` (form
    name ``"purchase_order"``); it is empty when the save did not come from the form
    (another plugin saving through ``save_purchase_order``). Generation by other
    plugins does not fire it (they own that save). :func:`..documents.cancel_lines`
    fires it too, so links follow the lower quantity.

    Example::

        @hookimpl
        def on_purchase_order_saved(po, created, form_data):
            if created and po.order_type == "D":
                db.session.add(MyDropShipNote(po_id=po.id, note=form_data.get("my_note", "")))
    """


@hookspec
def purchase_order_line_marks(po: PurchaseOrder) -> list[LineMark]:
    """Return :class:`..marks.LineMark` objects: PO lines to hide, line fields to show read-only.

    Fires when the PO page or the PO entry form of ``po`` is rendered (outside any
    change; must not change data). A hidden line stays on the order (for audit) but is
    left out of the page's lines, behind a "n lines <why> (show)" toggle; on the entry
    form it is posted unchanged. Read-only fields are greyed with the mark's note;
    refusing a posted change stays the plugin's rule (``on_purchase_order_saved``). An
    exception is logged and that plugin's marks are left out.

    Example::

        @hookimpl
        def purchase_order_line_marks(po):
            return [LineMark(ln.id, read_only=("unit_cost",), note="The cost comes from the price list.")
                    for ln in po.lines if ln.id in price_listed(po)]
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
def on_purchase_orders_created(pos: list[PurchaseOrder]) -> None:
    """Purchase orders were created in bulk through this plugin's public API.

    ``plugins.purchase_order.documents.create_purchase_orders`` fires it: PO generation
    from sales orders, a drop-ship PO made from a sales order, orders a supplier placed.
    ``pos`` are the new orders in the order they were asked for, numbered, with their
    lines. Fires once per call, however many orders it created, inside the creating
    transaction, after headers and lines are written. Implementations may add rows of
    their own (links, outbox rows) and must not commit. An exception aborts the whole
    creation and the save that asked for it: nothing is kept and the user sees an error
    naming the plugin. Orders saved from PO entry fire :func:`on_purchase_order_saved`.

    Example::

        @hookimpl
        def on_purchase_orders_created(pos):
            for po in pos:
                if po.vendor_id in auto_sync_vendors():
                    db.session.add(SyncOutbox(po_id=po.id, action="create"))
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


@hookspec
def on_po_line_status_changed(po_line: PurchaseOrderLine, old: int | None, new: int | None) -> None:
    """A purchase order line's status (a ``PoLineStatus``) changed in PO entry.

    Fires inside the save's transaction, after the lines are flushed and after
    :func:`on_purchase_order_saved`, once per line whose status differs from before (a
    new line with a status counts). ``old`` and ``new`` are ``PoLineStatus`` ids or
    ``None``. Implementations may add rows in the same transaction (an email in an
    outbox); an exception aborts the save and names the plugin.

    Example::

        @hookimpl
        def on_po_line_status_changed(po_line, old, new):
            if new is not None:
                queue_back_order_emails(po_line, new)
    """


@hookspec
def on_po_line_status_saved(status: PoLineStatus, form_data: dict[str, Any]) -> None:
    """A PO line status record was saved from its system-data page.

    Fires inside the request's transaction after the row is flushed; ``form_data`` holds
    the submitted values, including the fields other plugins added through
    ``extend_form`` (form name ``"po_line_status"``). An exception aborts the save and
    names the plugin.

    Example::

        @hookimpl
        def on_po_line_status_saved(status, form_data):
            link_template(status.id, form_data.get("my_template_id"))
    """


@hookspec
def purchase_line_demand(po_line_ids: list[int]) -> list[dict[str, Any]]:
    """Return the sales order lines waiting on the given purchase order lines.

    Fires when a plugin needs to know who waits for a PO line (the email plugin, to
    write one back-order email per affected customer), inside the caller's transaction.
    Return plain rows: ``po_line_id``, ``so_line_id``, ``order_number``, ``customer_id``,
    ``item_code``, ``description`` and ``qty`` (a ``Decimal``). The bridges that link
    sales order lines to PO lines implement it (``po_generation``, ``po_allocation``);
    the results of all enabled implementations are concatenated. Must not change data;
    an exception aborts the caller's transaction and names the plugin.

    Example::

        @hookimpl
        def purchase_line_demand(po_line_ids):
            return [{"po_line_id": link.po_line_id, "so_line_id": link.so_line_id, ...}
                    for link in links_of(po_line_ids)]
    """


@hookspec
def back_order_fills(scope: FillScope) -> list[dict[str, Any]]:
    """Return the sales order lines in ``scope`` that wait on PO lines, with what receipts filled.

    Fires when the Back Order Fill Report is shown (a receipt, a PO, a sales order or a date
    range; :class:`..fill_report.FillScope`), outside any change: must not change data.
    Return plain rows, one per sales order line: ``so_line_id``, ``so_id``, ``so_number``,
    ``line_no``, ``customer_number``, ``bill_to_name``, ``item_code``, ``qty_filled`` (what
    the receipts in scope released), ``qty_open`` (what still waits on the linked PO lines)
    and ``linked`` (``False`` for a line listed only because *Include all sales order lines*
    asked for the order's other lines). The report adds up the rows of all bridges per line.
    The bridges that link sales order lines to PO lines implement it (``po_generation``,
    ``po_allocation``), through :func:`plugins.sales_order.fills.back_order_fills`. A
    ``ValidationError`` naming a report field (``so``) is shown beside that field.

    Example::

        @hookimpl
        def back_order_fills(scope):
            return fills.back_order_fills(MyLink, MyFill, scope)
    """
