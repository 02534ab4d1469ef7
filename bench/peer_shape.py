"""Benchmark in the peer comparison's shape: sales bought to order, POs generated.

    python bench/peer_shape.py [--sizes 200,1000] [--database-url URL]

The shape of the comparison with another ERP in ``docs/performance.md``: ``--sizes`` sales
of 5 lines each over 500 items and 10 vendors, every item bought to order (no stock), with
*Combine Sales Orders by Vendor* off (one PO per sale and vendor). Four ways, each from
empty document tables (master data kept):

* **service, on save**: ``sales_order.services.save_order`` per sale, commit per sale, with
  *Generate Automatically When a Sales Order Is Saved* on;
* **service, batch**: the sales saved the same way with that option off (entry), then one
  batch generation over all of them (``po_generation.generation.generate``), commit;
* **form, on save**: ``POST /sales-orders/new`` per sale through the Flask test client
  (real form, CSRF, signed in), the option on;
* **form, batch**: the sales posted the same way, then ``POST /po-generation/auto`` with
  *Generate*.

Printed per way: seconds (wall) and CPU seconds (this process plus the PostgreSQL
backends, from ``/proc``) for entry and for generation, statements executed (an
``executemany`` counts one per row, ``COPY`` one; see ``bench/generate.py``), and the POs
and PO lines made. One run per figure: the machine's load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from common import add_user_warehouse_vendors, fresh_app  # noqa: E402

N_ITEMS, N_VENDORS, N_CUSTOMERS, LINES = 500, 10, 100, 5
USER = "bench"


def build() -> dict:
    from core.db import db
    from core.models import Item, Partner, Warehouse

    s = db.session
    add_user_warehouse_vendors(s, N_VENDORS, USER)
    vendors = s.scalars(sa.select(Partner.id).where(Partner.is_vendor).order_by(Partner.id)).all()
    s.execute(sa.insert(Partner), [dict(number=f"C{i:05d}", name=f"Customer {i}", is_customer=True,
                                        ship_to_address=f"{i} Customer Road", credit_limit=Decimal(10 ** 9))
                                   for i in range(N_CUSTOMERS)])
    s.execute(sa.insert(Item), [dict(code=f"BT{i:05d}", description=f"Bought {i}", unit_cost=Decimal("3.25"),
                                     list_price=Decimal("9.99"), stocked=False, supply_method="buy_to_order",
                                     default_vendor_id=vendors[i % N_VENDORS]) for i in range(N_ITEMS)])
    s.commit()
    return dict(warehouse=s.scalar(sa.select(Warehouse.id)),
                customers=s.scalars(sa.select(Partner.id).where(Partner.is_customer).order_by(Partner.id)).all(),
                items=s.scalars(sa.select(Item.id).order_by(Item.id)).all())


def sale_items(ids: dict, k: int) -> list[int]:
    """Sale ``k``'s items: 5 items of 5 different vendors (items are spread over vendors in turn)."""
    return [ids["items"][(k * 7 + j * 11) % N_ITEMS] for j in range(LINES)]


