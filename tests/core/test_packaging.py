"""OrderBridge installs like a real package: the wheel carries its templates, and its
``pytest11`` entry point gives plugin authors the ``orderbridge.testing`` fixtures.

The wheel is built from a copy of what a fresh clone holds for it (``pyproject.toml``,
``README.md``, ``core/``, ``plugins/``), without build isolation (offline), and
installed with ``pip install --target`` into a temporary directory. Subprocesses run
from outside the repository with only that directory on ``PYTHONPATH`` ahead of the
test virtualenv, so ``core`` is the installed copy, not the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KIT_CONFTEST = ROOT / "examples" / "ob_order_limit" / "tests" / "conftest.py"

SERVE_LOGIN = """
import os, sys
import core
assert core.__file__.startswith(os.environ["SITE"]), core.__file__
from core import create_app
from core.migrate import upgrade_all
from core.plugins import host_of

app = create_app({"SECRET_KEY": "wheel-test"})
with app.app_context():
    upgrade_all(host_of(app))
resp = app.test_client().get("/login")
page = resp.get_data(as_text=True)
assert resp.status_code == 200, (resp.status_code, page[:500])
assert 'name="username"' in page and 'name="password"' in page and 'name="csrf_token"' in page
print("login page served from", os.path.dirname(core.__file__))
"""

KIT_TEST = """
import os


def test_the_kit_fixtures_work(app, client_for, set_options, enable_plugins):
    import core.testing

    assert core.testing.__file__.startswith(os.environ["SITE"])
    set_options("purchase_order", retain_days=45)
    assert 'value="45"' in client_for("admin").get("/admin/options/purchase_order").get_data(as_text=True)
    assert client_for("sales").get("/admin/modules").status_code == 403
"""


def _env(site: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           # never the suite's own database: the kit drops every table of the database it is given
           if k not in ("ORDERBRIDGE_TEST_DB", "DATABASE_URL", "PYTHONPATH", "PYTEST_ADDOPTS")}
    return {**env, "PYTHONPATH": str(site), "SITE": str(site), **extra}


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel built from the checkout, installed into a directory of its own."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for package in ("core", "plugins"):
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), str(src)], tmp, dict(os.environ))
    wheels = list((tmp / "dist").glob("orderbridge-*.whl"))
    assert len(wheels) == 1
    site = tmp / "site"
    _run([*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheels[0])], tmp, dict(os.environ))
    assert (site / "core" / "templates" / "core" / "login.html").exists()
    assert (site / "core" / "templates" / "base.html").exists()
    return site


def test_installed_wheel_serves_the_login_page(installed, tmp_path):
    env = _env(installed, ORDERBRIDGE_INSTANCE=str(tmp_path / "instance"),
               DATABASE_URL=f"sqlite:///{tmp_path / 'wheel.db'}")
    result = _run([sys.executable, "-c", SERVE_LOGIN], tmp_path, env)
    assert "login page served from " + str(installed) in result.stdout


def _kit_suite(tmp_path: Path, with_conftest: bool) -> Path:
    (tmp_path / "test_kit.py").write_text(KIT_TEST)
    if with_conftest:  # the guard OrderBridge's own suites use
        shutil.copy(KIT_CONFTEST, tmp_path / "conftest.py")
    return tmp_path


@pytest.mark.parametrize("with_conftest", [False, True], ids=["entry-point-only", "entry-point-and-conftest"])
def test_pytest11_entry_point_provides_the_fixtures(installed, tmp_path, with_conftest):
    """Installed: the entry point alone registers the kit; a conftest's guarded
    ``pytest_plugins`` then does not register it a second time."""
    suite = _kit_suite(tmp_path, with_conftest)
    result = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)], suite,
                  _env(installed))
    assert "1 passed" in result.stdout


@pytest.mark.parametrize("how", ["-p core.testing", "conftest"])
def test_kit_loads_without_the_entry_point(installed, tmp_path, how):
    """Not installed (entry points off): `-p core.testing`, or the conftest's guarded line."""
    suite = _kit_suite(tmp_path, with_conftest=True)
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)]
    if how != "conftest":
        args[3:3] = how.split()
    result = _run(args, suite, _env(installed, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"))
    assert "1 passed" in result.stdout
