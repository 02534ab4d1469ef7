"""Benchmark: batch PO generation against a like-for-like floor, on SQLite or PostgreSQL.

    python bench/generate.py [--orders 10000] [--lines 5] [--vendors 200] [--runs 3]
                             [--shapes one-line,combined] [--database-url URL] [--code DIR]

Builds a fresh database (a temporary SQLite file by default; a PostgreSQL URL's ``public``
schema is dropped and migrated again), with ``--orders`` open sales orders of ``--lines``
buy-to-order lines each, items spread over ``--vendors`` vendors so that the lines of one
order go to different vendors. Then, for each shape and ``--runs`` times:

* **generation**: ``generate(Selection())`` for every open order, then commit;
* **floor**: the same database work done the plainest fast way: read the same inputs
  (the orders and their lines joined to items, as generation's loader does), insert the
  same PO, PO line, link and activity log rows the generation wrote (ids included),
  commit. Rows go
  by the driver's ``executemany`` on SQLite (a C loop over one prepared statement; the
  values converted column by column with the columns' own SQLAlchemy bind processors,
  as SQLAlchemy would store them) and by ``COPY`` on PostgreSQL (``executemany`` there
  is one statement per row, not a floor).

Between runs the generated rows are deleted (outside the timings). Shapes:

* ``one-line``: *Combine Sales Orders by Vendor* off: one PO per order and vendor, which
  here means one line per PO (50,000 POs for 10,000 x 5);
* ``combined``: combining on: one PO per vendor with ``orders x lines / vendors`` lines.
  Keep that within purchase_order's 500 lines per PO (the default: 250).

Printed per figure: min / median / max over the runs of wall seconds, CPU seconds (this
process, plus the PostgreSQL backend's own CPU read from ``/proc``: both run on this
machine), and the ratio generation / floor of each run (the ratio of two figures taken
back to back is steadier than either figure on a loaded machine).

Statements are counted with SQLAlchemy's ``before_cursor_execute`` event, honestly:
``calls`` are driver calls; ``executed`` counts what the database executes: one per
parameter set of an ``executemany`` (psycopg and sqlite3 run the statement once per row),
one per ``COPY`` (counted by wrapping psycopg's ``Cursor.copy``, which SQLAlchemy does not
see) and one per anything else. ``pg_stat_statements`` is not loaded on this server, so
the server's own count is not available. ``--code DIR`` runs another checkout's code
(``git archive <commit> | tar -x -C DIR``) with this benchmark, to compare versions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path


def _code_dir() -> Path:
    """The code to benchmark: ``--code DIR`` (read before anything is imported) or this checkout."""
    argv = sys.argv
    for i, arg in enumerate(argv):
        if arg == "--code" and i + 1 < len(argv):
            return Path(argv[i + 1]).resolve()
        if arg.startswith("--code="):
            return Path(arg.split("=", 1)[1]).resolve()
    return Path(__file__).resolve().parent.parent


if __name__ == "__main__":
    sys.path.insert(0, str(_code_dir()))

import sqlalchemy as sa  # noqa: E402

SHAPES = {"one-line": False, "combined": True}  # shape -> combine_by_vendor


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
                                     stocked=False, supply_method="buy_to_order",
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


# -- measuring ------------------------------------------------------------------------------------


class Meter:
    """Statements (see the module docstring) and CPU of this process and the database backend."""

    SKIP = ("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA", "COMMIT", "ROLLBACK")

    def __init__(self, engine: sa.Engine):
        self.engine, self.calls, self.executed, self.copies = engine, 0, 0, 0
        self.backend_pid: int | None = None

    def _listen(self, _conn, _cursor, statement, parameters, _context, executemany) -> None:
        if statement.lstrip().upper().startswith(self.SKIP):
            return
        self.calls += 1
        self.executed += len(parameters) if executemany else 1

    def backend_cpu(self) -> float:
        if self.backend_pid is None:
            return 0.0
        fields = Path(f"/proc/{self.backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @contextmanager
    def measure(self, out: dict):
        """Fill ``out`` with wall/cpu seconds and statement counts for the block."""
        from core.db import db

        if self.engine.dialect.name == "postgresql":
            self.backend_pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
            db.session.commit()  # the pool hands this connection back to the block (one thread)
        self.calls = self.executed = self.copies = 0
        restore = _count_copies(self)
        sa.event.listen(self.engine, "before_cursor_execute", self._listen)
        cpu0, server0, t0 = time.process_time(), self.backend_cpu(), time.perf_counter()
        try:
            yield out
        finally:
            wall = time.perf_counter() - t0
            cpu, server = time.process_time() - cpu0, self.backend_cpu() - server0
            sa.event.remove(self.engine, "before_cursor_execute", self._listen)
            restore()
            out.update(wall=wall, cpu=cpu + server, client_cpu=cpu, server_cpu=server, calls=self.calls + self.copies,
                       executed=self.executed + self.copies)


def _count_copies(meter: Meter):
    """Count ``COPY`` statements (SQLAlchemy does not see them); returns the undo."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        return lambda: None
    original = psycopg.Cursor.copy

    def copy(self, statement, *args, **kw):
        meter.copies += 1
        return original(self, statement, *args, **kw)

    psycopg.Cursor.copy = copy
    return lambda: setattr(psycopg.Cursor, "copy", original)


