"""bench/sync.py at a small size: two ``orderbridge worker`` processes on the SQLite queue apply
every notification once; duplicates cause no work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKEND

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(BACKEND != "sqlite", reason="the bench builds its own database; the SQLite leg runs it")
def test_bench_sync_small_run_two_workers_no_duplicate_work(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "sync.py"), "--notifications", "30", "--workers", "2",
                          "--database-url", f"sqlite:///{tmp_path / 'b.db'}"], capture_output=True, text=True,
                         timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    result, summary = (json.loads(line) for line in out.stdout.strip().splitlines()[-2:])
    assert (result["accepted_202"], result["duplicate_200"]) == (24, 6)
    assert result["outcomes"] == {"applied": 24}
    assert result["supplier_pulls"] == 24 and result["duplicates_that_caused_work"] == 0
    assert result["queue"] == "sqlite" and summary["summary"]["2"]["runs"] == 1
