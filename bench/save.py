"""Benchmark: what plugins add to a sales-order save, and generate-on-save as POs grow.

    python bench/save.py [--database-url URL] [--runs 3] [--saves 60] [--lines 20]
                         [--growth 1000] [--profile FILE.html]

In process, through the Flask test client and the real form (CSRF on, signed in):
every save is ``POST /sales-orders/new`` with ``--lines`` lines, answered by a 302 to the
new order (anything else stops the benchmark). A fresh database: a temporary SQLite
file, or the PostgreSQL URL's ``public`` schema dropped and migrated again.

1. **Plugin overhead.** The same saves with ``sales_order`` alone (every other plugin
   off) and with every built-in plugin on (po_allocation too), alternating, ``--runs``
   times ``--saves`` saves each after a warm-up. Items are stocked, with stock: the
   everyday order, nothing to buy. Printed: per-save wall ms (median and p95 of each
   run), CPU ms (this process plus the PostgreSQL backend), min/median/max over runs,
   and the ratio all / alone of each pair of runs.
2. **Generate-on-save growth** (``--growth N``): *Generate Automatically When a Sales
   Order Is Saved* and *Combine Sales Orders by Vendor* on; N saves of 2 buy-to-order
   lines over 10 vendors, so each vendor's one open PO grows to N/5 lines. Printed:
   median ms of the first and last 10 % of the saves and their ratio.

``--profile`` writes a pyinstrument HTML profile of the all-plugins saves.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from common import add_user_warehouse_vendors, fresh_app  # noqa: E402

USER = "bench"
N_ITEMS, N_VENDORS = 500, 10


def build(app) -> dict:
    from core.db import db
    from core.models import Item, Partner, StockLevel

    s = db.session
    wh = add_user_warehouse_vendors(s, N_VENDORS, USER)
    vendors = s.scalars(sa.select(Partner.id).where(Partner.is_vendor).order_by(Partner.id)).all()
    s.execute(sa.insert(Partner), [dict(number=f"C{i:05d}", name=f"Customer {i}", is_customer=True,
                                        ship_to_address=f"{i} Customer Road", credit_limit=Decimal(10 ** 9))
                                   for i in range(100)])
    customers = s.scalars(sa.select(Partner.id).where(Partner.is_customer).order_by(Partner.id)).all()
    s.execute(sa.insert(Item), [dict(code=f"ST{i:05d}", description=f"Stocked {i}", unit_cost=Decimal("3.25"),
                                     list_price=Decimal("9.99"), stocked=True, default_vendor_id=vendors[i % N_VENDORS])
                                for i in range(N_ITEMS)])
    s.execute(sa.insert(Item), [dict(code=f"BT{i:05d}", description=f"Bought {i}", unit_cost=Decimal("3.25"),
                                     list_price=Decimal("9.99"), stocked=False, supply_method="buy_to_order",
                                     default_vendor_id=vendors[i % N_VENDORS]) for i in range(N_ITEMS)])
    stocked = s.scalars(sa.select(Item.id).where(Item.code.like("ST%")).order_by(Item.id)).all()
    bought = s.scalars(sa.select(Item.id).where(Item.code.like("BT%")).order_by(Item.id)).all()
    s.execute(sa.insert(StockLevel), [dict(item_id=i, warehouse_id=wh, on_hand=Decimal(10 ** 9)) for i in stocked])
    s.commit()
    return dict(warehouse=wh, customers=list(customers), stocked=list(stocked), bought=list(bought))


def form(ids: dict, k: int, items: list[int]) -> dict:
    data = {"customer_id": str(ids["customers"][k % len(ids["customers"])]), "warehouse_id": str(ids["warehouse"]),
            "order_type": "O", "order_date": "2026-05-04"}
    for i, item in enumerate(items):
        data[f"lines-{i}-item_id"] = str(item)
        data[f"lines-{i}-qty_ordered"] = "2"
    return data


class Cpu:
    """CPU seconds of this process plus the PostgreSQL backends' (read from /proc: same machine)."""

    def __init__(self, app):
        self.pids: list[int] = []
        from core.db import db

        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                self.pids = [r[0] for r in db.session.execute(sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))]
                db.session.commit()

    def __call__(self) -> float:
        total = time.process_time()
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total


def saves(app, client, ids: dict, n: int, lines: int, items: str, start: int) -> tuple[list[float], list[float]]:
    """``n`` saves; per-save wall and CPU seconds."""
    pool = ids[items]
    cpu = Cpu(app)
    walls, cpus = [], []
    for k in range(start, start + n):
        chosen = [pool[(k * lines + j) % len(pool)] for j in range(lines)]
        data = form(ids, k, chosen)
        c0, t0 = cpu(), time.perf_counter()
        resp = client.post("/sales-orders/new", data=data)
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu() - c0)
        if resp.status_code != 302:
            raise SystemExit(f"save {k} answered {resp.status_code}: {resp.get_data(as_text=True)[:800]}")
        with client.session_transaction() as sess:  # a browser shows the flashes on the next page
            sess.pop("_flashes", None)
    return walls, cpus


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def set_plugins(app, all_on: bool) -> None:
    from core.db import db
    from core.plugins import BUILTIN_PLUGINS, host_of

    with app.app_context():
        host = host_of(app)
        if all_on:
            for name in BUILTIN_PLUGINS:
                host.set_enabled(name, True)
        else:
            for name in BUILTIN_PLUGINS:
                if name != "sales_order":
                    host.set_enabled(name, False, cascade=True)
        db.session.commit()