# -- generation, floor, clean-up ------------------------------------------------------------------


def _generate():
    try:
        from plugins.po_generation.generation import Selection, generate
    except ImportError:  # code before po_generation became a package
        from plugins.po_generation.services import Selection, generate
    return generate(Selection())


def _tables():
    """Every table generation writes rows to: the POs, their lines, the links and the activity
    log (one entry per PO created and one per sales order served)."""
    from core.models import Activity
    from plugins.po_generation.models import PoGenLink
    from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderLine

    return PurchaseOrder.__table__, PurchaseOrderLine.__table__, PoGenLink.__table__, Activity.__table__


def _capture() -> list[list[dict]]:
    from core.db import db

    rows = [[dict(r._mapping) for r in db.session.execute(sa.select(t).order_by(t.c.id))] for t in _tables()]
    db.session.commit()
    return rows


def _clean() -> None:
    from core.db import db

    tables = list(reversed(_tables()))
    if db.engine.dialect.name == "postgresql":  # DELETE checks every referencing table per row
        db.session.execute(sa.text("TRUNCATE " + ", ".join(t.name for t in tables) + " CASCADE"))
    else:
        for t in tables:
            db.session.execute(sa.delete(t))
    db.session.commit()


def _read_inputs(conn) -> int:
    """What generation's loader reads: the open orders with their customer, their lines with items."""
    from core.models import Item, Partner
    from plugins.sales_order.models import SalesOrder, SalesOrderLine

    L = SalesOrderLine
    orders = conn.execute(sa.select(SalesOrder.id, SalesOrder.number, SalesOrder.customer_id, Partner.number,
                                    SalesOrder.order_date, SalesOrder.requested_ship_date, SalesOrder.ship_to_address,
                                    SalesOrder.ship_via, SalesOrder.fob, SalesOrder.confirm_to, SalesOrder.email,
                                    SalesOrder.warehouse_id, SalesOrder.status)
                          .join(Partner, Partner.id == SalesOrder.customer_id)).all()
    lines = conn.execute(sa.select(L.id, L.order_id, L.line_no, L.item_id, L.description, L.qty_ordered,
                                   L.qty_shipped, L.qty_allocated, L.promise_date, L.warehouse_id, L.drop_ship,
                                   L.vendor_id, L.unit_cost, Item.code, Item.supply_method, Item.default_vendor_id,
                                   Item.vendor_item_code, Item.description, Item.unit_cost)
                         .join(Item, Item.id == L.item_id)).all()
    return len(orders) + len(lines)


def _floor(captured: list[list[dict]]) -> None:
    from core.db import db

    conn = db.session.connection()
    _read_inputs(conn)
    for table, rows in zip(_tables(), captured, strict=True):
        if not rows:
            continue
        names = list(rows[0])
        if conn.dialect.name == "postgresql":
            raw = conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({", ".join(names)}) FROM STDIN') as cp:
                for row in rows:
                    cp.write_row([row[n] for n in names])
        else:  # the driver's executemany over tuples, each column through its type's bind processor
            columns = []
            for name in names:
                process = table.c[name].type._cached_bind_processor(conn.dialect)
                values = [row[name] for row in rows]
                columns.append(list(map(process, values)) if process else values)
            conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES '
                                 f'({", ".join("?" * len(names))})', list(zip(*columns, strict=True)))
    db.session.commit()


# -- one shape ------------------------------------------------------------------------------------


def _spread(values: list[float]) -> str:
    return f"{min(values):8.3f} {statistics.median(values):8.3f} {max(values):8.3f}"


