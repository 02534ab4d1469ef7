"""Benchmark: 1,000 supplier notifications (20 % duplicates) applied by 1 and by 2 queue workers.

    python bench/sync.py [--notifications 1000] [--duplicates 0.2] [--workers 1 2] [--runs 3]
                         [--database-url URL] [--queue-url redis://127.0.0.1:6379/11]

Each run builds a fresh database (SQLite file by default, or the PostgreSQL URL given), starts
the supplier simulator (examples/supplier_sim) as its own process and makes one PO and one
supplier order per unique notification. Every notification is then posted, signed, to
OrderBridge's real webhook (served on loopback, 4 senders; duplicates resend the same
webhook-id): the webhook stores it in the inbox and enqueues the pull after its commit, on
the run's Huey queue (the embedded SQLite queue under the run's instance directory, or
Redis with ``--queue-url``). Then N ``orderbridge worker`` processes (one thread each, no
periodic jobs) drain the queue: they pull each order from the simulator and apply it.

Printed per run: ``ingest_seconds`` (posting every notification), ``apply_seconds`` (from
the first claim to the last inbox row done, read from the inbox: worker start-up is not
counted), ``wall_seconds`` (from starting the workers until all is done) and the
duplicates that caused work (supplier pulls beyond one per unique notification: must be
0); then min/median/max of ``apply_seconds`` per worker count and the 2-worker speed-up.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples" / "supplier_sim"))

SECRET = "whsec_YmVuY2gtc3VwcGxpZXItc2VjcmV0LTAwMDAwMDA="


def _post(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body or {}).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as resp:
        return json.loads(resp.read())


PLUGINS = ["sales_order", "purchase_order", "po_generation", "supplier_sync"]


def make_app(db_url: str, queue: dict | None = None):
    from core import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench", "LOAD_PLUGINS": PLUGINS,
                       **(queue or {})})


def build(db_url: str, sim_url: str, n_orders: int) -> tuple[int, list[str]]:
    """A fresh schema, demo master data, a connection to the simulator and n POs with their orders."""
    from core.db import db
    from core.demo import add_core_demo
    from core.migrate import upgrade_all
    from core.models import Item, Partner
    from core.plugins import host_of
    from plugins.purchase_order.services import create_purchase_order
    from plugins.supplier_sync.models import SupplierConnection

    app = make_app(db_url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade_all(host_of(app))
        add_core_demo(db.session)
        db.session.flush()
        import sqlalchemy as sa

        vendor_id = db.session.scalar(sa.select(Partner.id).where(Partner.number == "V2000"))
        item_id = db.session.scalar(sa.select(Item.id).where(Item.code == "BOLT-10"))
        db.session.add(SupplierConnection(vendor_id=vendor_id, connector="http_json", base_url=sim_url,
                                          api_key="", webhook_secret=SECRET, auto_sync=True, timeout_seconds=30))
        numbers = []
        for _ in range(n_orders):
            po = create_purchase_order(vendor_id=vendor_id, order_type="S",
                                       lines=[{"item_id": item_id, "qty_ordered": Decimal(10), "unit_cost": None}])
            numbers.append(po.number)
        db.session.commit()
        db.engine.dispose()
    return vendor_id, numbers


def start_workers(n: int, db_url: str, instance: Path, queue_url: str) -> list[subprocess.Popen]:
    """``orderbridge worker`` processes (one thread, no periodic jobs), returned once each is up."""
    env = {**os.environ, "DATABASE_URL": db_url, "ORDERBRIDGE_INSTANCE": str(instance), "SECRET_KEY": "bench",
           "ORDERBRIDGE_LOAD_PLUGINS": ",".join(PLUGINS), "PYTHONPATH": f"{ROOT}:{ROOT / 'examples' / 'supplier_sim'}"}
    env.pop("ORDERBRIDGE_QUEUE_URL", None)
    if queue_url:
        env["ORDERBRIDGE_QUEUE_URL"] = queue_url
    procs = [subprocess.Popen([sys.executable, "-c", "from core.cli import main; main()", "worker", "--workers", "1",
                               "--no-periodic"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for _ in range(n)]
    for p in procs:
        line = p.stdout.readline()
        if not line.startswith("OrderBridge worker"):
            raise RuntimeError(f"worker did not start: {line}{p.stdout.read()[-2000:]}")
        threading.Thread(target=p.stdout.read, daemon=True).start()  # drain its log
    return procs


def inbox_counts(app) -> dict[str, int]:
    import sqlalchemy as sa

    from core.db import db
    from plugins.supplier_sync.models import InboxMessage

    with app.test_request_context("/", method="GET"):  # a read: SQLite's plain BEGIN, no write lock taken
        rows = db.session.execute(sa.select(InboxMessage.status, InboxMessage.result, sa.func.count())
                                  .group_by(InboxMessage.status, InboxMessage.result)).all()
        db.session.remove()
    return {f"{status}:{result}" if result else status: n for status, result, n in rows}


def apply_span(app) -> float:
    """Seconds from the first claim to the last notification done, by the inbox's own times."""
    import sqlalchemy as sa

    from core.db import db
    from plugins.supplier_sync.models import InboxMessage

    with app.test_request_context("/", method="GET"):
        first, last = db.session.execute(sa.select(sa.func.min(InboxMessage.claimed_at),
                                                   sa.func.max(InboxMessage.processed_at))).one()
        db.session.remove()
    return (last - first).total_seconds()


