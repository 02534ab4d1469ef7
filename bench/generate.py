"""Benchmark: batch PO generation over 10,000 open sales orders x 5 lines.

    python bench/generate.py [--orders 10000] [--lines 5] [--vendors 200] [--database-url URL]

Builds a fresh database (SQLite file by default), runs the batch generation
(``plugins.po_generation.generation.generate``), and prints lines/second, the number of
SQL statements, and the ratio to a baseline that inserts the same PO rows with plain
``executemany`` on the same database. Not part of pytest (a tiny test runs ``run``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402


def build(app, n_orders: int, lines_per_order: int, n_vendors: int) -> None:
    from core.db import db
    from core.models import Item, Partner, Warehouse
    from plugins.sales_order.models import SalesOrder, SalesOrderLine

    s = db.session
    s.execute(sa.insert(Warehouse), [dict(code="MAIN", name="Main", address="1 Depot Road")])
    wh = s.scalar(sa.select(Warehouse.id))
    s.execute(sa.insert(Partner), [dict(number=f"V{i:05d}", name=f"Vendor {i}", is_vendor=True)
                                    for i in range(n_vendors)])
    s.execute(sa.insert(Partner), [dict(number=f"C{i:05d}", name=f"Customer {i}", is_customer=True,
                                        ship_to_address=f"{i} Customer Road") for i in range(100)])
    vendors = s.scalars(sa.select(Partner.id).where(Partner.is_vendor).order_by(Partner.id)).all()
    customers = s.scalars(sa.select(Partner.id).where(Partner.is_customer).order_by(Partner.id)).all()
    n_items = n_vendors * 5
    s.execute(sa.insert(Item), [dict(code=f"IT{i:05d}", description=f"Item {i}", unit_cost=Decimal("3.25"),
                                     stocked=False, supply_method="drop_ship" if i % 5 == 0 else "buy_to_order",
                                     default_vendor_id=vendors[i % n_vendors]) for i in range(n_items)])
    items = s.scalars(sa.select(Item.id).order_by(Item.id)).all()
    today = date.today()
    s.execute(sa.insert(SalesOrder), [dict(number=f"{i + 100000:07d}", customer_id=customers[i % 100],
                                           order_date=today, requested_ship_date=today + timedelta(days=7),
                                           ship_to_address=f"{i % 100} Customer Road", warehouse_id=wh,
                                           status="1", order_type="O") for i in range(n_orders)])
    so_ids = s.scalars(sa.select(SalesOrder.id).order_by(SalesOrder.id)).all()
    rows = []
    for k, so in enumerate(so_ids):
        for ln in range(lines_per_order):
            it = (k * lines_per_order + ln) % n_items
            rows.append(dict(order_id=so, line_no=ln + 1, item_id=items[it], qty_ordered=Decimal(ln + 1),
                             unit_price=Decimal("9.99"), warehouse_id=wh, drop_ship=False, unit_cost=Decimal("3.25"),
                             line_value=Decimal("9.99")))
    s.execute(sa.insert(SalesOrderLine), rows)
    s.commit()


def run(app, n_orders: int = 10_000, lines_per_order: int = 5, n_vendors: int = 200, quiet: bool = False) -> dict:
    """Build, generate, baseline; returns the figures. The database must be migrated and empty."""
    from core.db import db
    from plugins.po_generation import generation
    from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderLine

    with app.app_context():
        t0 = time.perf_counter()
        build(app, n_orders, lines_per_order, n_vendors)
        built = time.perf_counter() - t0
        engine = db.engine
        count = {"n": 0}

        def listen(_c, _cur, statement, *_a):
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
                count["n"] += 1

        sa.event.listen(engine, "before_cursor_execute", listen)
        t0 = time.perf_counter()
        result = generation.generate(generation.Selection())
        db.session.commit()
        elapsed = time.perf_counter() - t0
        sa.event.remove(engine, "before_cursor_execute", listen)
        statements = count["n"]
        po_rows = [dict(r._mapping) for r in db.session.execute(sa.select(PurchaseOrder.__table__).order_by(
            PurchaseOrder.id))]
        line_rows = [dict(r._mapping) for r in db.session.execute(sa.select(PurchaseOrderLine.__table__))]
        db.session.commit()
        # baseline: the same rows with plain executemany (new ids/numbers), rolled back
        off = 10_000_000
        for r in po_rows:
            r["id"] += off
            r["number"] = "B" + r["number"]
        for r in line_rows:
            r["id"] += off * 10
            r["po_id"] += off
        with engine.connect() as conn:
            t0 = time.perf_counter()
            trans = conn.begin()
            conn.execute(PurchaseOrder.__table__.insert(), po_rows)
            conn.execute(PurchaseOrderLine.__table__.insert(), line_rows)
            baseline = time.perf_counter() - t0
            trans.rollback()
    lines = result.lines
    figures = dict(orders=n_orders, lines_in=n_orders * lines_per_order, po_lines=lines, pos=result.created,
                   seconds=elapsed, lines_per_second=lines / elapsed if elapsed else 0.0, statements=statements,
                   baseline_seconds=baseline, ratio=elapsed / baseline if baseline else 0.0, build_seconds=built)
    if not quiet:
        for k, v in figures.items():
            print(f"{k:18} {v:,.3f}" if isinstance(v, float) else f"{k:18} {v:,}")
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--lines", type=int, default=5)
    ap.add_argument("--vendors", type=int, default=200)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='ob-bench-')}/bench.db"
    os.environ.setdefault("ORDERBRIDGE_INSTANCE", tempfile.mkdtemp(prefix="ob-bench-inst-"))
    from core import create_app
    from core.db import db
    from core.migrate import upgrade_all
    from core.plugins import host_of

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade_all(host_of(app))
    print(f"database: {db.engine.dialect.name if False else url.split(':')[0]}")
    run(app, args.orders, args.lines, args.vendors)


if __name__ == "__main__":
    main()
