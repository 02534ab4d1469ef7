"""A third-party connector as another package would ship it: orders kept in memory, no HTTP."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import Manifest

manifest = Manifest(name="probe_connector", title="Memory connector (test)", version="0",
                    depends=("supplier_sync",))

ORDERS: dict[str, dict] = {}
CATALOG: dict[str, dict] = {}
FAIL_LOOKUP: list[bool] = []


class MemoryConnector:
    name = "memory"
    title = "In-memory supplier (test)"

    def fetch_order(self, conn, supplier_ref):
        from plugins.supplier_sync.connectors import ConnectorError

        if supplier_ref not in ORDERS:
            raise ConnectorError(f"no order {supplier_ref}")
        return ORDERS[supplier_ref]

    def orders_changed_since(self, conn, since):
        return [{"order_ref": ref, "changed_at": o["changed_at"]} for ref, o in ORDERS.items()]


@hookimpl
def supplier_connectors():
    return [MemoryConnector()]


@hookimpl
def supplier_catalog_lookup(conn, vendor_item_code):
    if conn.connector != "memory":
        return None
    if FAIL_LOOKUP:
        raise RuntimeError("catalog service down")
    return CATALOG.get(vendor_item_code)
