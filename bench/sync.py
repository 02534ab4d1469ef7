"""Benchmark: 1,000 supplier notifications (20 % duplicates) applied by 1 and by 2 workers.

    python bench/sync.py [--notifications 1000] [--duplicates 0.2] [--database-url URL]

For each worker count it builds a fresh database (SQLite file by default), starts the
supplier simulator (examples/supplier_sim) as its own process and OrderBridge's app on
loopback, makes one PO and one supplier order per unique notification, posts every
notification, signed, to the real webhook (duplicates resend the same webhook-id), then
lets N worker processes claim and apply the inbox. It prints the seconds taken to take
the notifications in and to apply them, and the duplicates that caused work (pulls from
the supplier beyond one per unique notification: must be 0).

Until the Huey queue lands the workers are plain processes running the same service
the queue will run (``plugins.supplier_sync.sync.pull_and_apply``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
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


def make_app(db_url: str):
    from core import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench", "SUPPLIER_SYNC_INLINE_JOBS": False,
                       "LOAD_PLUGINS": ["sales_order", "purchase_order", "po_generation", "supplier_sync"]})


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


def worker(db_url: str, results, ready, start) -> None:
    """One worker process: claim and apply due inbox messages until none is left."""
    from plugins.supplier_sync import sync

    app = make_app(db_url)
    outcomes: dict[str, int] = {}
    ready.put(True)
    start.wait()  # the clock starts when every worker is up (process start-up is not measured)
    with app.app_context():
        while True:
            claimed = sync.claim_due(limit=10)
            if not claimed:
                break
            for inbox_id in claimed:
                outcome = sync.run_claimed(inbox_id)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    results.put(outcomes)


def run(workers: int, n_notifications: int, dup_share: float, db_url: str | None) -> dict:
    from supplier_sim.notify import signed
    from werkzeug.serving import make_server

    tmp = Path(tempfile.mkdtemp(prefix="ob-bench-sync-"))
    db_url = db_url or f"sqlite:///{tmp / 'bench.db'}"
    os.environ["ORDERBRIDGE_INSTANCE"] = str(tmp)
    sim = subprocess.Popen([sys.executable, "-u", "-m", "supplier_sim", "--port", "0"],
                           stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(
                               ROOT / "examples" / "supplier_sim")})
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
        app = make_app(db_url)
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
        ctx = mp.get_context("spawn")
        results, ready, start = ctx.Queue(), ctx.Queue(), ctx.Event()
        procs = [ctx.Process(target=worker, args=(db_url, results, ready, start)) for _ in range(workers)]
        for p in procs:
            p.start()
        for _ in procs:
            ready.get(timeout=120)
        t0 = time.perf_counter()
        start.set()
        outcomes: dict[str, int] = {}
        for _ in procs:
            for k, v in results.get(timeout=900).items():
                outcomes[k] = outcomes.get(k, 0) + v
        for p in procs:
            p.join()
        apply_seconds = time.perf_counter() - t0
        fetches = len(_get(f"{sim_url}/control/state")["fetches"])
        return {"workers": workers, "notifications": len(deliveries), "unique": n_unique, "duplicates": n_dup,
                "accepted_202": codes.count(202), "duplicate_200": codes.count(200),
                "ingest_seconds": round(ingest, 2), "apply_seconds": round(apply_seconds, 2),
                "outcomes": outcomes, "supplier_pulls": fetches,
                "duplicates_that_caused_work": fetches - n_unique, "database": db_url.split(":")[0]}
    finally:
        sim.terminate()
        sim.wait(timeout=10)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--notifications", type=int, default=1000)
    p.add_argument("--duplicates", type=float, default=0.2)
    p.add_argument("--database-url", default=None)
    p.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    args = p.parse_args()
    for n in args.workers:
        print(json.dumps(run(n, args.notifications, args.duplicates, args.database_url)), flush=True)


if __name__ == "__main__":
    main()
