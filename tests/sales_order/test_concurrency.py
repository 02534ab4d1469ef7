"""Concurrent saves competing for the last units of stock never over-allocate (threads).

Meaningful on PostgreSQL (row locks in core.stock and core.numbering); on SQLite the
BEGIN IMMEDIATE write lock serialises the same code.
"""

import threading
from decimal import Decimal as D

import sqlalchemy as sa

from core.db import db
from plugins.sales_order.models import SalesOrder, SalesOrderLine
from plugins.sales_order.services import save_order


def test_concurrent_saves_for_the_last_units_never_over_allocate(so, app):
    threads_n = 4
    datas = [so.data(lines=[("DRILL-18V", "5")], customer_po_number=f"T{i}") for i in range(threads_n)]  # 12 on hand
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def work(data):
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                save_order(data)
                db.session.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            with app.app_context():
                db.session.remove()

    threads = [threading.Thread(target=work, args=(d,)) for d in datas]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with app.app_context():
        lines = db.session.scalars(sa.select(SalesOrderLine)).all()
        numbers = db.session.scalars(sa.select(SalesOrder.number)).all()
        assert sum(line.qty_allocated for line in lines) == D(12)
        assert sum(line.qty_to_ship for line in lines) == D(12)
        assert sum(line.qty_backordered for line in lines) == D(8)
        assert all(line.qty_to_ship + line.qty_backordered == 5 for line in lines)
        assert len(set(numbers)) == threads_n
    assert so.stock("DRILL-18V") == (D(12), D(12))
