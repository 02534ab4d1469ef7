"""Demonstration data: a small company's customers, vendors, items and stock."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .db import db
from .models import Item, Partner, StockLevel, Warehouse
from .plugins import HookError, PluginHost


def add_core_demo(session: Session) -> None:
    main = Warehouse(code="MAIN", name="Main warehouse", address="1 Depot Road\nSpringfield")
    east = Warehouse(code="EAST", name="East branch", address="9 Harbour Street\nShelbyville")
    session.add_all([main, east])
    customers = [
        Partner(number="C1000", name="Acme Hardware", email="orders@acme.example", is_customer=True,
                bill_to_address="Acme Hardware\n12 Main St\nSpringfield", ship_to_address="Acme Hardware\n12 Main St\nSpringfield",
                ship_via="UPS Ground", fob="Origin", credit_limit=D("50000"), terms_days=30),
        Partner(number="C1001", name="Blue Sky Builders", email="buying@bluesky.example", is_customer=True,
                bill_to_address="Blue Sky Builders\n4 Elm Ave\nOgdenville", ship_to_address="Site 7\n88 Quarry Lane\nOgdenville",
                ship_via="Own truck", credit_limit=D("10000"), terms_days=30, current_balance=D("8500"),
                oldest_unpaid_invoice_date=date.today() - timedelta(days=75), credit_status=2),
        Partner(number="C1002", name="Corner Café", email="hello@cornercafe.example", is_customer=True,
                bill_to_address="Corner Café\n1 Market Sq\nCapital City", ship_to_address="Corner Café\n1 Market Sq\nCapital City",
                credit_limit=D("2000"), terms_days=14),
    ]
    vendors = [
        Partner(number="V2000", name="Northwind Supply", email="po@northwind.example", is_vendor=True,
                bill_to_address="Northwind Supply\nPO Box 100\nNorth Haverbrook", ship_via="Freight", fob="Destination"),
        Partner(number="V2001", name="Globex Components", email="sales@globex.example", is_vendor=True,
                bill_to_address="Globex Components\n1 Globex Way\nCypress Creek"),
        Partner(number="V2002", name="Initech Direct", email="dropship@initech.example", is_vendor=True,
                bill_to_address="Initech Direct\n400 Office Park\nAustin"),
    ]
    session.add_all(customers + vendors)
    session.flush()
    nw, gx, it = vendors
    items = [
        Item(code="BOLT-10", description="Hex bolt M10 (box of 50)", unit_cost=D("4.20"), list_price=D("7.50"),
             stocked=True, supply_method="stock", default_vendor_id=nw.id, vendor_item_code="NW-B10"),
        Item(code="DRILL-18V", description="Cordless drill 18V", unit_cost=D("61.00"), list_price=D("99.00"),
             stocked=True, supply_method="stock", default_vendor_id=gx.id, vendor_item_code="GX-D18",
             min_margin_pct=D("20")),
        Item(code="SAW-TABLE", description="Table saw 10in", unit_cost=D("310.00"), list_price=D("499.00"),
             stocked=False, supply_method="buy_to_order", default_vendor_id=gx.id, vendor_item_code="GX-TS10"),
        Item(code="LADDER-8", description="Step ladder 8ft", unit_cost=D("45.00"), list_price=D("79.00"),
             stocked=False, supply_method="buy_to_order", default_vendor_id=nw.id, vendor_item_code="NW-L8"),
        Item(code="DESK-OAK", description="Oak office desk", unit_cost=D("220.00"), list_price=D("389.00"),
             stocked=False, supply_method="drop_ship", default_vendor_id=it.id, vendor_item_code="IN-DSK"),
        Item(code="GLOVES", description="Work gloves (pair)", unit_cost=D("2.10"), list_price=D("5.804"),
             stocked=True, supply_method="stock", default_vendor_id=nw.id, vendor_item_code="NW-GL"),
    ]
    session.add_all(items)
    session.flush()
    for item, qty in zip(items, (400, 12, 0, 0, 0, 300), strict=True):
        if item.stocked:
            session.add(StockLevel(item_id=item.id, warehouse_id=main.id, on_hand=D(qty), allocated=D(0)))
    session.add(StockLevel(item_id=items[0].id, warehouse_id=east.id, on_hand=D(50), allocated=D(0)))


def load_demo(host: PluginHost, *, if_empty: bool) -> bool:
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Partner)):
        return False
    try:
        host.call_each("demo_data", enabled_only=True, session=db.session)
        db.session.commit()
    except HookError:
        db.session.rollback()
        raise
    return True
