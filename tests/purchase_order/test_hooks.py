"""The hooks purchase_order fires, inside the transaction; a raising implementation aborts and is named."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

import core.plugins
from core.db import db
from core.plugins import HookError
from plugins.purchase_order import services as svc
from plugins.purchase_order.models import PurchaseOrder, Receipt, Return

from . import probe_plugin as probe
from .helpers import ids, make_po, on_hand


@pytest.fixture
def papp(app, monkeypatch):
    """A second app with the probe plugin enabled (tables already cleaned by ``app``)."""
    from core.demo import add_core_demo

    monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, "probe_purchase_order", "tests.purchase_order.probe_plugin")
    probe.CALLS.clear()
    probe.FAIL.clear()
    from tests.conftest import make_app

    app2 = make_app()
    with app2.app_context():
        add_core_demo(db.session)
        db.session.commit()
    yield app2
    with app2.app_context():
        db.session.remove()
        db.engine.dispose()


def test_hook_on_purchase_order_saved(papp):
    """Fires on PO entry saves, new (created=True) and edited (created=False)."""
    with papp.app_context():
        k = ids()
        po = svc.save_purchase_order(None, vendor_id=k["V2000"], order_type="S", header={},
                                     lines=[{"item_id": k["BOLT-10"], "qty_ordered": Decimal(3)}])
        assert probe.CALLS[-1] == ("on_purchase_order_saved", po.number, True)
        svc.save_purchase_order(po, vendor_id=k["V2000"], order_type="S", header={},
                                lines=[{"id": po.lines[0].id, "item_id": k["BOLT-10"], "qty_ordered": Decimal(4)}])
        assert probe.CALLS[-1] == ("on_purchase_order_saved", po.number, False)


def test_hook_on_purchase_order_sent(papp):
    with papp.app_context():
        po = make_po()
        svc.send_purchase_order(po, user_id=None)
        assert probe.CALLS[-1] == ("on_purchase_order_sent", po.number, True)  # sent_at already set


def test_hook_on_purchase_order_cancelled(papp):
    """Fires on cancel and on delete, before the lines are removed."""
    with papp.app_context():
        po = make_po()
        svc.cancel_purchase_order(po)
        assert probe.CALLS[-1] == ("on_purchase_order_cancelled", po.number, 1)
        other = make_po()
        svc.delete_purchase_order(other)
        assert probe.CALLS[-1] == ("on_purchase_order_cancelled", other.number, 1)  # fired before the delete


def test_hook_on_receipt(papp):
    """Fires with the posted receipt; its lines carry each PO line and quantity."""
    with papp.app_context():
        po = make_po(lines=(("BOLT-10", 10, "1"), ("GLOVES", 4, "1")))
        a, b = po.lines
        r = svc.post_receipt(po.id, {a.id: 6, b.id: 4}).document
        assert probe.CALLS[-1] == ("on_receipt", r.number, [(1, Decimal(6)), (2, Decimal(4))])


def test_hook_on_return(papp):
    with papp.app_context():
        po = make_po(lines=(("BOLT-10", 10, "1"), ("GLOVES", 4, "1")))
        b = po.lines[1]
        svc.post_receipt(po.id, {b.id: 4})
        ret = svc.post_return(po.id, {b.id: 1}).document
        assert probe.CALLS[-1] == ("on_return", ret.number, [(2, Decimal(1))])


@pytest.mark.parametrize("hook", ["on_receipt", "on_return"])
def test_exception_in_receipt_or_return_aborts_and_names_plugin(papp, hook):
    with papp.app_context():
        po = make_po(lines=(("BOLT-10", 10, "1"),))
        lid = po.lines[0].id
        if hook == "on_return":
            svc.post_receipt(po.id, {lid: 5})
            db.session.commit()
        stock = on_hand("BOLT-10")
        probe.FAIL.add(hook)
        with pytest.raises(HookError) as err:
            (svc.post_receipt if hook == "on_receipt" else svc.post_return)(po.id, {lid: 2})
        assert err.value.plugin == "probe_purchase_order"
        db.session.rollback()
        assert on_hand("BOLT-10") == stock
        po = db.session.get(PurchaseOrder, po.id)
        assert po.lines[0].qty_received == (0 if hook == "on_receipt" else 5)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)) == (hook == "on_return")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Return)) == 0


@pytest.mark.parametrize("hook", ["on_purchase_order_saved", "on_purchase_order_sent",
                                  "on_purchase_order_cancelled"])
def test_exception_in_po_hooks_aborts(papp, hook):
    with papp.app_context():
        po = make_po()
        probe.FAIL.add(hook)
        with pytest.raises(HookError) as err:
            if hook == "on_purchase_order_saved":
                svc.save_purchase_order(None, vendor_id=po.vendor_id, order_type="S", header={},
                                        lines=[{"item_id": po.lines[0].item_id, "qty_ordered": Decimal(1)}])
            elif hook == "on_purchase_order_sent":
                svc.send_purchase_order(po, user_id=None)
            else:
                svc.delete_purchase_order(po)
        assert err.value.plugin == "probe_purchase_order" and "probe refuses" in str(err.value)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder)) == 1
        assert db.session.get(PurchaseOrder, po.id).status == "new"


def test_receipt_hook_failure_shown_on_page_naming_plugin(papp):
    from core.models import User
    from tests.conftest import PASSWORD, Client

    with papp.app_context():
        u = User(username="buyer", role="purchasing")
        u.set_password(PASSWORD)
        db.session.add(u)
        po = make_po(lines=(("BOLT-10", 10, "1"),))
        po_id, lid = po.id, po.lines[0].id
    probe.FAIL.add("on_receipt")
    papp.test_client_class = Client
    c = papp.test_client()
    c.login("buyer")
    resp = c.post(f"/purchase-orders/{po_id}/receive", data={f"qty_{lid}": "3", "comment": "dock 4"})
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert "probe_purchase_order" in body and 'value="3"' in body and "dock 4" in body
    with papp.app_context():
        assert db.session.get(PurchaseOrder, po_id).lines[0].qty_received == 0
