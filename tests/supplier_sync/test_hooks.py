"""The supplier sync hooks: a third-party connector (``supplier_connectors``) and catalog
(``supplier_catalog_lookup``) from another package, used by the same sync jobs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

import core.plugins
from core.db import db
from core.models import Item, Partner, utcnow
from plugins.supplier_sync import sync
from plugins.supplier_sync.models import PoSync, SupplierConnection

from . import probe_connector
from .conftest import SECRET
from .helpers import make_po, po_lines


@pytest.fixture
def probe_app(app, demo, app_factory, monkeypatch):
    monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, "probe_connector", "tests.supplier_sync.probe_connector")
    probe_connector.ORDERS.clear()
    probe_connector.CATALOG.clear()
    probe_connector.FAIL_LOOKUP.clear()
    papp = app_factory()
    with papp.app_context():
        vendor_id = db.session.scalar(sa.select(Partner.id).where(Partner.number == "V2001"))
        db.session.add(SupplierConnection(vendor_id=vendor_id, connector="memory", base_url="", api_key="",
                                          webhook_secret=SECRET, auto_sync=True))
        db.session.commit()
    papp.vendor_id = vendor_id
    return papp


def _notify_and_pull(papp, ref: str) -> str:
    with papp.app_context():
        inbox_id = sync.record_notification(papp.vendor_id, f"msg_{ref}_{utcnow().timestamp()}",
                                            datetime.now(UTC).replace(tzinfo=None), ref)
        db.session.commit()
        return sync.pull_and_apply(inbox_id)


def test_hook_supplier_connectors(probe_app):
    with probe_app.app_context():
        po_id, number = make_po([("SAW-TABLE", 2, "310")], vendor="V2001")
        assert "memory" in sync.connectors() and "http_json" in sync.connectors()
    probe_connector.ORDERS["M-1"] = {"order_ref": "M-1", "buyer_po_number": number,
                                     "changed_at": "2026-11-30T08:00:00Z", "lines": [
                                         {"line_ref": "1", "item_code": "GX-TS10", "qty": "3",
                                          "unit_price": "305.5", "status": "accepted"}]}
    assert _notify_and_pull(probe_app, "M-1") == "applied"
    with probe_app.app_context():
        assert po_lines(po_id)["SAW-TABLE"][:2] == (D("3"), D("305.5"))
        assert db.session.get(PoSync, po_id).supplier_ref == "M-1"


def test_hook_supplier_catalog_lookup(probe_app):
    probe_connector.CATALOG["GX-NEW"] = {"code": "VISE-6", "description": "Bench vise 6in", "unit_cost": "38"}
    probe_connector.ORDERS["M-2"] = {"order_ref": "M-2", "changed_at": "2026-11-30T08:00:00Z", "lines": [
        {"line_ref": "1", "item_code": "GX-NEW", "qty": "2", "unit_price": "37.5"}]}
    assert _notify_and_pull(probe_app, "M-2") == "created"
    with probe_app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == "VISE-6"))
        assert item.vendor_item_code == "GX-NEW" and item.unit_cost == D("38")
        state = db.session.scalar(sa.select(PoSync).where(PoSync.supplier_ref == "M-2"))
        assert po_lines(state.po_id) == {"VISE-6": (D("2"), D("37.5"), None)}


def test_supplier_catalog_lookup_failing_is_recorded_naming_the_plugin_and_retried(probe_app):
    probe_connector.FAIL_LOOKUP.append(True)
    probe_connector.ORDERS["M-3"] = {"order_ref": "M-3", "changed_at": "2026-11-30T08:00:00Z", "lines": [
        {"line_ref": "1", "item_code": "GX-ODD", "qty": "2", "unit_price": "1"}]}
    assert _notify_and_pull(probe_app, "M-3") == "retry"
    with probe_app.app_context():
        from plugins.supplier_sync.models import InboxMessage

        msg = db.session.scalar(sa.select(InboxMessage))
        assert "Plugin 'probe_connector' failed in supplier_catalog_lookup" in msg.last_error
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PoSync)) == 0


def test_the_connection_form_lists_installed_connectors(probe_app, users):
    from tests.conftest import Client

    probe_app.test_client_class = Client
    client = probe_app.test_client()
    client.login("admin")
    page = client.get(f"/supplier-sync/vendors/{probe_app.vendor_id}").get_data(as_text=True)
    assert "In-memory supplier (test)" in page and "JSON over HTTP (reference)" in page
