"""BACK ORDER emails: a PO line status linked to a template (through the form extension), the
status change fired by purchase_order, one email per customer waiting on the line."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

import core.plugins
from core.db import db
from core.models import Partner
from plugins.email_templates.models import OutboxEmail, StatusTemplate
from plugins.email_templates.status_link import save_link
from plugins.email_templates.templating import save_template
from plugins.purchase_order.models import PoLineStatus, PurchaseOrder
from tests.po_generation.helpers import make_order

from .test_templates import GOOD


def make_status(code="BO", with_template=True) -> tuple[int, int | None]:
    status = PoLineStatus(code=code, description="Back ordered by vendor")
    db.session.add(status)
    db.session.flush()
    template_id = None
    if with_template:
        template_id = save_template(None, {**GOOD, "name": f"BO {code}"}).id
        save_link(status.id, template_id)
    db.session.commit()
    return status.id, template_id


def set_status(po: PurchaseOrder, status_id: int | None, only_line: int | None = None) -> None:
    from plugins.purchase_order.services import save_purchase_order

    lines = [{"id": ln.id, "item_id": ln.item_id, "qty_ordered": ln.qty_ordered, "unit_cost": ln.unit_cost,
              "description": ln.description, "vendor_item_code": ln.vendor_item_code,
              "required_date": ln.required_date,
              "line_status_id": status_id if only_line in (None, ln.line_no) else ln.line_status_id}
             for ln in po.lines]
    save_purchase_order(po, vendor_id=po.vendor_id, order_type=po.order_type, header={}, lines=lines)
    db.session.commit()


def backordered_po() -> tuple[PurchaseOrder, str]:
    """A sales order whose BOLT-10 line is bought on a PO by po_generation (the real link)."""
    from plugins.po_generation import generation as pogen

    so = make_order([("LADDER-8", 3)])
    if not db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder)):
        pogen.generate_for_order(so.id)
        db.session.commit()
    po = db.session.scalar(sa.select(PurchaseOrder))
    return po, so.number


def outbox_rows() -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)))


def test_status_with_back_order_template_queues_one_email_to_the_customer(app, demo):
    with app.app_context():
        po, so_number = backordered_po()
        assert po is not None and po.lines
        status_id, template_id = make_status()
        set_status(po, status_id)
        [email] = outbox_rows()
        assert email.status == "pending" and email.type == "BACK ORDER" and email.template_id == template_id
        assert email.recipient == "orders@acme.example"  # C1000, the demo customer of make_order
        assert email.subject == f"Your order {so_number}"
        assert "Dear Acme Hardware" in email.body_text and f"PO {po.number}" in email.body_text
        assert email.message_id.startswith("<") and email.document == f"PO {po.number} line 1"
        # saving again with the same status, or toggling back to it, queues nothing new
        set_status(po, status_id)
        set_status(po, None)
        set_status(po, status_id)
        assert len(outbox_rows()) == 1


def test_status_without_template_or_inactive_template_queues_nothing(app, demo):
    from plugins.email_templates.models import EmailTemplate

    with app.app_context():
        po, _ = backordered_po()
        plain_id, _ = make_status("OPEN", with_template=False)
        set_status(po, plain_id)
        assert outbox_rows() == []
        bo_id, template_id = make_status("BO")
        db.session.get(EmailTemplate, template_id).active = False
        db.session.commit()
        set_status(po, bo_id)
        assert outbox_rows() == []


def test_hook_purchase_line_demand(app, demo, monkeypatch):
    """``purchase_line_demand`` (a probe here) tells who waits; lines of one customer share one email."""
    from tests.conftest import make_app

    from . import probe_plugin

    monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, "probe_email_types", "tests.email_templates.probe_plugin")
    app2 = make_app()
    with app2.app_context():
        from plugins.purchase_order.services import create_purchase_order
        from tests.po_generation.helpers import item, partner

        po = create_purchase_order(vendor_id=partner("V2000").id, order_type="S",
                                   lines=[{"item_id": item("BOLT-10").id, "qty_ordered": Decimal("50")}])
        db.session.commit()
        line_id = po.lines[0].id
        c1, c2 = partner("C1000").id, partner("C1001").id
        probe_plugin.DEMAND[:] = [
            {"po_line_id": line_id, "so_line_id": 1, "order_number": "SO7", "customer_id": c1,
             "item_code": "BOLT-10", "description": "Bolt", "qty": Decimal("5")},
            {"po_line_id": line_id, "so_line_id": 2, "order_number": "SO8", "customer_id": c1,
             "item_code": "BOLT-10", "description": "Bolt", "qty": Decimal("7")},
            {"po_line_id": line_id, "so_line_id": 3, "order_number": "SO9", "customer_id": c2,
             "item_code": "BOLT-10", "description": "Bolt", "qty": Decimal("2")},
        ]
        status_id, _ = make_status()
        set_status(po, status_id)
        rows = outbox_rows()
        probe_plugin.DEMAND.clear()
        by_to = {r.recipient: r for r in rows}
        assert set(by_to) == {"orders@acme.example", "buying@bluesky.example"}
        assert by_to["orders@acme.example"].subject == "Your order SO7, SO8"
        assert by_to["buying@bluesky.example"].subject == "Your order SO9"
        db.session.remove()
        db.engine.dispose()


def test_customer_without_email_is_skipped(app, demo):
    with app.app_context():
        po, _ = backordered_po()
        db.session.scalar(sa.select(Partner).where(Partner.number == "C1000")).email = ""
        db.session.commit()
        status_id, _ = make_status()
        set_status(po, status_id)
        assert outbox_rows() == []


def test_hook_on_po_line_status_changed(app, demo, monkeypatch):
    """purchase_order fires ``on_po_line_status_changed`` once per line whose status changed (old, new ids)."""
    calls = []
    import plugins.email_templates.backorder as backorder

    monkeypatch.setattr(backorder, "on_status_changed", lambda po_line, old, new: calls.append(
        (po_line.line_no, old, new)) or 0)
    with app.app_context():
        from plugins.purchase_order.services import create_purchase_order
        from tests.po_generation.helpers import item, partner

        po = create_purchase_order(vendor_id=partner("V2000").id, order_type="S", lines=[
            {"item_id": item("BOLT-10").id, "qty_ordered": Decimal("5")},
            {"item_id": item("LADDER-8").id, "qty_ordered": Decimal("2")}])
        db.session.commit()
        a, _ = make_status("A", with_template=False)
        b, _ = make_status("B", with_template=False)
        set_status(po, a, only_line=2)
        set_status(po, b, only_line=2)
        set_status(po, b, only_line=2)  # unchanged: no call
    assert calls == [(2, None, a), (2, a, b)]


def test_hook_on_po_line_status_saved(admin_client, app):
    """``extend_form`` adds the field; ``on_po_line_status_saved`` stores the link in em_status_template."""
    with app.app_context():
        status_id, template_id = make_status("BO", with_template=True)
        db.session.query(StatusTemplate).delete()
        db.session.commit()
    page = admin_client.get(_status_url(app, status_id))
    assert page.status_code == 200 and 'name="em_template_id"' in page.get_data(as_text=True)
    resp = admin_client.post(_status_url(app, status_id), data={"code": "BO", "description": "Back ordered",
                                                                 "em_template_id": str(template_id)})
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(StatusTemplate, status_id).template_id == template_id
        core.plugins.host_of(app).set_enabled("email_templates", False)
    page = admin_client.get(_status_url(app, status_id))
    assert page.status_code == 200 and "em_template_id" not in page.get_data(as_text=True)
    resp = admin_client.post(_status_url(app, status_id), data={"code": "BO", "description": "Still back ordered"})
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(StatusTemplate, status_id).template_id == template_id  # data kept
        core.plugins.host_of(app).set_enabled("email_templates", True)
    resp = admin_client.post(_status_url(app, status_id), data={"code": "BO", "description": "x",
                                                                 "em_template_id": ""})
    with app.app_context():
        assert db.session.get(StatusTemplate, status_id) is None


def _status_url(app, status_id: int) -> str:
    from flask import url_for

    with app.test_request_context():
        return url_for("purchase_order.line_statuses", row_id=status_id, _external=False)


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_status_form_refuses_unknown_template(admin_client, app, value):
    with app.app_context():
        status_id, _ = make_status("BO", with_template=False)
    resp = admin_client.post(_status_url(app, status_id), data={"code": "BO", "description": "x",
                                                                 "em_template_id": value})
    assert resp.status_code == 422 and "Not a valid choice" in resp.get_data(as_text=True)
