"""The hooks purchase_order fires, inside the transaction; a raising implementation aborts and is named."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.db import db
from core.plugins import HookError
from plugins.purchase_order import services as svc
from plugins.purchase_order.models import PurchaseOrder, Receipt, Return

from . import probe_plugin as probe
from .helpers import ids, make_po, on_hand


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


def _client(app, role: str = "purchasing"):
    from core.testing import client_of

    return client_of(app, role)


def test_hook_purchase_order_line_marks(papp, users):
    """A hidden line leaves the PO page's lines (and the entry table) for a "(show)" toggle, and is posted
    unchanged; a read-only field is greyed with the note; an unknown field name is ignored."""
    with papp.app_context():
        po = make_po(lines=[("BOLT-10", 3, "1"), ("GLOVES", 2, "1")])
        po_id, gloves_line = po.id, po.lines[1].id
        db.session.commit()
    probe.MARKS.update(hide=2, read_only=1)
    client = _client(papp)
    page = client.get(f"/purchase-orders/{po_id}").get_data(as_text=True)
    main = page.split('<table class="lines">')[1].split("</table>")[0]
    assert "BOLT-10" in main and "GLOVES" not in main
    hidden = page.split('id="hidden-lines"')[1].split("</details>")[0]
    assert "1 line parked by the probe (show)" in hidden and "GLOVES" in hidden
    form = client.get(f"/purchase-orders/{po_id}/edit").get_data(as_text=True)
    qty = form.split('name="lines-0-qty_ordered"')[1].split(">")[0]
    assert "readonly" in qty and "The probe owns it." in qty
    assert "readonly" not in form.split('name="lines-0-unit_cost"')[1].split(">")[0]  # others stay editable
    assert f'name="lines-1-id" value="{gloves_line}"' in form.split('id="hidden-lines"')[1]  # posted unchanged
    probe.MARKS["hide"] = 99  # no such line: nothing hidden
    assert 'id="hidden-lines"' not in client.get(f"/purchase-orders/{po_id}").get_data(as_text=True)


def test_purchase_order_form_takes_plugin_fields_and_hands_them_to_the_saved_hook(papp, users):
    """extend_form with form name "purchase_order": the field is on the entry form and its value
    reaches on_purchase_order_saved as form_data."""
    with papp.app_context():
        po = make_po(lines=[("BOLT-10", 3, "1")])
        po_id, line_id = po.id, po.lines[0].id
        vendor_id = po.vendor_id
        db.session.commit()
    probe.MARKS["po_field"] = True
    client = _client(papp)
    assert 'name="probe_po_note"' in client.get(f"/purchase-orders/{po_id}/edit").get_data(as_text=True)
    resp = client.post(f"/purchase-orders/{po_id}/edit", data={
        "vendor_id": vendor_id, "order_type": "S", "order_date": "2026-11-30", "probe_po_note": "hello",
        "lines-0-id": line_id, "lines-0-item": "BOLT-10", "lines-0-qty_ordered": "5"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    assert probe.FORM_DATA[-1] == {"probe_po_note": "hello"}



def test_hook_back_order_fills(papp, users):
    """The fill report asks every bridge with the scope it was given and adds up their rows per
    sales order line; a bridge's field error ("so") reaches the page beside the field."""
    row = {"so_line_id": 7, "so_id": 3, "so_number": "0100003", "line_no": 1, "customer_number": "C1000",
           "bill_to_name": "Acme Hardware", "item_code": "BOLT-10", "qty_filled": Decimal(2), "qty_open": Decimal(1),
           "linked": True}
    probe.FILLS.extend([row, {**row, "qty_filled": Decimal(1), "qty_open": Decimal(0)}])
    with papp.app_context():
        po = make_po()
        number = po.number
    client = _client(papp, "readonly")
    text = client.get(f"/receipts/fill-report?po={number}&format=csv").get_data(as_text=True)
    assert probe.CALLS[-1] == ("back_order_fills", None, po.id, "", False)
    assert text.splitlines()[1] == "0100003,1,C1000,Acme Hardware,BOLT-10,4,3,1"
    probe.FILLS.clear()
    probe.FAIL.add("back_order_fills")
    with pytest.raises(HookError):  # a failing bridge is named, never a half report
        with papp.app_context():
            from plugins.purchase_order.fill_report import ReportFilter, fill_report

            fill_report(ReportFilter(po=number))
