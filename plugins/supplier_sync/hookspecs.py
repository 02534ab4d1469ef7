"""The hooks the supplier_sync plugin fires: supplier connectors and catalogs, owned here.

Added to the plugin manager when ``supplier_sync`` loads (``plugin.py`` exposes this
module as ``hookspecs``). Only plugins that list ``supplier_sync`` in their ``depends``
may implement them. The general rules are in :mod:`core.hookspecs`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.hookspecs import hookspec

if TYPE_CHECKING:
    from .connectors import Connector
    from .models import SupplierConnection


@hookspec
def supplier_connectors() -> list[Connector]:
    """Return a list of supplier connectors this plugin offers.

    A connector is an object with ``name`` (stored per vendor by an administrator),
    ``title`` and the methods of :class:`plugins.supplier_sync.connectors.Connector`:
    ``fetch_order(conn, supplier_ref)`` returns one supplier order as a snapshot dict,
    ``orders_changed_since(conn, since)`` returns ``[{"order_ref", "changed_at"}]``,
    and optionally ``submit_order(conn, order)`` returns the supplier's order reference.
    ``conn`` is the vendor's :class:`plugins.supplier_sync.models.SupplierConnection`
    (base URL, API key, timeout set by an administrator); a connector never takes an
    address from a notification. Fires when the connection page or a sync job needs
    the list, outside any transaction; the methods are called from background jobs,
    never inside a save, and raise
    :class:`plugins.supplier_sync.connectors.ConnectorError` on failure (the job
    records it and retries with backoff). An exception in this hook itself is recorded
    as a sync failure naming the plugin.

    Example::

        @hookimpl
        def supplier_connectors():
            return [AcmeConnector()]  # name = "acme", title = "Acme B2B"
    """


@hookspec(firstresult=True)
def supplier_catalog_lookup(conn: SupplierConnection, vendor_item_code: str) -> dict[str, Any] | None:
    """Look up an item the buyer does not have in a supplier catalog.

    Fires in a sync job when a supplier order names an item that no local item
    matches (item code or the vendor's item code), before the job's transaction
    (it may call the network); the implementation must not write rows, only answer:
    supplier_sync creates the item through core's item model and ``on_item_saved``.
    Return a dict with ``code``, ``description`` and optionally ``uom``,
    ``unit_cost``, ``list_price``; or ``None`` when not found (the next implementation
    is asked; the first answer wins). An exception is recorded as a sync failure
    naming the plugin and the job is retried.

    Example::

        @hookimpl
        def supplier_catalog_lookup(conn, vendor_item_code):
            if conn.connector != "acme":
                return None
            return {"code": vendor_item_code, "description": "From the Acme catalog"}
    """
