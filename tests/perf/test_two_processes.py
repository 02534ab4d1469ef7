"""Scale-out on existing engines: two real web processes and two real workers (PostgreSQL leg).

Two gunicorn processes on loopback ports serve the same PostgreSQL database; a plugin
switched off through one is off in the other on its next request (both read the
settings version once per request). Two ``orderbridge worker`` processes consume one
Redis queue (db 13, a queue name of this test's own): 1,000 queued jobs are each run
exactly once, and both workers take part.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

import core.plugins
from bench.common import http_request
from core.db import db
from core.jobs import jobs_of
from core.testing import PASSWORD
from tests.conftest import DB_URL, make_app

pytestmark = pytest.mark.skipif(not DB_URL.startswith("postgres"),
                                reason="two processes on one database and a Redis queue: the PostgreSQL leg")

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/13"  # this test's Redis database
JOBS = 1000
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One signed-in session (a cookie jar) that can talk to any of the web processes."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        status, data, _headers = http_request(port, self.cookies, method, path, form)
        return status, data.decode("utf-8", "replace")

    def token(self, port: int, path: str) -> str:
        match = TOKEN.search(self.request(port, "GET", path)[1])
        assert match, f"no CSRF token on {path}"
        return match.group(1) or match.group(2)

    def login(self, port: int, username: str) -> None:
        token = self.token(port, "/login")
        status, _ = self.request(port, "POST", "/login", {"csrf_token": token, "username": username,
                                                          "password": PASSWORD})
        assert status == 302, f"login failed: {status}"


def _env(queue: str) -> dict:
    env = {**os.environ, "DATABASE_URL": DB_URL, "SECRET_KEY": "two-processes-secret", "PERF_QUEUE_NAME": queue,
           "ORDERBRIDGE_QUEUE_URL": REDIS_URL, "ORDERBRIDGE_ACCESS_LOG": "", "PYTHONPATH": str(ROOT)}
    env.pop("ORDERBRIDGE_LOAD_PLUGINS", None)
    return env


def _start(args: list[str], env: dict, instance: Path) -> subprocess.Popen:
    """A process of its own session (stopped as a group), its output in ``instance/out.log``."""
    instance.mkdir(parents=True)
    with (instance / "out.log").open("w") as log:
        return subprocess.Popen(args, cwd=ROOT, env={**env, "ORDERBRIDGE_INSTANCE": str(instance)}, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _web(port: int, env: dict, instance: Path) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return _start([gunicorn, "--workers", "1", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                   "tests.perf.procs:web_app()"], env, instance)


def _worker(env: dict, instance: Path) -> subprocess.Popen:
    return _start([sys.executable, "-m", "tests.perf.procs", "worker", "--workers", "1", "--no-periodic"], env,
                  instance)


def _log(instance: Path) -> str:
    path = instance / "out.log"
    return path.read_text(errors="replace") if path.exists() else ""


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait(predicate, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _answers(port: int) -> bool:
    try:
        return Browser().request(port, "GET", "/healthz")[0] == 200
    except OSError:
        return False


@pytest.fixture
def probe_db(app, users, monkeypatch):
    """The probe plugin registered in this process too, and the table its job writes."""
    monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, "perf_probe", "tests.perf.perf_probe")
    with app.app_context():
        db.session.execute(sa.text("DROP TABLE IF EXISTS perf_probe_runs"))
        db.session.execute(sa.text("CREATE TABLE perf_probe_runs (id serial PRIMARY KEY, job_no int NOT NULL, "
                                   "pid int NOT NULL)"))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.execute(sa.text("DROP TABLE IF EXISTS perf_probe_runs"))
        db.session.commit()


def _runs(app) -> tuple[int, int, set[int]]:
    with app.app_context():
        total, distinct = db.session.execute(sa.text(
            "SELECT count(*), count(DISTINCT job_no) FROM perf_probe_runs")).one()
        pids = set(db.session.scalars(sa.text("SELECT DISTINCT pid FROM perf_probe_runs")))
        db.session.commit()
    return total, distinct, pids


def test_two_web_processes_and_two_workers(probe_db, tmp_path):
    queue = f"ob-two-{uuid.uuid4().hex[:8]}"
    env = _env(queue)
    ports = [free_port(), free_port()]
    dirs = [tmp_path / name for name in ("web0", "web1", "worker0", "worker1")]
    procs = [_web(port, env, d) for port, d in zip(ports, dirs, strict=False)]
    workers = [_worker(env, d) for d in dirs[2:]]
    procs += workers
    try:
        _wait(lambda: all(_answers(p) for p in ports), 40, "both web processes")
        _wait(lambda: all("OrderBridge worker:" in _log(d) for d in dirs[2:]), 40, "both workers")
        # a plugin switched off through one web process is off in the other on its next request
        browser = Browser()
        browser.login(ports[0], "admin")
        assert browser.request(ports[1], "GET", "/perf-probe/ping") == (200, "on")
        token = browser.token(ports[0], "/admin/modules")
        status, _ = browser.request(ports[0], "POST", "/admin/modules/perf_probe/disable", {"csrf_token": token})
        assert status == 302
        assert browser.request(ports[1], "GET", "/perf-probe/ping")[0] == 404
        token = browser.token(ports[1], "/admin/modules")
        status, _ = browser.request(ports[1], "POST", "/admin/modules/perf_probe/enable", {"csrf_token": token})
        assert status == 302
        assert browser.request(ports[0], "GET", "/perf-probe/ping") == (200, "on")

        # 1,000 jobs on one Redis queue, two worker processes: each job runs exactly once
        producer = make_app(QUEUE_IMMEDIATE=False, QUEUE_URL=REDIS_URL, QUEUE_NAME=queue)
        jobs = jobs_of(producer)
        with producer.app_context():
            for n in range(JOBS):
                jobs.enqueue("perf_probe.mark", n)
        _wait(lambda: _runs(probe_db)[0] >= JOBS, 60, f"{JOBS} jobs")
        time.sleep(1.0)  # a duplicate still running would show now
        total, distinct, pids = _runs(probe_db)
        assert (total, distinct) == (JOBS, JOBS)
        assert pids == {w.pid for w in workers}  # both workers took part
    finally:
        _stop(procs)
        output = "\n".join(_log(d) for d in dirs)
        try:
            jobs_of(make_app(QUEUE_IMMEDIATE=False, QUEUE_URL=REDIS_URL, QUEUE_NAME=queue)).huey.flush()
        except Exception:  # pragma: no cover - cleaning up only
            pass
    assert "Traceback" not in output, output[-3000:]
