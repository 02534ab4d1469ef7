"""HTTP benchmark: the sales-order pages under gunicorn, 1 and 2 workers, SQLite and PostgreSQL.

    python bench/web_load.py [--backends sqlite,postgresql] [--workers 1,2] [--size 10000]
                         [--clients 10] [--seconds 5] [--repeats 3] [--client threads|wrk]
                         [--pg-url postgresql://postgres@127.0.0.1:5432/ob_perf_bench]

Loopback only and bounded: each run lasts ``--seconds`` (and at most ``--max-requests``
requests), every request times out after 30 s. For each backend it builds a fresh
database (a temporary SQLite file; the PostgreSQL database named in ``--pg-url`` is
dropped and created again: give it one of its own), bulk-inserts ``--size`` items,
customers and sales orders (3 lines each), starts gunicorn (``gunicorn.conf.py``) and
measures, with ``--clients`` concurrent clients (threads, ``http.client``, one signed-in
session each):

* SO list (``GET /sales-orders``), SO view (``GET /sales-orders/<id>``, random orders),
  SO save (``POST /sales-orders/new``, 3 lines);

``--client wrk`` sends the SO list and SO view requests with ``wrk`` instead (``make
bench-deps`` installs it; the SO view picks a random order per request with a Lua
script), so that the client's CPU does not compete with the workers on a small machine.

Printing requests/s, p50 and p99 (ms) and errors, each as min/median/max over
``--repeats`` runs, and the ratio of 2 workers to 1 (medians). Then, one client at a
time, the SO list and SO entry form: p50 and page size in KB. The machine's load
average is printed with the figures: on a shared machine they vary from run to run.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.common import http_request  # noqa: E402

USER, PASSWORD = "bench", "bench-password-1"
LINES_PER_ORDER = 3
SAVED = re.compile(r"/sales-orders/\d+$")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


# -- the database ----------------------------------------------------------------------------


def recreate_postgres(url: str) -> None:
    """Drop and create the benchmark's own PostgreSQL database (its name must say it is one)."""
    import psycopg

    head, _, name = url.rpartition("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'")
    with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build(url: str, size: int) -> dict:
    """Migrate a fresh database and bulk-insert ``size`` items, customers and orders."""
    from core import create_app
    from core.db import db
    from core.migrate import upgrade_all
    from core.models import Item, Partner, StockLevel, User, Warehouse
    from core.numbering import set_next_value
    from core.plugins import host_of
    from plugins.sales_order.models import SalesOrder, SalesOrderLine

    started = time.perf_counter()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade_all(host_of(app))
        s = db.session
        user = User(username=USER, role="admin", full_name="Benchmark", email="bench@example.com")
        user.set_password(PASSWORD)
        s.add(user)
        s.execute(sa.insert(Warehouse), [dict(code="MAIN", name="Main", address="1 Depot Road")])
        wh = s.scalar(sa.select(Warehouse.id))
        s.execute(sa.insert(Partner), [dict(number=f"V{i:05d}", name=f"Vendor {i}", is_vendor=True)
                                        for i in range(50)])
        s.execute(sa.insert(Partner), [dict(number=f"C{i:05d}", name=f"Customer {i}", is_customer=True,
                                            ship_to_address=f"{i} Customer Road", credit_limit=Decimal(100000))
                                       for i in range(size)])
        customers = s.scalars(sa.select(Partner.id).where(Partner.is_customer).order_by(Partner.id)).all()
        s.execute(sa.insert(Item), [dict(code=f"IT{i:05d}", description=f"Item {i}", unit_cost=Decimal("3.25"),
                                         list_price=Decimal("9.99"), stocked=True) for i in range(size)])
        items = s.scalars(sa.select(Item.id).order_by(Item.id)).all()
        s.execute(sa.insert(StockLevel), [dict(item_id=i, warehouse_id=wh, on_hand=Decimal(1_000_000))
                                          for i in items])
        today = date.today()
        s.execute(sa.insert(SalesOrder), [dict(number=f"{i + 100000:07d}", customer_id=customers[i % size],
                                               order_date=today, warehouse_id=wh, status="1", order_type="O",
                                               ship_to_address="1 Customer Road") for i in range(size)])
        orders = s.scalars(sa.select(SalesOrder.id).order_by(SalesOrder.id)).all()
        s.execute(sa.insert(SalesOrderLine), [
            dict(order_id=oid, line_no=ln + 1, item_id=items[(k * LINES_PER_ORDER + ln) % size],
                 qty_ordered=Decimal(ln + 1), unit_price=Decimal("9.99"), warehouse_id=wh, unit_cost=Decimal("3.25"),
                 line_value=Decimal("9.99") * (ln + 1))
            for k, oid in enumerate(orders) for ln in range(LINES_PER_ORDER)])
        set_next_value("so_order", 100000 + size + 1, width=7, min_value=1, max_value=9_999_999)
        s.commit()
        ids = dict(orders=list(orders), items=list(items), customers=list(customers), warehouse=wh)
        db.session.remove()
        db.engine.dispose()
    print(f"  built {size:,} items, customers and orders ({size * LINES_PER_ORDER:,} lines) "
          f"in {time.perf_counter() - started:.1f} s", flush=True)
    return ids


