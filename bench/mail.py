"""Benchmark: sending Pending Emails through the background worker to a local SMTP server.

    python bench/mail.py [--messages 10000] [--repeat 3] [--workers 1 2]
                         [--database-url postgresql://…] [--queue-url redis://127.0.0.1:6379/N]

For each setup (SQLite + the embedded SQLite queue always; PostgreSQL + Redis when both URLs are
given) and each worker count, it queues ``count`` messages in Pending Emails, starts
``orderbridge worker --workers N`` as a separate process, and times it until every message is
sent. An aiosmtpd server on 127.0.0.1 counts what arrives and the duplicates by Message-ID
(must be 0). The baseline is a bare ``smtplib`` loop sending the same messages over one
connection to the same server. Each figure is printed as min / median / max over the runs.
Not part of pytest.
"""

from __future__ import annotations

import argparse
import os
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

JOB_BATCH = 500  # messages one send_pending job sends at most


class CountingHandler:
    """aiosmtpd handler: 250 for everything, counting Message-IDs."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        head = envelope.original_content.split(b"\r\n\r\n", 1)[0]
        mid = next((line.split(b":", 1)[1].strip() for line in head.split(b"\r\n")
                    if line.lower().startswith(b"message-id:")), b"")
        with self.lock:
            self.ids[mid.decode()] += 1
        return "250 OK"

    def reset(self) -> None:
        with self.lock:
            self.ids.clear()

    @property
    def received(self) -> int:
        with self.lock:
            return sum(self.ids.values())

    @property
    def duplicates(self) -> int:
        with self.lock:
            return sum(n - 1 for n in self.ids.values() if n > 1)


def make_app(database_url: str, instance: Path):
    os.environ["ORDERBRIDGE_INSTANCE"] = str(instance)
    from core import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "QUEUE_IMMEDIATE": False})


def prepare(app, sink_port: int) -> None:
    """Schema, options (automatic sending to the sink), empty outbox."""
    from core.db import db
    from core.migrate import upgrade_all
    from core.options import apply_changes
    from core.plugins import host_of

    with app.app_context():
        upgrade_all(host_of(app))
        apply_changes("email_templates", {"smtp_host": "127.0.0.1", "smtp_port": sink_port,
                                          "send_automatically": True, "from_address": "bench@orderbridge.test"},
                      user_id=None, source="bench")
        db.session.commit()


def fill_outbox(app, count: int, tag: str) -> None:
    from core.db import db
    from core.models import utcnow
    from plugins.email_templates.models import OutboxEmail

    now = utcnow()
    with app.app_context():
        db.session.execute(sa.delete(OutboxEmail))
        rows = [dict(dedupe_key=f"bench:{tag}:{i}", message_id=f"<{tag}.{i}@bench.orderbridge>", type="BACK ORDER",
                     document=f"PO B{i}", recipient=f"customer{i % 97}@example.com",
                     subject=f"Your order SO{i} is on its way", body_text=f"Dear customer {i},\n\nyour order ...\n",
                     body_html=f"<p>Dear customer {i},</p><p>your order ...</p>", attachment_name="",
                     attachment=None, status="pending", attempts=0, next_attempt_at=now, last_error="",
                     created_at=now) for i in range(count)]
        for start in range(0, count, 2000):
            db.session.execute(sa.insert(OutboxEmail), rows[start:start + 2000])
        db.session.commit()


def sent_count(app) -> int:
    from core.db import db
    from plugins.email_templates.models import OutboxEmail

    with app.app_context():
        n = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail).where(OutboxEmail.status == "sent"))
        db.session.remove()
        return n


def run_worker(app, database_url: str, instance: Path, queue_url: str, workers: int, count: int) -> float:
    """Enqueue the hints, start `orderbridge worker`, wait for every row sent; seconds taken."""
    from core.jobs import jobs_of

    jobs = jobs_of(app)
    jobs.huey.flush()
    for _ in range(-(-count // JOB_BATCH)):
        jobs.enqueue("email_templates.send_pending")
    env = {**os.environ, "DATABASE_URL": database_url, "ORDERBRIDGE_INSTANCE": str(instance), "SECRET_KEY": "bench"}
    env.pop("ORDERBRIDGE_QUEUE_URL", None)
    if queue_url:
        env["ORDERBRIDGE_QUEUE_URL"] = queue_url
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "from core.cli import main; main()", "worker", "--workers",
                             str(workers), "--no-periodic"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        while sent_count(app) < count:
            if proc.poll() is not None:
                raise RuntimeError(f"worker stopped: {proc.stderr.read()[-2000:]}")
            time.sleep(0.1)
        return time.perf_counter() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        jobs.huey.flush()


def bare_loop(port: int, count: int, tag: str) -> float:
    """The same messages with plain smtplib over one connection: the ceiling."""
    from email.message import EmailMessage

    started = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", port)
    for i in range(count):
        msg = EmailMessage()
        msg["Message-ID"] = f"<{tag}.{i}@bench.orderbridge>"
        msg["From"], msg["To"] = "bench@orderbridge.test", f"customer{i % 97}@example.com"
        msg["Subject"] = f"Your order SO{i} is on its way"
        msg.set_content(f"Dear customer {i},\n\nyour order ...\n")
        msg.add_alternative(f"<p>Dear customer {i},</p><p>your order ...</p>", subtype="html")
        smtp.send_message(msg)
    smtp.quit()
    return time.perf_counter() - started


def spread(values: list[float], fmt: str = "8.0f") -> str:
    return " ".join(format(v, fmt) for v in (min(values), statistics.median(values), max(values)))


def bench_setup(name: str, database_url: str, queue_url: str, args, handler, port: int) -> None:
    instance = Path(tempfile.mkdtemp(prefix="ob-bench-mail-"))
    app = make_app(database_url, instance)
    app.config["QUEUE_URL"] = queue_url
    prepare(app, port)
    baseline = []
    for run in range(args.runs):
        handler.reset()
        baseline.append(args.count / bare_loop(port, args.count, f"bare{run}"))
    print(f"\n{name}: {args.count} messages, {args.runs} runs; msgs/s min median max, and the ratio to "
          "the bare loop's median (min median max)", flush=True)
    print(f"  bare smtplib loop        {spread(baseline)}", flush=True)
    for workers in args.workers:
        rates, dups, ratios = [], [], []
        for run in range(args.runs):
            handler.reset()
            fill_outbox(app, args.count, f"{name[:2]}{workers}w{run}")
            seconds = run_worker(app, database_url, instance, queue_url, workers, args.count)
            time.sleep(0.2)  # the last replies reach the handler
            rates.append(args.count / seconds)
            dups.append(handler.duplicates + max(0, handler.received - args.count))
            ratios.append(rates[-1] / statistics.median(baseline))
        print(f"  worker, {workers} thread(s)      {spread(rates)}   ratio {spread(ratios, '6.3f')}   "
              f"duplicates by Message-ID: {max(dups)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", "--count", dest="count", type=int, default=10_000,
                        help="messages per run (a quick look: --messages 500)")
    parser.add_argument("--repeat", "--runs", dest="runs", type=int, default=3, help="runs per figure")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL for the second setup")
    parser.add_argument("--queue-url", default="", help="Redis URL for the second setup")
    args = parser.parse_args()

    from core.mailsink import loopback_controller

    handler = CountingHandler()
    controller = loopback_controller(handler, "127.0.0.1", 0)
    controller.start()
    try:
        sqlite_url = f"sqlite:///{tempfile.mkdtemp(prefix='ob-bench-db-')}/bench.db"
        bench_setup("SQLite + embedded queue", sqlite_url, "", args, handler, controller.port)
        if args.database_url and args.queue_url:
            bench_setup("PostgreSQL + Redis", args.database_url, args.queue_url, args, handler, controller.port)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
