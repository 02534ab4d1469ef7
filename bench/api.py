"""Sales orders through the API vs through the order form, under gunicorn on PostgreSQL.

    python bench/api.py [--orders 1000] [--clients 4] [--repeats 3] [--workers 2]
                        [--pg-url postgresql://postgres@127.0.0.1:5432/ob_api]

Builds a fresh schema in ``--pg-url`` (every table of that database is dropped: give it
one of its own), bulk-inserts items, customers and stock (``bench/web_load.py``'s
``build``), starts gunicorn (``gunicorn.conf.py``) and creates ``--orders`` sales orders
of 5 lines with ``--clients`` concurrent clients, first as ``POST /api/v1/sales-orders``
(JSON, an API key), then as ``POST /sales-orders/new`` (the order form, a signed-in
session with its CSRF token). Prints orders/s and p95 (ms) for each, min/median/max over
``--repeats`` runs, and the API/form ratio of the medians. Loopback only; every request
times out after 30 s.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from web_load import SAVED, Client, bench_parser, build, start_server, stop_server  # noqa: E402

LINES = 5


def fresh_schema(url: str) -> None:
    from core import create_app
    from core.db import db
    from core.testing import _drop_everything

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        _drop_everything(db.engine)
        db.engine.dispose()


def api_key(url: str) -> str:
    import sqlalchemy as sa

    from core import create_app
    from core.api.keys import create_key
    from core.db import db
    from core.models import User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "bench"))
        _row, key = create_key(user, "bench", 1)
        db.session.commit()
        db.engine.dispose()
    return key


def _lines(rng: random.Random, ids: dict) -> list[int]:
    return [rng.choice(ids["items"]) for _ in range(LINES)]


def api_order(port: int, key: str, ids: dict, rng: random.Random) -> bool:
    body = {"customer_id": rng.choice(ids["customers"]), "warehouse_id": ids["warehouse"],
            "lines": [{"item_id": item, "qty_ordered": str(i + 1)} for i, item in enumerate(_lines(rng, ids))]}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/api/v1/sales-orders", body=json.dumps(body),
                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        return resp.status == 201
    finally:
        conn.close()


def form_order(client: Client, ids: dict, rng: random.Random) -> bool:
    form = {"csrf_token": client.token, "customer_id": str(rng.choice(ids["customers"])),
            "warehouse_id": str(ids["warehouse"]), "order_type": "O", "order_date": date.today().isoformat()}
    for i, item in enumerate(_lines(rng, ids)):
        form[f"lines-{i}-item_id"] = str(item)
        form[f"lines-{i}-qty_ordered"] = str(i + 1)
    status, _ = client.request("POST", "/sales-orders/new", form)
    return status == 302 and SAVED.search(client.location) is not None


def run(orders: int, senders: list, seed: int) -> tuple[float, float, int]:
    """(orders per second, p95 ms, errors) for ``orders`` split over the senders (threads)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = threading.Barrier(len(senders) + 1)

    def work(send, share: int, n: int) -> None:
        rng = random.Random(seed * 100 + n)
        start.wait()
        for _ in range(share):
            began = time.perf_counter()
            try:
                ok = send(rng)
            except OSError:
                ok = False
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - began)
                else:
                    errors[0] += 1

    shares = [orders // len(senders) + (1 if i < orders % len(senders) else 0) for i in range(len(senders))]
    threads = [threading.Thread(target=work, args=(s, k, i)) for i, (s, k) in enumerate(zip(senders, shares, strict=True))]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies) or [float("nan")]
    return len(latencies) / elapsed, ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, errors[0]


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    return "/".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


def main() -> None:
    parser = bench_parser(__doc__, size=2000, clients=4, port=8771, pg_url="postgresql://postgres@127.0.0.1:5432/ob_api")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"bench/api.py: {args.orders} sales orders of {LINES} lines, {args.clients} clients, gunicorn "
          f"{args.workers} worker(s), PostgreSQL; {args.repeats} runs (min/median/max); {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    fresh_schema(args.pg_url)
    ids = build(args.pg_url, args.size)
    key = api_key(args.pg_url)
    instance = tempfile.mkdtemp(prefix="ob-bench-api-")
    proc = start_server(args.pg_url, args.workers, args.port, instance)
    results: dict[str, list[tuple[float, float, int]]] = {"API": [], "form": []}
    try:
        browsers = [Client(args.port) for _ in range(args.clients)]
        for b in browsers:
            b.login()
        api_senders = [lambda rng: api_order(args.port, key, ids, rng) for _ in range(args.clients)]
        form_senders = [lambda rng, b=b: form_order(b, ids, rng) for b in browsers]
        run(args.clients * 3, api_senders, 0)  # warm every worker
        run(args.clients * 3, form_senders, 0)
        for i in range(args.repeats):  # alternate, so drift on a shared machine hits both alike
            results["API"].append(run(args.orders, api_senders, i + 1))
            results["form"].append(run(args.orders, form_senders, i + 1))
    finally:
        stop_server(proc)
    for name, runs in results.items():
        print(f"  {name:<5} orders/s {spread([r[0] for r in runs]):>17}   p95 ms {spread([r[1] for r in runs], '{:.0f}'):>13}"
              f"   errors {sum(r[2] for r in runs)}", flush=True)
    api_rate = statistics.median(r[0] for r in results["API"])
    form_rate = statistics.median(r[0] for r in results["form"])
    print(f"  API / form orders/s (medians): {api_rate / form_rate:.2f}x   (load {os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
