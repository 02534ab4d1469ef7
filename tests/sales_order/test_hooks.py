"""The hooks the sales order plugin fires, through a probe plugin and through the web pages."""

from decimal import Decimal as D

import pytest
import sqlalchemy as sa

import core.plugins
from core.db import db
from plugins.sales_order.models import SalesInvoice, SalesOrder
from tests.sales_order import probe_plugin
from tests.sales_order.conftest import SO


@pytest.fixture
def probe_app(app, users, app_factory, monkeypatch):
    """A second app on the same (clean) tables with the probe plugin installed and enabled."""
    from core.demo import add_core_demo

    monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, "probe_sales_order", "tests.sales_order.probe_plugin")
    papp = app_factory()
    with papp.app_context():
        add_core_demo(db.session)
        db.session.commit()
    probe_plugin.CALLS.clear()
    probe_plugin.RAISE.clear()
    yield papp
    probe_plugin.RAISE.clear()


@pytest.fixture
def pso(probe_app):
    return SO(probe_app)


@pytest.fixture
def pclient(probe_app):
    from tests.conftest import Client

    probe_app.test_client_class = Client
    c = probe_app.test_client()
    c.login("sales")
    return c


def form_data(so, lines, **header):
    data = {"customer_id": str(so.partner("C1000")), "warehouse_id": str(so.warehouse()), "order_type": "O",
            "order_date": "2026-05-04", **header}
    for i, (code, qty) in enumerate(lines):
        data[f"lines-{i}-item_id"] = str(so.item(code)) if code else ""
        data[f"lines-{i}-qty_ordered"] = qty
    return data


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_hook_on_sales_order_saved(pso):
    """Fires with the order and its line changes (added, changed, removed) inside the save."""
    oid = pso.save(lines=[("BOLT-10", "5"), ("DRILL-18V", "20"), ("GLOVES", "1")])
    _validate, saved = probe_plugin.CALLS
    assert saved[:4] == ("on_sales_order_saved", "0100001", True, [1, 2, 3])
    assert saved[7] == [0, 8, 0]  # back order known when the hook runs
    from plugins.sales_order.services import LineInput, OrderInput, save_order

    drill = pso.item("DRILL-18V")
    probe_plugin.CALLS.clear()
    with pso.app.app_context():
        order = db.session.get(SalesOrder, oid)
        bolt, drill_line, gloves = order.lines
        gloves_id = gloves.id
        save_order(OrderInput(customer_id=order.customer_id, warehouse_id=order.warehouse_id, lines=[
            LineInput(id=bolt.id, item_id=bolt.item_id, qty_ordered=D("5"), index=0),
            LineInput(id=drill_line.id, item_id=drill, qty_ordered=D("10"), index=1),
            LineInput(item_id=bolt.item_id, qty_ordered=D("2"), index=2)]), order)
        db.session.commit()
    saved = probe_plugin.CALLS[-1]
    assert saved[2] is False and saved[3] == [4]
    assert saved[4] == [(2, D("20"), D("10"))]
    assert saved[5] == [(3, D("1"))]
    assert saved[6] == [gloves_id]  # the removed line was still in the database during the hook
    assert [x["line_no"] for x in pso.order(oid)["lines"]] == [1, 2, 4]  # and is gone afterwards


def test_on_sales_order_saved_exception_rolls_back_and_names_plugin(pso, pclient):
    probe_plugin.RAISE.add("on_sales_order_saved")
    before = pso.stock("BOLT-10")
    resp = pclient.post("/sales-orders/new", data=form_data(pso, [("BOLT-10", "7")], notes="keep me"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "probe_sales_order" in page and "probe refuses in on_sales_order_saved" in page
    assert "keep me" in page and 'value="7"' in page  # nothing typed is lost
    assert count(pso.app, SalesOrder) == 0 and pso.stock("BOLT-10") == before
    with pso.app.app_context():
        from core.numbering import peek

        assert peek("so_order") in (None, 100001)  # the number was given back


def test_hook_validate_sales_order(pso, pclient):
    """Fires with the built order before its flush; errors stop the save, warnings show."""
    pso.save(lines=[("BOLT-10", "5"), ("DRILL-18V", "20"), ("GLOVES", "1")])
    validate = probe_plugin.CALLS[0]
    assert validate[0] == "validate_sales_order" and validate[2] == D("2023.30")  # built, not yet numbered
    assert validate[1] in ("", None)
    resp = pclient.post("/sales-orders/new", data=form_data(pso, [("BOLT-10", "1")], notes="PROBE-ERROR"))
    assert resp.status_code == 422 and "The probe does not like this order." in resp.get_data(as_text=True)
    assert count(pso.app, SalesOrder) == 1
    resp = pclient.post("/sales-orders/new", data=form_data(pso, [("BOLT-10", "1")], notes="PROBE-WARN"),
                        follow_redirects=True)
    assert resp.status_code == 200 and "The probe has doubts." in resp.get_data(as_text=True)
    assert count(pso.app, SalesOrder) == 2


def test_validate_sales_order_exception_names_plugin(pso, pclient):
    probe_plugin.RAISE.add("validate_sales_order")
    resp = pclient.post("/sales-orders/new", data=form_data(pso, [("BOLT-10", "1")]))
    assert resp.status_code == 422 and "probe_sales_order" in resp.get_data(as_text=True)
    assert count(pso.app, SalesOrder) == 0


def test_hook_on_sales_order_cancelled(pso, pclient):
    """Fires inside the cancellation; an exception aborts it and names the plugin."""
    oid = pso.save(lines=[("BOLT-10", "5")])
    probe_plugin.RAISE.add("on_sales_order_cancelled")
    resp = pclient.post(f"/sales-orders/{oid}/cancel", follow_redirects=True)
    assert "probe_sales_order" in resp.get_data(as_text=True)
    assert pso.order(oid)["status"] == "1" and pso.stock("BOLT-10")[1] == 5
    probe_plugin.RAISE.clear()
    pclient.post(f"/sales-orders/{oid}/cancel")
    assert probe_plugin.CALLS[-1] == ("on_sales_order_cancelled", pso.order(oid)["number"], "*")
    assert pso.order(oid)["status"] == "*"


def test_hook_on_sales_order_shipped(pso, pclient):
    """Fires inside the shipment; an exception aborts it and names the plugin."""
    oid = pso.save(lines=[("BOLT-10", "5")])
    line_id = pso.order(oid)["lines"][0]["id"]
    probe_plugin.RAISE.add("on_sales_order_shipped")
    resp = pclient.post(f"/sales-orders/{oid}/ship", data={f"ship-{line_id}": "3"})
    assert resp.status_code == 422 and "probe_sales_order" in resp.get_data(as_text=True)
    assert count(pso.app, SalesInvoice) == 0 and pso.stock("BOLT-10") == (D(400), D(5))
    probe_plugin.RAISE.clear()
    assert pclient.post(f"/sales-orders/{oid}/ship", data={f"ship-{line_id}": "3"}).status_code == 302
    assert probe_plugin.CALLS[-1][0] == "on_sales_order_shipped" and probe_plugin.CALLS[-1][3] == [D(3)]


def test_disabled_probe_is_not_called(pso, probe_app):
    with probe_app.app_context():
        core.plugins.host_of(probe_app).set_enabled("probe_sales_order", False)
    probe_plugin.RAISE.add("on_sales_order_saved")
    pso.save()
    assert probe_plugin.CALLS == []