# -- the server --------------------------------------------------------------------------------


def start_server(url: str, workers: int, port: int, instance: str, code: Path = ROOT) -> subprocess.Popen:
    """gunicorn serving the checkout ``code`` (this one unless ``--code`` names another, for A/B runs)."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16), "ORDERBRIDGE_INSTANCE": instance,
           "ORDERBRIDGE_ACCESS_LOG": "", "PYTHONPATH": str(code)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "--chdir", str(code), "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--max-requests", "0", "core:create_app()"],
        env=env, start_new_session=True, cwd=str(code))  # the checkout served, not the caller's directory
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Client(port).request("GET", "/healthz")[0] < 500:  # an older checkout has no /healthz: 302
                return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# -- a client ----------------------------------------------------------------------------------


class Client:
    """One browser: a cookie jar and a CSRF token; a new connection per request (sync workers)."""

    def __init__(self, port: int):
        self.port, self.cookies, self.token, self.location = port, {}, "", ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
        status, data, headers = http_request(self.port, self.cookies, method, path, form)
        self.location = headers.get("Location", "")
        return status, data

    def remember_token(self, page: bytes) -> None:
        match = CSRF.search(page.decode("utf-8", "replace"))
        if match:
            self.token = match.group(1) or match.group(2)

    def login(self) -> None:
        status, page = self.request("GET", "/login")
        self.remember_token(page)
        status, _ = self.request("POST", "/login", {"csrf_token": self.token, "username": USER, "password": PASSWORD})
        if status != 302:
            raise SystemExit(f"benchmark user could not sign in (HTTP {status})")
        status, page = self.request("GET", "/sales-orders/new")
        self.remember_token(page)  # the session's token: valid for every form of this session


# -- wrk: a client in C, so the client's own CPU does not compete with the server ----------------

WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_LAT = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)|Socket errors:.*?connect (\d+), read (\d+), write (\d+), "
                        r"timeout (\d+)")


def wrk_script(paths: list[str]) -> str:
    """A wrk Lua script (its file name) that asks for one of ``paths`` at random per request."""
    fd, name = tempfile.mkstemp(prefix="ob-wrk-", suffix=".lua")
    listed = ",".join(f'"{p}"' for p in paths)
    with os.fdopen(fd, "w") as f:
        f.write(f"local paths = {{{listed}}}\nmath.randomseed(os.time())\n"
                "request = function() return wrk.format(\"GET\", paths[math.random(#paths)]) end\n")
    return name


def run_wrk(port: int, cookie: str, path: str, seconds: float, clients: int, script: str | None = None
            ) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) of one wrk run on ``path`` (or the paths of ``script``)."""
    extra = ["-s", script] if script else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "10s", "--latency", "-H", f"Cookie: {cookie}",
         *extra, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    lat = {p: float(v) * scale[u] for p, v, u in WRK_LAT.findall(out)}
    errors = 0
    for match in WRK_ERRORS.finditer(out):
        errors += sum(int(g) for g in match.groups() if g)
    return float(WRK_RPS.search(out).group(1)), lat.get("50", float("nan")), lat.get("99", float("nan")), errors


