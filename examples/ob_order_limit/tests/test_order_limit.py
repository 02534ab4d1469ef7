"""Tests of the order_limit example plugin, written as a plugin author would: only the
``orderbridge.testing`` fixtures (``app``, ``client_for``, ``set_options``,
``enable_plugins``, ``disable_plugins``, ``demo``) and OrderBridge's public pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.db import db
from core.models import Item, Partner, Warehouse
from core.plugins import host_of


@pytest.fixture
def sales(app, demo, client_for):
    """A sales clerk's client, with the plugin switched on (it is off on a fresh install)."""
    return client_for("sales")


def order_form(app, lines, **header) -> dict:
    """The sales order entry form: customer C1000, warehouse MAIN, ``lines`` of (item code, qty)."""
    with app.app_context():
        def one(model, col, value):
            return str(db.session.scalar(sa.select(model.id).where(col == value)))

        data = {"customer_id": one(Partner, Partner.number, "C1000"), "order_type": "O",
                "warehouse_id": one(Warehouse, Warehouse.code, "MAIN"), "order_date": "2026-05-04", **header}
        for i, (code, qty) in enumerate(lines):
            data[f"lines-{i}-item_id"] = one(Item, Item.code, code)
            data[f"lines-{i}-qty_ordered"] = qty
    return data


def order_count(app) -> int:
    from plugins.sales_order.models import SalesOrder

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(SalesOrder))


def test_found_through_its_entry_point_and_off_on_a_fresh_install(app, client_for, enable_plugins):
    host = host_of(app)
    assert host.plugins["order_limit"].source == "ob-order-limit"
    assert host.plugins["order_limit"].module.__name__ == "ob_order_limit.plugin"
    with app.app_context():
        assert not host.is_enabled("order_limit")
    admin = client_for("admin")
    row = admin.get("/admin/modules").get_data(as_text=True).split('id="module-order_limit"')[1].split("</tr>")[0]
    assert "Order limit (example)" in row
    admin.post("/admin/modules/order_limit/enable")
    with app.app_context():
        assert host.is_enabled("order_limit")


def test_big_orders_are_refused_until_the_plugin_is_disabled(app, sales, set_options, enable_plugins,
                                                            disable_plugins):
    enable_plugins("order_limit")
    set_options("order_limit", max_order_total=Decimal("100"))
    resp = sales.post("/sales-orders/new", data=order_form(app, [("DRILL-18V", "2")]))
    assert resp.status_code == 422 and "above the limit of 100.00" in resp.get_data(as_text=True)
    assert order_count(app) == 0
    assert sales.post("/sales-orders/new", data=order_form(app, [("BOLT-10", "1")])).status_code == 302
    disable_plugins("order_limit")
    assert sales.post("/sales-orders/new", data=order_form(app, [("DRILL-18V", "2")])).status_code == 302
    assert order_count(app) == 2


def test_a_failing_save_hook_rolls_the_whole_save_back(app, sales, set_options, enable_plugins):
    enable_plugins("order_limit")
    set_options("order_limit", fail_on_save_marker="FAIL-NOW")
    resp = sales.post("/sales-orders/new", data=order_form(app, [("BOLT-10", "3")], notes="please FAIL-NOW"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Plugin &#39;order_limit&#39; failed in on_sales_order_saved" in page and "FAIL-NOW" in page
    assert "please FAIL-NOW" in page  # nothing typed is lost
    assert order_count(app) == 0
    assert sales.post("/sales-orders/new", data=order_form(app, [("BOLT-10", "3")])).status_code == 302


def test_while_off_its_hooks_do_not_fire(app, sales, set_options):
    set_options("order_limit", max_order_total=Decimal("1"), fail_on_save_marker="X")
    assert sales.post("/sales-orders/new", data=order_form(app, [("DRILL-18V", "2")], notes="X")).status_code == 302
    assert order_count(app) == 1
