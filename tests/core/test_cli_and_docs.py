"""The console script, and the hook reference: every hookspec documented and tested."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from core.hookdocs import BEGIN, DOC_PATH, END, hook_specs, render_reference

ROOT = Path(__file__).resolve().parents[2]
THIS = Path(__file__).resolve()


def test_orderbridge_console_script_lists_its_commands(tmp_path):
    script = Path(sys.executable).parent / "orderbridge"
    env = {**os.environ, "ORDERBRIDGE_INSTANCE": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    commands = set(re.findall(r"^  (\S+)", result.stdout.split("Commands:")[1], re.M))
    assert {"run", "db", "plugins", "users", "demo", "options"} <= commands
    sub = subprocess.run([str(script), "plugins", "--help"], capture_output=True, text=True, env=env, timeout=60,
                         cwd=tmp_path)
    assert {"list", "enable", "disable", "docs"} <= set(re.findall(r"^  (\S+)", sub.stdout, re.M))


def test_every_hook_is_documented_with_its_exact_signature(runner):
    text = DOC_PATH.read_text()
    assert BEGIN in text and END in text
    for name, signature, doc in hook_specs():
        assert f"### `{signature}`" in text, f"hook {name} is not documented (run `orderbridge plugins docs --write`)"
        assert doc, f"hookspec {name} has no docstring"
    assert render_reference() in text, "docs/plugins.md is out of date: run `orderbridge plugins docs --write`"
    result = runner.invoke(args=["plugins", "docs"])
    assert result.exit_code == 0 and "up to date" in result.output


def test_every_hook_is_exercised_by_some_test():
    """Each hookspec's name must appear in a test file other than this one."""
    sources = "\n".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py") if p.resolve() != THIS)
    missing = [name for name, _sig, _doc in hook_specs() if not re.search(rf"\b{name}\b", sources)]
    assert missing == [], f"hooks without a test: {', '.join(missing)}"