def run(workers: int, n_notifications: int, dup_share: float, db_url: str | None, queue_url: str) -> dict:
    from supplier_sim.notify import signed
    from werkzeug.serving import make_server

    tmp = Path(tempfile.mkdtemp(prefix="ob-bench-sync-"))
    db_url = db_url or f"sqlite:///{tmp / 'bench.db'}"
    os.environ["ORDERBRIDGE_INSTANCE"] = str(tmp)
    queue = {"QUEUE_IMMEDIATE": False, "QUEUE_URL": queue_url, "QUEUE_PATH": str(tmp / "queue.db")}
    sim = subprocess.Popen([sys.executable, "-u", "-m", "supplier_sim", "--port", "0"],
                           stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(
                               ROOT / "examples" / "supplier_sim")})
    procs: list[subprocess.Popen] = []
    try:
        sim_url = sim.stdout.readline().split(" on ")[1].strip().rstrip("/")
        n_dup = int(n_notifications * dup_share)
        n_unique = n_notifications - n_dup
        vendor_id, numbers = build(db_url, sim_url, n_unique)
        refs = []
        for number in numbers:  # each supplier order differs from its PO: applying it is real work
            order = _post(f"{sim_url}/control/orders", {"buyer_po_number": number, "notify": False, "lines": [
                {"line_ref": "1", "item_code": "NW-B10", "qty": "12", "unit_price": "4.25"}]})
            refs.append(order["order_ref"])
        app = make_app(db_url, queue)
        from core.jobs import jobs_of

        jobs_of(app).huey.flush()  # this run's queue starts empty (Redis: the database is shared)
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        webhook = f"http://127.0.0.1:{server.server_port}/supplier-sync/webhook/{vendor_id}"
        deliveries = [(f"msg_{i}", ref) for i, ref in enumerate(refs)]
        rng = random.Random(7)
        deliveries += [rng.choice(deliveries) for _ in range(n_dup)]
        rng.shuffle(deliveries)

        def deliver(d: tuple[str, str]) -> int:
            body, headers = signed(SECRET, {"type": "order.changed", "data": {"order_ref": d[1]}}, msg_id=d[0])
            req = urllib.request.Request(webhook, data=body, method="POST", headers=headers)
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status

        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=4) as pool:
            codes = list(pool.map(deliver, deliveries))
        ingest = time.perf_counter() - t0
        server.shutdown()
        t0 = time.perf_counter()
        procs = start_workers(workers, db_url, tmp, queue_url)
        deadline = time.time() + 1800
        while True:
            counts = inbox_counts(app)
            if sum(v for k, v in counts.items() if k.startswith(("done", "failed"))) >= n_unique:
                break
            if time.time() > deadline:
                raise RuntimeError(f"not applied within 1800 s: {counts}")
            time.sleep(0.5)
        wall = time.perf_counter() - t0
        fetches = len(_get(f"{sim_url}/control/state")["fetches"])
        return {"workers": workers, "notifications": len(deliveries), "unique": n_unique, "duplicates": n_dup,
                "accepted_202": codes.count(202), "duplicate_200": codes.count(200),
                "ingest_seconds": round(ingest, 2), "apply_seconds": round(apply_span(app), 2),
                "wall_seconds": round(wall, 2),
                "outcomes": {k.split(":", 1)[1]: v for k, v in counts.items() if ":" in k},
                "supplier_pulls": fetches, "duplicates_that_caused_work": fetches - n_unique,
                "database": db_url.split(":")[0], "queue": "redis" if queue_url else "sqlite",
                "load_average_at_end": round(os.getloadavg()[0], 1)}  # this machine is shared: say how busy
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        sim.terminate()
        sim.wait(timeout=10)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--notifications", type=int, default=1000)
    p.add_argument("--duplicates", type=float, default=0.2)
    p.add_argument("--database-url", default=None)
    p.add_argument("--queue-url", default="", help="redis://host:port/db (default: the embedded SQLite queue)")
    p.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    p.add_argument("--runs", type=int, default=1)
    args = p.parse_args()
    seconds: dict[int, list[float]] = {}
    for _ in range(args.runs):
        for n in args.workers:
            result = run(n, args.notifications, args.duplicates, args.database_url, args.queue_url)
            seconds.setdefault(n, []).append(result["apply_seconds"])
            print(json.dumps(result), flush=True)
    summary = {str(n): {"min": min(v), "median": statistics.median(v), "max": max(v), "runs": len(v)}
               for n, v in seconds.items()}
    if 1 in seconds and 2 in seconds:
        summary["speedup_2_over_1"] = round(statistics.median(seconds[1]) / statistics.median(seconds[2]), 2)
    print(json.dumps({"summary": summary}), flush=True)


if __name__ == "__main__":
    main()
