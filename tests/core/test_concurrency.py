"""Document numbers and stock allocation under concurrent transactions (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core import stock
from core.db import db
from core.models import Item, Sequence, StockLevel, Warehouse
from core.numbering import SequenceExhausted, next_number, peek, set_next_value

THREADS = 8
PER_THREAD = 25
FIGURES: dict[str, object] = {}


def _run_threads(target, count: int) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def wrapper(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=wrapper, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_many_threads_draw_numbers_without_duplicate_or_gap(app, backend):
    """Each draw inserts a row whose unique column holds the number, in the same transaction.

    Every fifth transaction of each thread is rolled back after drawing: its number
    must go back to the counter, so the committed numbers still have no gap.
    """
    committed: list[int] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        with app.app_context():
            for j in range(PER_THREAD):
                number = next_number("conc_test", start=1, width=6)
                db.session.add(Warehouse(code=f"W{number}", name=f"thread {i}"))
                db.session.flush()  # the unique constraint is checked inside the transaction
                if j % 5 == 4:
                    db.session.rollback()
                    continue
                db.session.commit()
                with lock:
                    committed.append(int(number))
            db.session.remove()

    started = time.perf_counter()
    errors = _run_threads(work, THREADS)
    elapsed = time.perf_counter() - started
    assert errors == []
    expected = THREADS * PER_THREAD * 4 // 5
    assert len(committed) == expected
    assert sorted(committed) == list(range(1, expected + 1))  # no duplicate, no gap
    with app.app_context():
        assert peek("conc_test") == expected + 1
        codes = db.session.scalars(sa.select(Warehouse.code)).all()
    assert sorted(codes) == [f"W{n:06d}" for n in range(1, expected + 1)]
    FIGURES.update(backend=backend, threads=THREADS, committed=expected,
                   drawn=THREADS * PER_THREAD, seconds=round(elapsed, 2))
    print(f"\nnumbering concurrency [{backend}]: {THREADS} threads, {THREADS * PER_THREAD} numbers drawn, "
          f"{expected} committed, {THREADS * PER_THREAD - expected} given back, {elapsed:.2f} s")


def test_rolled_back_transaction_gives_its_number_back(app):
    with app.app_context():
        assert next_number("so", start=100022, width=7) == "0100022"
        db.session.commit()
        assert next_number("so") == "0100023"
        db.session.rollback()
        assert next_number("so") == "0100023"
        db.session.commit()
        assert peek("so") == 100024


def test_exhausted_range_raises_and_does_not_advance(app):
    with app.app_context():
        assert next_number("tiny", start=8, max_value=9) == "8"
        assert next_number("tiny") == "9"
        db.session.commit()
        with pytest.raises(SequenceExhausted, match="no numbers left"):
            next_number("tiny")
        db.session.rollback()
        assert peek("tiny") == 10
        with pytest.raises(ValueError, match="outside 1..9"):
            set_next_value("tiny", 12)
        db.session.rollback()
        set_next_value("tiny", 9)
        db.session.commit()
        assert next_number("tiny") == "9"
        db.session.commit()
        seq = db.session.get(Sequence, "tiny")
        assert (seq.next_value, seq.max_value) == (10, 9)


def test_concurrent_reservations_never_over_allocate(app):
    with app.app_context():
        wh = Warehouse(code="MAIN", name="Main")
        item = Item(code="LAST-UNITS", description="scarce")
        db.session.add_all([wh, item])
        db.session.flush()
        db.session.add(StockLevel(item_id=item.id, warehouse_id=wh.id, on_hand=Decimal(10), allocated=Decimal(0)))
        db.session.commit()
        item_id, wh_id = item.id, wh.id
    granted: list[Decimal] = []
    lock = threading.Lock()

    def work(_i: int) -> None:
        with app.app_context():
            for _ in range(3):
                got = stock.reserve(item_id, wh_id, Decimal(2))
                time.sleep(0.002)  # hold the row lock a moment: a competitor must wait, not overtake
                db.session.commit()
                with lock:
                    granted.append(got)
            db.session.remove()

    errors = _run_threads(work, THREADS)
    assert errors == []
    assert sum(granted) == Decimal(10)
    assert all(g in (Decimal(0), Decimal(2)) for g in granted)
    with app.app_context():
        row = db.session.scalar(sa.select(StockLevel))
        assert row.allocated == Decimal(10) and row.available == 0
        assert stock.available(item_id, wh_id) == 0
        stock.release(item_id, wh_id, Decimal(4))
        stock.issue(item_id, wh_id, Decimal(6))
        stock.receive(item_id, wh_id, Decimal(1))
        db.session.commit()
        row = db.session.scalar(sa.select(StockLevel).execution_options(populate_existing=True))
        assert (row.on_hand, row.allocated) == (Decimal(5), Decimal(0))
        assert stock.available_many({(item_id, wh_id), (item_id, 999)}) == {(item_id, wh_id): Decimal(5),
                                                                          (item_id, 999): Decimal(0)}
