"""Page benchmark: the SO list and SO entry form at 10,000 items, customers and orders.

    python bench/pages.py [--backends sqlite,postgresql] [--size 10000] [--runs 3] [--samples 30]
                          [--wrk] [--wrk-seconds 10] [--wrk-clients 10] [--code DIR]
                          [--pg-url postgresql://postgres@127.0.0.1:5432/ob_uientry]

Loopback only and bounded. For each backend it builds a fresh database with
``bench/web_load.py``'s bulk inserts (``--size`` items with stock, customers and sales
orders of 3 lines; the PostgreSQL database's public schema is dropped and made again, so
give it one of its own: its name must start with ``ob_`` or contain ``bench``; then
``ANALYZE``, as autovacuum would soon after such a load), starts
gunicorn with one worker and, one request at a time, measures each page ``--samples``
times per run, ``--runs`` runs: p50 per run as min/median/max, and the page size. The
floor is ``/healthz`` (a request that reads nothing): each page's p50 is also printed as
a multiple of it. ``SO save`` posts a 3-line order (codes typed, ids too, so an older
checkout served with ``--code`` can be compared).

Then, in the benchmark's own process (this checkout only), the CPU time per request of
each page: the wall-clock p50 on a loaded machine is mostly waiting for a CPU.

``--wrk`` then serves the same database with 2 workers and runs ``wrk`` (``make
bench-deps`` installs it) on the SO list with ``--wrk-clients`` connections for
``--wrk-seconds``, ``--runs`` times: requests/s, p50/p99 latency and errors (non-2xx
answers and socket errors), min/median/max.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.web_load import (  # noqa: E402
    LINES_PER_ORDER,
    PASSWORD,
    USER,
    Client,
    bench_database,
    run_wrk,
    start_server,
    stop_server,
)


def reset_postgres(url: str) -> None:
    """An empty public schema in the benchmark's own database (never another's), created if need be."""
    import psycopg

    head, _, name = url.rpartition("/")
    if not (name.startswith("ob_") or "bench" in name):
        raise SystemExit(f"refusing to empty {name!r}: use a database of the benchmark's own (ob_* or *bench*)")
    with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def analyze(url: str) -> None:
    """Planner statistics for the bulk-inserted tables, as autovacuum would gather them soon after."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    return " / ".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


def pages(ids: dict) -> list[tuple[str, str]]:
    customer = f"C{len(ids['customers']) // 2:05d}"
    return [
        ("floor: /healthz", "/healthz"),
        ("SO list", "/sales-orders"),
        ("SO list, customer filter", f"/sales-orders?customer={customer}"),
        ("SO entry form", "/sales-orders/new"),
        ("SO edit form (3 lines)", f"/sales-orders/{ids['orders'][len(ids['orders']) // 2]}/edit"),
        ("item look-up (JSON)", "/sales-orders/lookup/items?q=IT0042"),
    ]


def save_form(client: Client, ids: dict, k: int) -> dict:
    n = len(ids["items"])
    form = {"csrf_token": client.token, "customer_code": f"C{k % len(ids['customers']):05d}",
            "customer_id": str(ids["customers"][k % len(ids["customers"])]),
            "warehouse_id": str(ids["warehouse"]), "order_type": "O"}
    for i in range(LINES_PER_ORDER):
        j = (k * 7919 + i * 104729) % n
        form[f"lines-{i}-item_code"] = f"IT{j:05d}"
        form[f"lines-{i}-item_id"] = str(ids["items"][j])
        form[f"lines-{i}-qty_ordered"] = str(i + 1)
    return form


def timed(client: Client, method: str, path: str, form: dict | None = None) -> tuple[float, int, int]:
    began = time.perf_counter()
    status, body = client.request(method, path, form)
    return time.perf_counter() - began, status, len(body)


