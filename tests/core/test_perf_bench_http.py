"""``bench/web_load.py`` end to end, tiny: build a database, serve it with gunicorn, sign in, save, measure.

The benchmark's figures are printed, never asserted; this only shows that the tool works
(gunicorn.conf.py, /healthz under gunicorn, the sign-in and the save a client does).
"""

from __future__ import annotations

import importlib.util
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_http", ROOT / "bench" / "web_load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def bench():
    return _load_bench()


def test_statistics(bench):
    run = bench.Run(seconds=2.0, latencies=[0.001 * i for i in range(1, 101)])
    assert run.rps == 50.0
    assert run.pct(0.5) == pytest.approx(51.0) and run.pct(0.99) == pytest.approx(100.0)
    assert bench.spread([3.0, 1.0, 2.0]) == "1/2/3"


def test_gunicorn_serves_the_sales_order_pages(bench, tmp_path):
    url = f"sqlite:///{tmp_path}/bench.db"
    ids = bench.build(url, 30)
    port = _free_port()
    proc = bench.start_server(url, 1, port, str(tmp_path))
    try:
        client = bench.Client(port)
        assert client.request("GET", "/healthz")[0] == 200
        client.login()
        assert client.token
        for name in ("SO list", "SO view", "SO save"):
            run = bench.measure([client], bench.scenario(name, ids), 10.0, 2)
            assert run.errors == 0 and len(run.latencies) == 2, name
        assert bench.SAVED.search(client.location)
    finally:
        bench.stop_server(proc)
    assert proc.poll() is not None