def run_shape(app, shape: str, runs: int, quiet: bool) -> dict:
    """``runs`` generations and floors for one shape; the figures (lists per run)."""
    from core.db import db
    from core.options import apply_changes

    with app.app_context():
        apply_changes("po_generation", {"combine_by_vendor": SHAPES[shape]}, user_id=None, source="bench")
        db.session.commit()
        meter = Meter(db.engine)
        gens, floors, result, captured = [], [], None, None
        for _ in range(runs):
            gen: dict = {}
            with meter.measure(gen):
                result = _generate()
                db.session.commit()
            captured = _capture()
            _clean()
            low: dict = {}
            with meter.measure(low):
                _floor(captured)
            _clean()
            gens.append(gen)
            floors.append(low)
    figures = dict(shape=shape, pos=len(captured[0]), po_lines=len(captured[1]), links=len(captured[2]),
                   activity=len(captured[3]),
                   created=result.created, statements=gens[0]["executed"], calls=gens[0]["calls"],
                   floor_statements=floors[0]["executed"], floor_calls=floors[0]["calls"],
                   seconds=[g["wall"] for g in gens], cpu=[g["cpu"] for g in gens],
                   floor_seconds=[f["wall"] for f in floors], floor_cpu=[f["cpu"] for f in floors],
                   server_cpu=[g["server_cpu"] for g in gens], floor_server_cpu=[f["server_cpu"] for f in floors],
                   ratio=[g["wall"] / f["wall"] for g, f in zip(gens, floors, strict=True)],
                   cpu_ratio=[g["cpu"] / f["cpu"] for g, f in zip(gens, floors, strict=True) if f["cpu"]])
    if not quiet:
        _print_shape(figures)
    return figures


def _print_shape(f: dict) -> None:
    print(f"\n== shape {f['shape']}: {f['pos']:,} POs, {f['po_lines']:,} PO lines, {f['links']:,} links, "
          f"{f['activity']:,} activity log entries")
    print(f"{'':28} {'min':>8} {'median':>8} {'max':>8}")
    for label, key in (("generation wall s", "seconds"), ("generation cpu s", "cpu"),
                       ("  of which database server", "server_cpu"), ("floor wall s", "floor_seconds"),
                       ("floor cpu s", "floor_cpu"), ("  of which database server", "floor_server_cpu"),
                       ("ratio wall (same run)", "ratio"), ("ratio cpu (same run)", "cpu_ratio")):
        if f[key]:
            print(f"{label:28} {_spread(f[key])}")
    lines_per_s = f["po_lines"] / statistics.median(f["seconds"])
    print(f"lines/s (median wall)        {lines_per_s:,.0f}")
    print(f"statements executed          generation {f['statements']:,} in {f['calls']:,} driver calls; "
          f"floor {f['floor_statements']:,} in {f['floor_calls']:,}")


def run(app, n_orders: int = 10_000, lines_per_order: int = 5, n_vendors: int = 200, quiet: bool = False,
        runs: int = 1, shapes: tuple[str, ...] = ("one-line",)) -> dict:
    """Build, then each shape ``runs`` times. The database must be migrated and empty.
    Returns the first shape's figures (lists per run), with every shape under ``shapes``."""
    from core.db import db

    with app.app_context():
        t0 = time.perf_counter()
        build(app, n_orders, lines_per_order, n_vendors)
        built = time.perf_counter() - t0
        dialect = db.engine.dialect.name
    if not quiet:
        print(f"database {dialect}; {n_orders:,} orders x {lines_per_order} lines, {n_vendors} vendors; "
              f"built in {built:.1f} s; {runs} run(s) per figure; load average {os.getloadavg()[0]:.1f}")
    results = {shape: run_shape(app, shape, runs, quiet) for shape in shapes}
    first = dict(results[shapes[0]])
    first.update(shapes=results, orders=n_orders, lines_in=n_orders * lines_per_order, build_seconds=built)
    if not quiet:
        print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    return first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--lines", type=int, default=5)
    ap.add_argument("--vendors", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--shapes", default="one-line,combined")
    ap.add_argument("--database-url", default="")
    ap.add_argument("--code", default="", help="another checkout's code to benchmark (read before importing)")
    args = ap.parse_args()
    shapes = tuple(s.strip() for s in args.shapes.split(",") if s.strip())
    unknown = set(shapes) - set(SHAPES)
    if unknown:
        ap.error(f"unknown shape(s): {', '.join(sorted(unknown))}; choose from {', '.join(SHAPES)}")
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
    print(f"code: {_code_dir()}")
    run(app, args.orders, args.lines, args.vendors, runs=args.runs, shapes=shapes)


if __name__ == "__main__":
    main()