class Meter:
    """Statements executed and CPU (this process and the database backends) of a block."""

    def __init__(self, engine: sa.Engine):
        self.engine, self.executed, self.pids = engine, 0, []

    def _listen(self, _c, _cur, statement, parameters, _ctx, executemany) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA", "COMMIT")):
            self.executed += len(parameters) if executemany else 1

    def cpu(self) -> float:
        total = time.process_time()
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                continue
        return total

    @contextmanager
    def measure(self, out: dict, key: str):
        from core.db import db

        if self.engine.dialect.name == "postgresql":
            self.pids = list(db.session.scalars(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")))
            db.session.commit()
        self.executed = 0
        sa.event.listen(self.engine, "before_cursor_execute", self._listen)
        c0, t0 = self.cpu(), time.perf_counter()
        try:
            yield
        finally:
            out[key] = (time.perf_counter() - t0, self.cpu() - c0)
            sa.event.remove(self.engine, "before_cursor_execute", self._listen)
            out[key + "_statements"] = self.executed


def _service_sales(ids: dict, n: int) -> None:
    from core.db import db
    from plugins.sales_order.inputs import LineInput, OrderInput
    from plugins.sales_order.services import save_order

    for k in range(n):
        lines = [LineInput(item_id=item, qty_ordered=Decimal(2), index=j) for j, item in enumerate(sale_items(ids, k))]
        save_order(OrderInput(customer_id=ids["customers"][k % N_CUSTOMERS], lines=lines,
                              warehouse_id=ids["warehouse"]))
        db.session.commit()


def _form_sales(client, ids: dict, n: int) -> None:
    for k in range(n):
        data = {"customer_id": str(ids["customers"][k % N_CUSTOMERS]), "warehouse_id": str(ids["warehouse"]),
                "order_type": "O", "order_date": "2026-05-04"}
        for j, item in enumerate(sale_items(ids, k)):
            data[f"lines-{j}-item_id"], data[f"lines-{j}-qty_ordered"] = str(item), "2"
        resp = client.post("/sales-orders/new", data=data)
        if resp.status_code != 302:
            raise SystemExit(f"sale {k}: HTTP {resp.status_code}: {resp.get_data(as_text=True)[:600]}")
        with client.session_transaction() as sess:  # a browser shows the flashes on the next page
            sess.pop("_flashes", None)


def _batch(client) -> None:
    from core.db import db
    from plugins.po_generation.generation import Selection, generate

    if client is None:
        generate(Selection())
        db.session.commit()
        return
    resp = client.post("/po-generation/auto", data={"action": "generate"})
    if resp.status_code != 302:
        raise SystemExit(f"batch generation: HTTP {resp.status_code}: {resp.get_data(as_text=True)[:600]}")


def clean_documents() -> None:
    """Empty every plugin's tables (documents, links, outboxes); core's master data stays."""
    from core.db import db

    existing = set(sa.inspect(db.engine).get_table_names())
    for table in reversed(db.metadata.sorted_tables):
        if table.name in existing and not table.name.startswith("core_"):
            db.session.execute(sa.delete(table))
    db.session.commit()


def one_way(app, client, ids: dict, n: int, via: str, when: str) -> dict:
    from core.db import db
    from core.options import apply_changes
    with app.app_context():
        clean_documents()
        apply_changes("po_generation", {"generate_on_save": when == "on save", "combine_by_vendor": False,
                                        "prompt_on_new": False}, user_id=None, source="bench")
        db.session.commit()
        meter = Meter(db.engine)
        out: dict = {}
        with meter.measure(out, "entry"):
            _service_sales(ids, n) if via == "service" else _form_sales(client, ids, n)
        if when == "batch":
            with meter.measure(out, "generation"):
                _batch(None if via == "service" else client)
        from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderLine

        out["pos"] = db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder))
        out["lines"] = db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrderLine))
        db.session.commit()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200,1000")
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    from core.db import db
    from core.testing import client_of

    app = fresh_app(args.database_url)
    with app.app_context():
        ids = build()
        dialect = db.engine.dialect.name
    client = client_of(app, USER)
    print(f"database {dialect}; {N_ITEMS} items bought to order, {N_VENDORS} vendors, {LINES} lines per sale; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'sales':>6} {'way':18} {'entry s':>8} {'cpu':>7} {'stmts':>7} {'generate s':>10} {'cpu':>7} "
          f"{'stmts':>7} {'total s':>8} {'POs':>6} {'lines':>6}")
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        for via in ("service", "form"):
            for when in ("on save", "batch"):
                f = one_way(app, client, ids, n, via, when)
                gen = f.get("generation", (0.0, 0.0))
                print(f"{n:>6} {via + ', ' + when:18} {f['entry'][0]:8.2f} {f['entry'][1]:7.2f} "
                      f"{f['entry_statements']:>7} {gen[0]:10.2f} {gen[1]:7.2f} {f.get('generation_statements', 0):>7} "
                      f"{f['entry'][0] + gen[0]:8.2f} {f['pos']:>6} {f['lines']:>6}", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
