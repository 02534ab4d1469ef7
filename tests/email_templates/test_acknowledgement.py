"""ORDER ACKNOWLEDGEMENT: a new sales order queues one email to the customer in the save's transaction."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

import core.plugins
from core.db import db
from core.models import Partner
from plugins.email_templates.acknowledgement import order_context
from plugins.email_templates.models import EmailTemplate, OutboxEmail
from plugins.email_templates.render import plain, render
from plugins.email_templates.templating import save_template
from plugins.email_templates.types import ORDER_ACK
from plugins.sales_order.models import SalesOrder
from tests.po_generation.helpers import make_order, so_form

ACK = {"name": "Order acknowledgement", "type": ORDER_ACK, "active": True,
       "subject": "We have your order {{ order.number }}",
       "body_html": "<p>Dear {{ customer.name }}</p><table>{% for l in lines %}<tr><td>{{ l.item_code }}</td>"
                    "<td>{{ l.qty }}</td><td>{{ l.value }}</td></tr>{% endfor %}</table>",
       "body_text": "Dear {{ customer.name }},\n"
                    "order {{ order.number }} of {{ order.order_date }} (your ref. {{ order.customer_po }})\n"
                    "ship to: {{ ship_to }}\n"
                    "{% for l in lines %}{{ l.line_no }} {{ l.item_code }} {{ l.description }} "
                    "{{ l.qty }} x {{ l.price }} = {{ l.value }}\n{% endfor %}"
                    "merchandise {{ totals.merchandise }} less {{ totals.discount }}: total {{ totals.total }}\n"
                    "{{ company.name }}"}


def ack_template(**changes) -> int:
    row = save_template(None, {**ACK, **changes})
    db.session.commit()
    return row.id


def outbox() -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)))


def resave(order: SalesOrder, **changes) -> None:
    from plugins.sales_order.services import LineInput, OrderInput, save_order

    lines = [LineInput(id=ln.id, item_id=ln.item_id, qty_ordered=ln.qty_ordered, index=i)
             for i, ln in enumerate(order.lines)]
    data = OrderInput(customer_id=order.customer_id, warehouse_id=order.warehouse_id, lines=lines,
                      number=order.number, **changes)
    save_order(data, order)
    db.session.commit()


def test_a_new_order_queues_one_acknowledgement_and_a_resave_none(app, demo):
    with app.app_context():
        template_id = ack_template()
        order = make_order([("BOLT-10", 4), ("LADDER-8", 1)], customer_po_number="REF-9")
        [email] = outbox()
        assert (email.type, email.status, email.template_id) == (ORDER_ACK, "pending", template_id)
        assert email.recipient == "orders@acme.example" and email.document == f"SO {order.number}"
        assert email.subject == f"We have your order {order.number}"
        assert "(your ref. REF-9)" in email.body_text and f"total {order.total}" in email.body_text
        message_id = email.message_id
        assert message_id.startswith("<") and message_id.endswith(">")  # fixed now, at queue time
        resave(order, customer_po_number="REF-10")  # a change and a save: no second acknowledgement
        resave(order, customer_po_number="REF-10")
        [again] = outbox()
        assert again.id == email.id and again.message_id == message_id and "REF-9" in again.body_text
        make_order([("BOLT-10", 1)])  # another new order: its own acknowledgement
        assert len(outbox()) == 2
        make_order([("BOLT-10", 1)], order_type="C")  # a credit note is not acknowledged
        assert len(outbox()) == 2


def test_no_active_template_queues_nothing(app, demo):
    with app.app_context():
        make_order([("BOLT-10", 1)])
        assert outbox() == []
        template_id = ack_template()
        db.session.get(EmailTemplate, template_id).active = False
        db.session.commit()
        make_order([("BOLT-10", 1)])
        assert outbox() == []
        save_template(None, {**ACK, "name": "Not an acknowledgement", "type": "PO TO VENDOR",
                             "subject": "PO {{ po.number }}", "body_html": "", "body_text": ""})
        db.session.commit()
        make_order([("BOLT-10", 1)])
        assert outbox() == []


def test_a_failing_save_rolls_the_acknowledgement_back(app, client, demo, users, monkeypatch):
    """Queued inside the save (the probe, which runs after it, sees the row), gone with the rollback."""
    from tests.conftest import make_app

    from . import probe_failing_save

    with app.app_context():
        ack_template()
    monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, "probe_failing_save", "tests.email_templates.probe_failing_save")
    probe_failing_save.SEEN.clear()
    app2 = make_app()
    from core.testing import client_of

    c = client_of(app2, "sales")
    resp = c.post("/sales-orders/new", data=so_form(app2, [("BOLT-10", "2")], customer_po_number="KEEP-ME"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "probe_failing_save" in page and 'value="KEEP-ME"' in page
    assert probe_failing_save.SEEN == [1]  # the acknowledgement was queued in the save's transaction ...
    with app2.app_context():
        assert outbox() == []  # ... and rolled back with it
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SalesOrder)) == 0
        db.session.remove()
        db.engine.dispose()


def test_the_entry_form_queues_it_and_a_customer_without_address_is_explained(app, client, demo, users):
    with app.app_context():
        ack_template()
    client.login("sales")
    resp = client.post("/sales-orders/new", data=so_form(app, [("BOLT-10", "2")]))
    assert resp.status_code == 302
    with app.app_context():
        [email] = outbox()
        assert email.recipient == "orders@acme.example"
        db.session.scalar(sa.select(Partner).where(Partner.number == "C1000")).email = ""
        db.session.commit()
    resp = client.post("/sales-orders/new", data=so_form(app, [("BOLT-10", "3")]), follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "was not acknowledged by email: neither the order nor customer C1000 has an e-mail address" in page
    with app.app_context():
        assert len(outbox()) == 1  # nothing queued for the second order
    pending = client.get("/email/pending").get_data(as_text=True)
    assert 'id="ack-rule"' in pending and "An order with neither gets no acknowledgement" in pending


def test_the_order_address_wins_over_the_customers(app, demo):
    with app.app_context():
        ack_template()
        make_order([("BOLT-10", 1)], email="buyer.jane@acme.example")
        [email] = outbox()
        assert email.recipient == "buyer.jane@acme.example"


def test_a_template_failing_on_a_real_order_does_not_stop_order_entry(app, demo, caplog):
    with app.app_context():
        ack_template(body_text="{{ 100 / (2 - lines|length) }}")  # renders on the one-line sample
        order = make_order([("BOLT-10", 1), ("LADDER-8", 1)])  # two lines: division by zero
        number = order.number
        assert order.id and outbox() == []
    assert any(f"Order {number} was not acknowledged by email: template Order acknowledgement cannot "
               "render it" in r.getMessage() for r in caplog.records)


def test_sandbox_renders_the_real_order_as_plain_data(app, demo):
    with app.app_context():
        order = make_order([("BOLT-10", 4), ("LADDER-8", 1)], customer_po_number="REF-9")
        context = order_context(order)
        assert plain(context) == context  # no model object reaches a template
        out = render({f: ACK[f] for f in ("subject", "body_html", "body_text")}, context)
        lines = {ln.item.code: ln for ln in order.lines}
        bolt = lines["BOLT-10"]
        assert (f"{bolt.line_no} BOLT-10 {bolt.description} {bolt.qty_ordered} x {bolt.unit_price} = "
                f"{bolt.line_value}\n") in out.body_text
        assert f"<td>BOLT-10</td><td>{bolt.qty_ordered}</td><td>{bolt.line_value}</td>" in out.body_html
        assert f"ship to: {order.ship_to_address}" in out.body_text and "Acme" in out.body_text
        assert f"total {order.total}" in out.body_text and order.total > Decimal("0")
        from jinja2.exceptions import SecurityError

        with pytest.raises(SecurityError):
            render({"subject": "x", "body_html": "", "body_text": "{{ order.__class__.__mro__ }}"}, context)


def test_editor_previews_on_a_real_sales_order(app, admin_client, demo):
    with app.app_context():
        order = make_order([("BOLT-10", 2)])
        number = order.number
    data = {**{k: v for k, v in ACK.items() if k != "active"}, "active": "y", "preview": "1", "preview_po": number}
    page = admin_client.post("/email/templates/new", data=data).get_data(as_text=True)
    assert f"We have your order {number}" in page
    data["preview_po"] = "NOPE1"
    page = admin_client.post("/email/templates/new", data=data).get_data(as_text=True)
    assert "No sales order NOPE1." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailTemplate)) == 0  # a preview saves nothing
