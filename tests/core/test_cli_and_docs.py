"""The console script, and the hook reference: every hookspec documented (that every hookspec has its
test_hook_<name>: tests/core/test_plugins.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from core.hookdocs import BEGIN, DOC_PATH, END, hook_specs, hooks, render_reference

ROOT = Path(__file__).resolve().parents[2]


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
    """docs/plugins.md, grouped by owner: each hook's typed signature and its example (stale-doc test)."""
    text = DOC_PATH.read_text()
    assert BEGIN in text and END in text
    for name, signature, doc in hook_specs():
        assert f"#### `{signature}`" in text, f"hook {name} is not documented (run `orderbridge plugins docs --write`)"
        assert doc, f"hookspec {name} has no docstring"
        assert "\nExample::\n" in doc, f"hookspec {name} has no `Example::` block"
    for hook in hooks():
        assert hook.returns and all(t for _a, t in hook.args), f"hookspec {hook.name} lacks type annotations"
    owners = [h.owner for h in hooks()]
    assert owners.index("sales_order") > owners.index("core") and "purchase_order" in owners
    reference = text.split(BEGIN)[1]
    assert reference.index("### Hooks of `sales_order`") < reference.index("#### `on_sales_order_saved(")
    assert reference.index("### Platform hooks (core)") < reference.index("#### `register_blueprints(")
    assert render_reference() in text, "docs/plugins.md is out of date: run `orderbridge plugins docs --write`"
    result = runner.invoke(args=["plugins", "docs"])
    assert result.exit_code == 0 and "up to date" in result.output
