"""Background jobs on Huey: registration through ``background_jobs``, enqueue after commit, real
consumers on the SQLite queue and (PostgreSQL leg) on Redis db 6, and ``orderbridge worker``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

import core.plugins
from core.db import db
from core.jobs import enqueue_after_commit, jobs_of
from tests.conftest import DB_URL, make_app

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/6"  # this branch's Redis database; only its own queue is flushed


@pytest.fixture
def probe_app(app, monkeypatch):
    monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, "jobs_probe", "tests.core.jobs_probe")

    def build(**config):
        made = make_app(**config)
        return made

    return build


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def wait_for(predicate, timeout: float = 20.0) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_hook_background_jobs(probe_app):
    app = probe_app()
    jobs = jobs_of(app)
    assert {"jobs_probe.record", "jobs_probe.tick", "email_templates.send_pending",
            "email_templates.sweep"} <= set(jobs.tasks)
    assert jobs.huey.immediate  # TESTING: immediate mode by default
    from huey.api import PeriodicTask

    periodic = {name for name, task in jobs.tasks.items() if issubclass(task.task_class, PeriodicTask)}
    assert {"jobs_probe.tick", "email_templates.sweep"} <= periodic and "jobs_probe.record" not in periodic


def test_enqueue_after_commit_runs_only_when_the_transaction_commits(probe_app, tmp_path):
    app = probe_app()
    out = tmp_path / "out.txt"
    with app.app_context():
        enqueue_after_commit("jobs_probe.record", str(out), "rolled-back")
        db.session.rollback()
        assert lines(out) == []
        enqueue_after_commit("jobs_probe.record", str(out), "committed")
        enqueue_after_commit("jobs_probe.record", str(out), "committed")  # asked twice: once
        assert lines(out) == []  # not before the commit
        db.session.commit()
    assert lines(out) == ["committed"]


def test_a_released_savepoint_does_not_enqueue_before_the_commit(probe_app, tmp_path):
    """SQLAlchemy reports a savepoint's release as a commit: the job still waits for the real one."""
    import sqlalchemy as sa

    app = probe_app()
    out = tmp_path / "out.txt"
    with app.app_context():
        enqueue_after_commit("jobs_probe.record", str(out), "outer")
        with db.session.begin_nested():
            db.session.execute(sa.text("SELECT 1"))
        assert lines(out) == []
        enqueue_after_commit("jobs_probe.record", str(out), "outer")  # still asked once
        db.session.rollback()
    assert lines(out) == []


def test_a_request_that_fails_enqueues_nothing(probe_app, tmp_path):
    """Through the request lifecycle: a 4xx response rolls back, so its job is never enqueued."""
    from flask import abort

    app = probe_app()
    out = tmp_path / "out.txt"

    @app.get("/_probe/<int:code>")
    def probe_view(code: int):
        enqueue_after_commit("jobs_probe.record", str(out), f"status{code}")
        if code >= 400:
            abort(code)
        return "ok"

    probe_view._ob_public = True
    client = app.test_client()
    assert client.get("/_probe/422").status_code == 422
    assert lines(out) == []
    assert client.get("/_probe/200").status_code == 200
    assert lines(out) == ["status200"]


def test_jobs_of_a_disabled_plugin_do_not_run(probe_app, tmp_path):
    app = probe_app()
    out = tmp_path / "out.txt"
    host = core.plugins.host_of(app)
    # each job opens its own app context, as in a worker: enqueued outside the test's context,
    # so no transaction of the test holds SQLite's write lock while the job reads
    with app.app_context():
        host.set_enabled("jobs_probe", False)
    jobs_of(app).enqueue("jobs_probe.record", str(out), "off")
    assert lines(out) == []
    with app.app_context():
        host.set_enabled("jobs_probe", True)
    jobs_of(app).enqueue("jobs_probe.record", str(out), "on")
    assert lines(out) == ["on"]  # the same job runs once its plugin is back


def _consume(app, out: Path, count: int) -> None:
    """Enqueue ``count`` jobs, run Huey's real consumer (2 threads) until all ran, stop it."""
    jobs = jobs_of(app)
    jobs.huey.flush()
    for i in range(count):
        jobs.enqueue("jobs_probe.record", str(out), f"job{i}")
    assert len(jobs.huey) == count  # waiting in the queue: nothing ran yet
    assert lines(out) == []
    consumer = jobs.consumer(workers=2, periodic=False)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    consumer.start()
    try:
        assert wait_for(lambda: len(lines(out)) == count)
    finally:
        consumer.stop(graceful=True)
        for s, h in handlers.items():
            signal.signal(s, h)
        jobs.huey.flush()
    assert sorted(lines(out)) == sorted(f"job{i}" for i in range(count))


