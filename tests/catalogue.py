"""Test helpers for "no page grows with the catalogue": grow the catalogue, then measure
what a page or a save costs in queries and bytes (never in time)."""

from __future__ import annotations

import re
from decimal import Decimal

import sqlalchemy as sa

from core.db import db
from core.models import Item, Partner, StockLevel, Warehouse


def grow_catalogue(app, count: int) -> None:
    """Bring the catalogue to ``count`` items and customers (stock for every item)."""
    with app.app_context():
        have = db.session.scalar(sa.select(sa.func.count()).select_from(Item))
        wh = db.session.scalar(sa.select(Warehouse.id).where(Warehouse.code == "MAIN"))
        db.session.execute(sa.insert(Item), [dict(code=f"GEN{i:05d}", description=f"Generated item {i}",
                                                  list_price=Decimal("9.99")) for i in range(have, count)])
        db.session.execute(sa.insert(Partner), [dict(number=f"G{i:05d}", name=f"Generated customer {i}",
                                                     is_customer=True, is_vendor=i % 10 == 0)
                                                for i in range(have, count)])
        new_items = db.session.scalars(sa.select(Item.id).where(Item.code.like("GEN%"))).all()
        stocked = set(db.session.scalars(sa.select(StockLevel.item_id)))
        db.session.execute(sa.insert(StockLevel), [dict(item_id=i, warehouse_id=wh, on_hand=Decimal(10))
                                                   for i in new_items if i not in stocked])
        db.session.commit()


def page_costs(client, count_queries, urls: dict[str, str]) -> dict[str, tuple[int, int]]:
    """(queries, bytes) of each page, measured after one warm-up request (options, plugins)."""
    out = {}
    for name, url in urls.items():
        client.get(url)
        with count_queries() as n:
            resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        out[name] = (n.count, len(resp.data))
    return out


def save_cost(client, count_queries, url: str, data: dict) -> tuple[int, int]:
    """(queries, 0) of a save POST that must succeed without reading the items or partners whole."""
    with count_queries() as n:
        resp = client.post(url, data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    whole_tables = [s for s in n.statements if re.search(r"FROM core_(item|partner)\b", s) and "WHERE" not in s]
    assert whole_tables == []  # the save reads only the items and partners it names
    return n.count, 0