def measure_pages(client: Client, ids: dict, runs: int, samples: int) -> None:
    listed = pages(ids)
    p50s: dict[str, list[float]] = {label: [] for label, _ in listed}
    sizes: dict[str, int] = {}
    for _run in range(runs):
        for label, path in listed:
            elapsed, status, size = timed(client, "GET", path)  # warm
            if status != 200:
                sizes[label] = -status
                continue
            times = [timed(client, "GET", path)[0] for _ in range(samples)]
            p50s[label].append(statistics.median(times) * 1000)
            sizes[label] = size
        saves = []
        for k in range(samples):
            elapsed, status, _ = timed(client, "POST", "/sales-orders/new", save_form(client, ids, k + _run * samples))
            if status != 302 or not re.search(r"/sales-orders/\d+(/supply)?$", client.location):
                raise SystemExit(f"SO save answered {status} ({client.location or 'no redirect'})")
            saves.append(elapsed)
        p50s.setdefault("SO save (POST, 3 lines)", []).append(statistics.median(saves) * 1000)
    floor = statistics.median(p50s["floor: /healthz"])
    print(f"  {'page':<26} {'p50 ms min / median / max':>27} {'x floor':>8} {'size KB':>8}", flush=True)
    for label, values in p50s.items():
        if not values:
            print(f"  {label:<26} {'answered HTTP ' + str(-sizes[label]):>27}", flush=True)
            continue
        size = f"{sizes[label] / 1024:8.1f}" if label in sizes else f"{'':8}"
        print(f"  {label:<26} {spread(values):>27} {statistics.median(values) / floor:7.1f}x {size}", flush=True)


def cpu_figures(url: str, ids: dict, runs: int, samples: int) -> None:
    """CPU time per request, in this process (Flask's test client on the same database): what a
    page costs on an idle core, whatever the machine's load does to the wall-clock figures."""
    from core import create_app
    from core.testing import client_of

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    client = client_of(app)
    client.login(USER, PASSWORD)
    print(f"  {'CPU per request, in process':<26} {'ms min / median / max':>27}", flush=True)
    for label, path in pages(ids):
        per_run = []
        for _ in range(runs):
            client.get(path)  # warm
            began = time.process_time()
            for _ in range(samples):
                client.get(path)
            per_run.append((time.process_time() - began) / samples * 1000)
        print(f"  {label:<26} {spread(per_run):>27}", flush=True)


def wrk_figures(url: str, instance: str, args) -> None:
    if shutil.which("wrk") is None:
        print("  wrk: SKIPPED (not installed; `make bench-deps` installs it)", flush=True)
        return
    proc = start_server(url, 2, args.port, instance, args.code)
    try:
        client = Client(args.port)
        client.login()
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        if client.request("GET", "/sales-orders")[0] != 200:
            raise SystemExit("the signed-in session cannot open the SO list")
        run_wrk(args.port, cookie, "/sales-orders", 2, args.wrk_clients)  # warm both workers
        runs = [run_wrk(args.port, cookie, "/sales-orders", args.wrk_seconds, args.wrk_clients)
                for _ in range(args.runs)]
        print(f"  wrk, SO list, 2 workers, {args.wrk_clients} connections, {args.wrk_seconds:g} s x {args.runs}: "
              f"req/s {spread([r[0] for r in runs])}, p50 ms {spread([r[1] for r in runs])}, "
              f"p99 ms {spread([r[2] for r in runs])}, errors {sum(r[3] for r in runs)} "
              f"(load {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        stop_server(proc)


def bench_backend(backend: str, args) -> None:
    instance, url, ids = bench_database(backend, args, "ob-bench-pages-", reset_postgres)
    if backend == "postgresql":
        analyze(url)
    proc = start_server(url, 1, args.port, instance, args.code)
    try:
        client = Client(args.port)
        client.login()
        print(f"  one client, 1 worker, {args.samples} requests per page per run, {args.runs} runs "
              f"(load {os.getloadavg()[0]:.1f})", flush=True)
        measure_pages(client, ids, args.runs, args.samples)
    finally:
        stop_server(proc)
    if args.code == ROOT:  # the in-process figures are this checkout's
        cpu_figures(url, ids, args.runs, args.samples)
    if args.wrk:
        wrk_figures(url, instance, args)
    if backend == "sqlite":
        shutil.rmtree(instance, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--wrk", action="store_true", help="also run wrk on the SO list with 2 workers")
    parser.add_argument("--wrk-seconds", type=float, default=10.0)
    parser.add_argument("--wrk-clients", type=int, default=10)
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/ob_uientry")
    parser.add_argument("--code", type=Path, default=ROOT, help="serve another checkout (A/B)")
    args = parser.parse_args()
    print(f"bench/pages.py: serving {args.code}; {args.size:,} items, customers and orders; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at start", flush=True)
    for backend in args.backends.split(","):
        bench_backend(backend, args)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end", flush=True)


if __name__ == "__main__":
    main()
