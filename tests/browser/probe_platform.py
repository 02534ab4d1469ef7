"""A throwaway plugin for the platform browser tests: one page, one menu entry, typed options.

Registered with ``monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, "probe_platform",
"tests.browser.probe_platform")`` before the live server's app is built.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint

from core.auth import require
from core.options import Option
from core.plugins import Manifest, MenuItem

manifest = Manifest(
    name="probe_platform",
    title="Probe (browser tests)",
    version="0.0.1",
    description="A page, a menu entry and typed setup options, for the platform browser tests.",
    table_prefix="probe_",
    blueprints=("probe_platform:bp",),
    options="probe_platform:OPTIONS",
    menu=(MenuItem("Probe orders", "probe_platform.index", order=5),),
)

bp = Blueprint("probe_platform", __name__, url_prefix="/probe")


@bp.route("/")
@require()
def index():
    return "<!doctype html><title>Probe</title><h1>Probe page</h1>"


OPTIONS = [
    Option("order_days", "int", 30, "Days to keep orders", tab="Main", min=1, max=365,
           help="Completed orders older than this are purged."),
    Option("reference", "text", "", "Reference text", tab="Main", help="Any text."),
    Option("min_margin", "decimal", Decimal("5.00"), "Minimum margin %", tab="Main", min=Decimal("0"),
           max=Decimal("100"), help="Lines below this margin are refused."),
    Option("check_credit", "bool", False, "Check credit limit", tab="Credit"),
    Option("credit_action", "choice", "warn", "When over the limit", tab="Credit",
           choices=(("warn", "Warn"), ("prevent", "Prevent")), available_if={"check_credit": True}),
]
