"""The home page: figures of what needs doing (dashboard_figures), each a link, and SVG charts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from core.db import db
from core.testing import client_of
from tests.platform_plugins import probe


def figures(html: str) -> dict[str, tuple[str, str]]:
    """label -> (value, href) of the figures on a home page."""
    found = {}
    for m in re.finditer(r'<a class="figure[^"]*" href="([^"]+)" data-figure="([^"]+)"[^>]*>\s*'
                         r'<span class="figure-value">([^<]+)</span>', html):
        found[m.group(2)] = (m.group(3), m.group(1).replace("&amp;", "&"))
    return found


def test_hook_dashboard_figures(probe_app, pc):
    """A plugin's figures go in their area with a link; roles hide; charts are SVG; a failure is a notice."""
    page = pc.get("/").get_data(as_text=True)
    assert figures(page)["Probe things to do"] == ("7", "/probe/?todo=1")
    assert figures(page)["Probe secrets"] == ("3", "/probe/")
    assert page.index('data-area="Inventory"') < page.index('data-area="Settings"')
    assert '<svg class="chart"' in page and 'aria-label="Probe chart"' in page
    assert "Big &lt;b&gt;" in page and "<b>" not in page.split('aria-label="Probe chart"')[1].split("</svg>")[0]
    readonly = client_of(probe_app, "readonly").get("/").get_data(as_text=True)
    assert "Probe things to do" in figures(readonly) and "Probe secrets" not in figures(readonly)
    probe.SWITCHES["figures_raise"] = True
    try:
        resp = pc.get("/")
    finally:
        probe.SWITCHES.pop("figures_raise")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "Module &#39;probe&#39; could not show its figures: figures exploded" in page
    assert "POs not yet sent" in page  # the others still show


def _orders(app):
    from plugins.purchase_order.services import create_purchase_order, send_purchase_order
    from plugins.sales_order.models import SalesOrder
    from tests.po_generation.helpers import item, make_order, partner

    with app.app_context():
        held = make_order([("BOLT-10", 1)])
        db.session.get(SalesOrder, held.id).status = "S"
        unsent = create_purchase_order(vendor_id=partner("V2000").id, order_type="S",
                                       required_date=date.today() - timedelta(days=3),
                                       lines=[{"item_id": item("BOLT-10").id, "qty_ordered": Decimal("10"),
                                               "unit_cost": Decimal("2.50")}])
        sent = create_purchase_order(vendor_id=partner("V2001").id, order_type="S",
                                     lines=[{"item_id": item("SAW-TABLE").id, "qty_ordered": Decimal("2"),
                                             "unit_cost": Decimal("100")}])
        send_purchase_order(sent, user_id=None)
        from plugins.purchase_order.documents import record_buyer_exception

        record_buyer_exception(sent.id, "Sales order cancelled")
        db.session.commit()
        return unsent.number, sent.number


def test_figures_count_and_link_to_the_filtered_lists(app, demo, client_for):
    unsent, sent = _orders(app)
    client = client_for("purchasing")
    page = client.get("/").get_data(as_text=True)
    figs = figures(page)
    assert figs["Orders on credit hold"][1] == "/sales-orders?status=S"
    held = int(figs["Orders on credit hold"][0])
    assert held >= 1 and f'{held} record' in client.get("/sales-orders?status=S").get_data(as_text=True)
    for label, expect in (("POs not yet sent", unsent), ("POs overdue", unsent), ("Open buyer exceptions", sent)):
        value, href = figs[label]
        listing = client.get(href).get_data(as_text=True)
        assert f'data-po="{expect}"' in listing, label
        assert f"{value} record" in listing, label  # the figure is what the list shows
    assert figs["Open buyer exceptions"] == ("1", "/purchase-orders?exceptions=1")
    assert "Back orders waiting" in figs and "Back orders ready to release" in figs
    assert "Emails waiting to be sent" in figs and "Syncing notifications" in figs
    # the charts: back-order ageing and open PO value by vendor, drawn on the server
    assert 'aria-label="Back-order ageing"' in page and 'aria-label="Open PO value by vendor"' in page
    assert "<script" not in page.split("<main>")[1]


def test_back_orders_ready_are_those_with_stock_now(app, demo, client_for):
    from core.models import Item, StockLevel
    from plugins.sales_order.models import SalesOrderLine
    from tests.po_generation.helpers import make_order

    with app.app_context():
        bolt = db.session.scalar(sa.select(Item.id).where(Item.code == "BOLT-10"))
        for row in db.session.scalars(sa.select(StockLevel).where(StockLevel.item_id == bolt)):
            row.on_hand = row.allocated
        db.session.commit()
        order = make_order([("BOLT-10", 5)])
        [line] = order.lines
        assert line.qty_backordered > 0
        number = order.number
    client = client_for("sales")
    figs = figures(client.get("/").get_data(as_text=True))
    waiting, ready = int(figs["Back orders waiting"][0]), int(figs["Back orders ready to release"][0])
    assert number not in client.get(figs["Back orders ready to release"][1]).get_data(as_text=True)
    with app.app_context():
        for row in db.session.scalars(sa.select(StockLevel).where(StockLevel.item_id == bolt)):
            row.on_hand = row.allocated + 3
        db.session.commit()
        assert db.session.scalar(sa.select(SalesOrderLine.qty_backordered).where(SalesOrderLine.id == line.id)) > 0
    figs = figures(client.get("/").get_data(as_text=True))
    assert int(figs["Back orders waiting"][0]) == waiting and int(figs["Back orders ready to release"][0]) == ready + 1
    assert number in client.get(figs["Back orders ready to release"][1]).get_data(as_text=True)


def test_home_page_queries_do_not_grow_with_data(app, demo, client_for, count_queries):
    client = client_for("admin")
    client.get("/")
    with count_queries() as few:
        client.get("/")
    _orders(app)
    _orders(app)
    with count_queries() as more:
        assert client.get("/").status_code == 200
    assert more.count == few.count, more.statements