def spread(values: list[float], scale: float = 1000.0) -> str:
    return f"{min(values) * scale:8.1f} {statistics.median(values) * scale:8.1f} {max(values) * scale:8.1f}"


def overhead(app, client, ids: dict, runs: int, n: int, lines: int, profile: str) -> dict:
    figures: dict[str, dict[str, list[float]]] = {m: {"median": [], "p95": [], "cpu": []} for m in ("alone", "all")}
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
    k = 0
    for run in range(runs):
        for mode in ("alone", "all"):
            set_plugins(app, mode == "all")
            saves(app, client, ids, 5, lines, "stocked", k)  # warm-up: caches after the switch
            k += 5
            if profiler and mode == "all" and run == 0:
                profiler.start()
            walls, cpus = saves(app, client, ids, n, lines, "stocked", k)
            if profiler and profiler.is_running:
                profiler.stop()
            k += n
            figures[mode]["median"].append(statistics.median(walls))
            figures[mode]["p95"].append(p95(walls))
            figures[mode]["cpu"].append(statistics.median(cpus))
    if profiler:
        Path(profile).write_text(profiler.output_text(unicode=False, show_all=False) if profile.endswith(".txt") else profiler.output_html())
    ratio = [a / b for a, b in zip(figures["all"]["median"], figures["alone"]["median"], strict=True)]
    cpu_ratio = [a / b for a, b in zip(figures["all"]["cpu"], figures["alone"]["cpu"], strict=True)]
    print(f"\n== {lines}-line save, {runs} runs x {n} saves per mode (ms; min / median / max over runs)")
    for mode in ("alone", "all"):
        label = "sales_order alone" if mode == "alone" else "all plugins"
        f = figures[mode]
        print(f"{label:18} median wall {spread(f['median'])}   p95 wall {spread(f['p95'])}   "
              f"median cpu {spread(f['cpu'])}")
    print(f"ratio all / alone  wall {spread(ratio, 1)}   cpu {spread(cpu_ratio, 1)}")
    return dict(figures=figures, ratio=ratio, cpu_ratio=cpu_ratio)


def growth(app, client, ids: dict, n: int) -> dict:
    from core.db import db
    from core.options import apply_changes

    set_plugins(app, True)
    with app.app_context():
        apply_changes("po_generation", {"generate_on_save": True, "combine_by_vendor": True}, user_id=None,
                      source="bench")
        db.session.commit()
    walls, cpus = saves(app, client, ids, n, 2, "bought", 0)
    tenth = max(1, n // 10)
    first, last = statistics.median(walls[:tenth]), statistics.median(walls[-tenth:])
    first_cpu, last_cpu = statistics.median(cpus[:tenth]), statistics.median(cpus[-tenth:])
    with app.app_context():
        from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderLine

        pos = db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder))
        lines = db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrderLine))
    print(f"\n== generate on save into combined POs: {n} saves of 2 lines -> {pos} POs, {lines} PO lines")
    print(f"first 10 %: median wall {first * 1000:.1f} ms, cpu {first_cpu * 1000:.1f} ms")
    print(f"last 10 %:  median wall {last * 1000:.1f} ms, cpu {last_cpu * 1000:.1f} ms")
    print(f"ratio last / first: wall {last / first:.2f}x, cpu {last_cpu / first_cpu:.2f}x")
    return dict(first=first, last=last, first_cpu=first_cpu, last_cpu=last_cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default="")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--saves", type=int, default=60)
    ap.add_argument("--lines", type=int, default=20)
    ap.add_argument("--growth", type=int, default=1000, help="saves for the generate-on-save figure (0: skip)")
    ap.add_argument("--profile", default="", help="write a pyinstrument HTML profile of the all-plugins saves")
    args = ap.parse_args()
    from core.db import db
    from core.testing import client_of

    app = fresh_app(args.database_url)
    with app.app_context():
        ids = build(app)
        dialect = db.engine.dialect.name
    client = client_of(app, USER)
    print(f"database {dialect}; {N_ITEMS} stocked + {N_ITEMS} buy-to-order items, {N_VENDORS} vendors; "
          f"load average {os.getloadavg()[0]:.1f}")
    overhead(app, client, ids, args.runs, args.saves, args.lines, args.profile)
    if args.growth:
        growth(app, client, ids, args.growth)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
