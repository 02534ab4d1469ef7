"""The benchmark's code path at small size, and concurrent generation for different orders."""

import threading

import sqlalchemy as sa

from core.db import db
from plugins.purchase_order.models import PurchaseOrder

from .helpers import STANDARD_MIX, make_order


def _statements(app, lines_per_order):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with app.app_context():
        from tests.conftest import clean_tables

        clean_tables(db.engine)
        app.extensions["orderbridge"].forget_cache()  # both runs read the enabled plugins once
        app.extensions["orderbridge_options"].forget_cache()
    # few vendors so every vendor gets many lines
    return mod.run(app, n_orders=20, lines_per_order=lines_per_order, n_vendors=4, quiet=True)


def test_bench_statement_count_does_not_grow_with_lines_per_vendor(app):
    small = _statements(app, 2)
    big = _statements(app, 8)
    assert big["po_lines"] == 4 * small["po_lines"]
    # driver calls stay fixed; "statements" counts each executemany row, as the database runs them
    assert big["calls"] == small["calls"]
    assert big["statements"] >= small["statements"] >= small["calls"]


def test_concurrent_generation_never_duplicates_numbers(app, app_factory, demo):
    from plugins.po_generation.generation import generate_for_order

    with app.app_context():
        ids = [make_order(STANDARD_MIX).id for _ in range(4)]
    errors = []
    # apps are made here, not in the threads: CPython 3.11's ast.parse (werkzeug compiles each URL
    # rule with it) is not thread-safe ("AST constructor recursion depth mismatch"), and a thread
    # that died building its app generated nothing: 9 POs instead of 12, with no error reported
    apps = {order_id: app_factory() for order_id in ids}

    def work(order_id):
        other = apps[order_id]
        with other.app_context():
            try:
                generate_for_order(order_id)
                db.session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                db.session.rollback()
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with app.app_context():
        numbers = db.session.scalars(sa.select(PurchaseOrder.number)).all()
    assert len(numbers) == 12 and len(set(numbers)) == 12