def test_real_consumer_on_the_sqlite_queue(probe_app, tmp_path):
    app = probe_app(QUEUE_IMMEDIATE=False, QUEUE_PATH=str(tmp_path / "queue.db"))
    assert type(jobs_of(app).huey).__name__ == "SqliteHuey"
    _consume(app, tmp_path / "out.txt", 20)


@pytest.mark.skipif(not DB_URL.startswith("postgres"), reason="the Redis leg runs with the PostgreSQL leg")
def test_real_consumer_on_redis(probe_app, tmp_path):
    app = probe_app(QUEUE_IMMEDIATE=False, QUEUE_URL=REDIS_URL, QUEUE_NAME=f"ob-test-{uuid.uuid4().hex[:8]}")
    assert type(jobs_of(app).huey).__name__ == "RedisHuey"
    _consume(app, tmp_path / "out.txt", 20)


def test_queue_url_must_be_redis(probe_app):
    import click

    app = probe_app(QUEUE_IMMEDIATE=False, QUEUE_URL="amqp://somewhere")
    with pytest.raises(click.ClickException, match="redis://"):
        jobs_of(app)


def _worker(instance: Path, queue_url: str = "", workers: int = 1) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": DB_URL, "ORDERBRIDGE_INSTANCE": str(instance), "SECRET_KEY": "test-secret"}
    env.pop("ORDERBRIDGE_QUEUE_URL", None)
    if queue_url:
        env["ORDERBRIDGE_QUEUE_URL"] = queue_url
    return subprocess.Popen([sys.executable, "-c", "from core.cli import main; main()", "worker", "--workers",
                             str(workers)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


@pytest.mark.parametrize("backend", ["sqlite-queue", pytest.param("redis", marks=pytest.mark.skipif(
    not DB_URL.startswith("postgres"), reason="the Redis leg runs with the PostgreSQL leg"))])
def test_orderbridge_worker_sends_pending_email_automatically(app, demo, tmp_path, backend):
    """The CLI worker, a separate process, picks up the hint enqueued after commit and sends the mail."""
    from core.mailsink import mailbox_path, read_messages, start
    from tests.email_templates.conftest import queue, set_email_options

    sink = start(mailbox_path(str(tmp_path)), port=0)
    url = REDIS_URL if backend == "redis" else ""
    web = make_app(QUEUE_IMMEDIATE=False, QUEUE_URL=url, QUEUE_PATH=str(tmp_path / "queue.db"),
                   QUEUE_NAME="orderbridge")
    jobs_of(web).huey.flush()
    proc = _worker(tmp_path, url, workers=2)
    try:
        with web.app_context():
            set_email_options(send_automatically=True, smtp_host="", sink_port=sink.port)
            queue(3, prefix="auto")  # commits: the hint goes to the queue after the commit
        assert wait_for(lambda: len(read_messages(mailbox_path(str(tmp_path)))) == 3, 30), proc.stdout
        with web.app_context():
            from plugins.email_templates.models import OutboxEmail

            statuses = {r.status for r in db.session.scalars(db.select(OutboxEmail))}
        assert statuses == {"sent"}
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=20)[0]
        sink.stop()
        jobs_of(web).huey.flush()
    assert "OrderBridge worker: 2 thread(s)" in output
    assert proc.returncode == 0, output


def test_sweep_re_enqueues_work_whose_hint_was_lost(app, demo, tmp_path):
    """The outbox row is the truth: with the queue emptied, the periodic sweep puts the hint back."""
    from tests.email_templates.conftest import queue, set_email_options

    web = make_app(QUEUE_IMMEDIATE=False, QUEUE_PATH=str(tmp_path / "queue.db"))
    jobs = jobs_of(web)
    with web.app_context():
        set_email_options(send_automatically=True)
        queue(2, prefix="lost")
    assert len(jobs.huey) == 1  # one hint for the transaction
    jobs.huey.flush()  # the hint is lost
    assert len(jobs.huey) == 0
    jobs.tasks["email_templates.sweep"].call_local()
    assert len(jobs.huey) == 1 and jobs.huey.pending()[0].name == "email_templates.send_pending"
    jobs.huey.flush()
