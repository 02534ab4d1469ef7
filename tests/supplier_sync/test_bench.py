"""bench/sync.py at a small size: duplicates cause no work, with two workers claiming the inbox."""

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
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert (result["accepted_202"], result["duplicate_200"]) == (24, 6)
    assert result["outcomes"] == {"applied": 24}
    assert result["supplier_pulls"] == 24 and result["duplicates_that_caused_work"] == 0
