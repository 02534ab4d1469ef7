"""A plugin using every platform hook; it records what it hears in ``EVENTS``.

``SWITCHES`` lets a test make one of its hooks raise.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click
from flask import Blueprint, url_for
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import Length

from core.auth import require
from core.hookspecs import hookimpl
from core.options import Option, options_for
from core.plugins import Action, Chart, ChartBar, Figure, Manifest, MenuItem, Panel

manifest = Manifest(
    name="probe",
    title="Probe",
    version="1.0",
    description="Platform test plugin.",
    table_prefix="probe_",
)

EVENTS: list[tuple] = []
SWITCHES: dict[str, bool] = {}

bp = Blueprint("probe", __name__, url_prefix="/probe")


@bp.route("/")
@require()
def index():
    return f"probe page; max_lines={options_for('probe')['max_lines']}"


@bp.route("/act", methods=["POST"])
@require("sales")
def act():
    EVENTS.append(("act",))
    return "done"


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def menu_items():
    return [MenuItem("Probe page", "probe.index", order=5)]


@hookimpl
def setup_options():
    return [
        Option("feature", "bool", False, "Use the feature", tab="Main", help="Turns the feature on."),
        Option("max_lines", "int", 50, "Maximum lines", tab="Main", min=1, max=500, help="1 to 500."),
        Option("markup_pct", "decimal", Decimal("10.00"), "Markup %", tab="Main", min=Decimal("0"),
               max=Decimal("100"), available_if={"feature": True}, help="Only with the feature."),
        Option("mode", "choice", "a", "Mode", tab="Main", choices=(("a", "Alpha"), ("b", "Beta"))),
        Option("beta_label", "text", "", "Beta label", tab="Main", available_if={"mode": "b"}),
        Option("cutoff", "date", None, "Cut-off date", tab="Dates"),
        Option("note", "text", "", "Note", tab="Dates"),
        Option("warehouse", "ref", "", "Default warehouse", tab="Links", ref="warehouse"),
        Option("doc_number", "sequence", 1000, "Next document number", tab="Links", min=1,
               sequence={"name": "probe_doc", "width": 6, "min_value": 1, "max_value": 999999}),
    ]


@hookimpl
def extend_form(form_name, obj):
    if form_name in ("partner", "item"):
        return {"probe_code": StringField("Probe code", validators=[Length(max=10)])}
    return {}


@hookimpl
def on_partner_saved(partner, created, form_data):
    if SWITCHES.get("partner_raises"):
        raise RuntimeError("probe refuses this partner")
    if SWITCHES.get("partner_field_refusal"):  # a refusal naming the plugin's own field (and one without)
        from core.errors import ValidationError

        raise ValidationError.many([("probe_code", f"Probe code {form_data.get('probe_code')} is taken."),
                                    (None, "the probe looked at the whole partner too")])
    EVENTS.append(("partner", partner.number, created, form_data.get("probe_code", "<absent>")))


@hookimpl
def on_item_saved(item, created, form_data):
    EVENTS.append(("item", item.code, created, form_data.get("probe_code", "<absent>")))


@hookimpl
def dashboard_figures():
    if SWITCHES.get("figures_raise"):
        raise ValueError("figures exploded")
    return [Figure("Probe things to do", 7, url_for("probe.index", todo=1), group="Inventory", order=1),
            Figure("Probe secrets", 3, url_for("probe.index"), group="Settings", roles=("admin",)),
            Chart("Probe chart", (ChartBar("Big <b>", 10, url_for("probe.index")), ChartBar("Small", 2)))]


@hookimpl
def page_panels(page, obj):
    if page != "core.home":
        return []
    if SWITCHES.get("panel_raises"):
        raise ValueError("panel exploded")
    return [Panel("Probe panel", Markup("<p id='probe-panel'>hello from probe</p>"))]


@hookimpl
def page_actions(page, obj):
    if page != "core.home":
        return []
    return [Action("Probe action", url_for("probe.act"), method="post", roles=("sales",)),
            Action("Probe link", url_for("probe.index"))]


@hookimpl
def register_commands(cli):
    from core.cli import subgroup

    group = subgroup(cli, "probe", "Probe commands.")

    @group.command("hello")
    def hello():
        from flask import current_app

        from core.plugins import host_of

        host_of(current_app).require_enabled("probe")
        click.echo(f"hello from probe, max_lines={options_for('probe').max_lines}")


@hookimpl
def migrations_dir():
    return str(Path(__file__).parent / "probe_migrations")


@hookimpl
def demo_data(session):
    from core.models import Warehouse

    if SWITCHES.get("demo_raises"):
        raise RuntimeError("probe demo failed")
    session.add(Warehouse(code="PROBE", name="Probe demo warehouse"))


@hookimpl
def on_plugin_enabled(name):
    EVENTS.append(("enabled", name))


@hookimpl
def on_plugin_disabled(name):
    EVENTS.append(("disabled", name))


@hookimpl
def on_options_changed(plugin, changes):
    if plugin == "probe" and changes.get("note", (None, None))[1] == "boom":
        raise RuntimeError("probe rejects the note 'boom'")
    EVENTS.append(("options", plugin, dict(changes)))
