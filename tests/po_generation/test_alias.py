"""*Carry the alias item number*: the SO line's alias reaches the generated PO line and its print."""

import sqlalchemy as sa

from core.db import db
from plugins.po_generation.drop_ship import create_drop_ship_po
from plugins.po_generation.generation import generate_for_order
from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderLine
from plugins.sales_order.models import SalesOrderLine

from .helpers import make_order, partner, set_options, so_form


def _alias_on_po_lines(so_number: str) -> dict[str, str]:
    rows = db.session.execute(
        sa.select(PurchaseOrderLine.origin_label, PurchaseOrderLine.alias_item_code)
        .where(PurchaseOrderLine.origin_label.like(f"SO {so_number} %"))).all()
    return {label: alias for label, alias in rows}


def test_alias_is_carried_to_generated_po_lines_only_with_the_option(app, demo):
    mix = [("SAW-TABLE", 1, {"alias_item_code": "CUST-SAW"}), ("LADDER-8", 3, {"alias_item_code": "CUST-LAD"})]
    with app.app_context():
        off = make_order(mix)
        generate_for_order(off.id)
        db.session.commit()
        assert set(_alias_on_po_lines(off.number).values()) == {""}
        set_options(alias_item_number=True)
        on = make_order(mix)
        generate_for_order(on.id)
        db.session.commit()
        got = _alias_on_po_lines(on.number)
        assert got == {f"SO {on.number} line 1": "CUST-SAW", f"SO {on.number} line 2": "CUST-LAD"}


def test_alias_on_drop_ship_po_from_the_order(app, demo):
    with app.app_context():
        set_options(alias_item_number=True)
        so = make_order([("DESK-OAK", 1, {"alias_item_code": "THEIR-77"})])
        po = create_drop_ship_po(so, partner("V2002").id, include_all=False)
        db.session.commit()
        assert [ln.alias_item_code for ln in po.lines] == ["THEIR-77"]


def test_alias_typed_on_the_order_form_prints_on_the_po(app, client, demo, users):
    with app.app_context():
        set_options(alias_item_number=True)
    client.login("sales")
    data = so_form(app, [("SAW-TABLE", "1")])
    data["lines-0-alias_item_code"] = " ACME-4411 "
    resp = client.post("/sales-orders/new", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert "alias ACME-4411" in client.get(resp.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        line = db.session.scalars(sa.select(SalesOrderLine)).one()
        assert line.alias_item_code == "ACME-4411"
        generate_for_order(line.order_id)
        db.session.commit()
        po_id = db.session.scalars(sa.select(PurchaseOrder.id)).one()
    client.login("purchasing")
    printed = client.get(f"/purchase-orders/{po_id}/print").get_data(as_text=True)
    assert "Alias: ACME-4411" in printed