# -- scenarios ---------------------------------------------------------------------------------


def scenario(name: str, ids: dict):
    """(method, path, form, expected status) for the next request of ``name``."""
    if name == "SO list":
        return lambda c, r: ("GET", "/sales-orders", None, 200)
    if name == "SO view":
        return lambda c, r: ("GET", f"/sales-orders/{r.choice(ids['orders'])}", None, 200)

    def save(c: Client, r: random.Random):
        form = {"csrf_token": c.token, "customer_id": str(r.choice(ids["customers"])),
                "warehouse_id": str(ids["warehouse"]), "order_type": "O", "order_date": date.today().isoformat()}
        for i in range(LINES_PER_ORDER):
            form[f"lines-{i}-item_id"] = str(r.choice(ids["items"]))
            form[f"lines-{i}-qty_ordered"] = str(i + 1)
        return "POST", "/sales-orders/new", form, 302

    if name != "SO save":
        raise SystemExit(f"unknown scenario {name!r}: SO list, SO view or SO save")
    return save


@dataclass
class Run:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def measure(clients: list[Client], next_request, seconds: float, max_requests: int) -> Run:
    lock = threading.Lock()
    run = Run(seconds=0.0)
    budget = [max_requests]
    start_line = threading.Barrier(len(clients) + 1)
    stop_at = [0.0]

    def work(client: Client, seed: int) -> None:
        rng = random.Random(seed)
        start_line.wait()
        while time.perf_counter() < stop_at[0]:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            method, path, form, expected = next_request(client, rng)
            began = time.perf_counter()
            try:
                status, _ = client.request(method, path, form)
                # a save that failed validation answers 200 (form again) or 303 (back): only 302 to the order counts
                ok = status == expected and (status != 302 or SAVED.search(client.location) is not None)
            except OSError:
                ok = False
            elapsed = time.perf_counter() - began
            with lock:
                if ok:
                    run.latencies.append(elapsed)
                else:
                    run.errors += 1

    threads = [threading.Thread(target=work, args=(c, i), daemon=True) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start_line.wait()
    for t in threads:
        t.join(seconds + 60)
    run.seconds = time.perf_counter() - began
    return run


@dataclass
class WrkRun:
    """One wrk run, read like a :class:`Run`."""

    rps: float
    p50: float
    p99: float
    errors: int

    def pct(self, p: float) -> float:
        return self.p50 if p == 0.5 else self.p99


def measure_runs(name: str, ids: dict, clients: list[Client], args) -> list:
    """``args.repeats`` runs of scenario ``name``, by the Python clients or, for a page, by wrk."""
    if args.client == "wrk" and name != "SO save":  # a save needs a form per request: the Python clients
        cookie = "; ".join(f"{k}={v}" for k, v in clients[0].cookies.items())
        path = "/sales-orders" if name == "SO list" else "/sales-orders/1"
        script = wrk_script([f"/sales-orders/{i}" for i in ids["orders"]]) if name == "SO view" else None
        try:
            run_wrk(args.port, cookie, path, 1.0, args.clients, script)  # warm every worker
            return [WrkRun(*run_wrk(args.port, cookie, path, args.seconds, args.clients, script))
                    for _ in range(args.repeats)]
        finally:
            if script:
                os.unlink(script)
    next_request = scenario(name, ids)
    measure(clients, next_request, 1.0, args.clients * 5)  # warm every worker
    return [measure(clients, next_request, args.seconds, args.max_requests) for _ in range(args.repeats)]


def spread(values: list[float], fmt: str = "{:.0f}") -> str:
    return "/".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


def page_figures(client: Client, samples: int = 15) -> list[tuple[str, float, float]]:
    figures = []
    for label, path in (("SO list", "/sales-orders"), ("SO entry form", "/sales-orders/new")):
        client.request("GET", path)  # warm
        times, size = [], 0
        for _ in range(samples):
            began = time.perf_counter()
            status, body = client.request("GET", path)
            times.append(time.perf_counter() - began)
            size = len(body)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
        figures.append((label, statistics.median(times) * 1000, size / 1024))
    return figures


# -- main --------------------------------------------------------------------------------------


def bench_database(backend: str, args, prefix: str, empty: Callable[[str], None] = recreate_postgres
                   ) -> tuple[str, str, dict]:
    """A new instance folder and the backend's database, emptied (PostgreSQL: by ``empty``) and
    built with ``args.size`` records: (instance folder, database URL, the records' ids)."""
    instance = tempfile.mkdtemp(prefix=prefix)
    url = f"sqlite:///{instance}/bench.db" if backend == "sqlite" else args.pg_url
    print(f"\n== {backend}", flush=True)
    if backend == "postgresql":
        empty(url)
    return instance, url, build(url, args.size)


def bench_backend(backend: str, args, results: dict) -> None:
    instance, url, ids = bench_database(backend, args, "ob-bench-http-")
    names = args.scenarios
    for workers in args.workers:
        proc = start_server(url, workers, args.port, instance, args.code)
        try:
            clients = [Client(args.port) for _ in range(args.clients)]
            for c in clients:
                c.login()
            if workers == args.workers[0] and not args.no_pages:
                for label, p50, kb in page_figures(clients[0]):
                    print(f"  {label:<14} alone: p50 {p50:6.1f} ms, {kb:6.0f} KB", flush=True)
                    results[(backend, "page", label)] = (p50, kb)
            for name in names:
                runs = measure_runs(name, ids, clients, args)
                results[(backend, workers, name)] = runs
                print(f"  {workers} worker(s) {name:<8} req/s {spread([r.rps for r in runs], '{:.1f}'):>17}  "
                      f"p50 ms {spread([r.pct(0.5) for r in runs]):>13}  p99 ms {spread([r.pct(0.99) for r in runs]):>15}"
                      f"  errors {sum(r.errors for r in runs)}  (load {os.getloadavg()[0]:.1f})", flush=True)
        finally:
            stop_server(proc)
    if len(args.workers) == 2:
        one, two = args.workers
        for name in names:
            a = statistics.median(r.rps for r in results[(backend, one, name)])
            b = statistics.median(r.rps for r in results[(backend, two, name)])
            print(f"  ratio {two}/{one} workers, {name}: {b / a:.2f}x req/s (median)", flush=True)


def bench_parser(doc: str, *, size: int, clients: int, port: int, pg_url: str) -> argparse.ArgumentParser:
    """The options every load bench over gunicorn takes (bench/api.py too); each adds its own."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=size, help="items and customers in the database")
    parser.add_argument("--clients", type=int, default=clients)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--pg-url", default=pg_url)
    return parser


def main() -> None:
    parser = bench_parser(__doc__, size=10_000, clients=10, port=8765,
                          pg_url="postgresql://postgres@127.0.0.1:5432/ob_perf_bench")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=5000, help="per run, a bound on top of --seconds")
    parser.add_argument("--scenarios", default="SO list,SO view,SO save")
    parser.add_argument("--no-pages", action="store_true", help="skip the one-client page figures")
    parser.add_argument("--client", choices=("threads", "wrk"), default="threads",
                        help="who sends the GET requests: Python threads, or wrk (in C: on a machine of few "
                             "CPUs the client's own CPU would otherwise compete with the workers)")
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="serve another checkout of the same schema (A/B: git archive <commit> | tar -x -C DIR)")
    args = parser.parse_args()
    args.workers = [int(w) for w in args.workers.split(",")]
    args.scenarios = [name.strip() for name in args.scenarios.split(",")]
    print(f"bench/web_load.py: serving {args.code}; {args.size:,} of everything, {args.clients} clients, {args.seconds:g} s x "
          f"{args.repeats} runs per figure (min/median/max); {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at start", flush=True)
    results: dict = {}
    for backend in args.backends.split(","):
        bench_backend(backend, args, results)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end", flush=True)


if __name__ == "__main__":
    main()
