"""The plugin system: discovery, manifests, failures, enable/disable, gating, events, extension hooks."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

import core.plugins
from core.db import db
from core.models import OptionValue, Partner, PluginState, Warehouse
from core.plugins import BUILTIN_PLUGINS, DependencyError, host_of
from tests.core.conftest import add_plugins, client_for
from tests.platform_plugins import probe

ROOT = Path(__file__).resolve().parents[2]


# -- discovery ------------------------------------------------------------------------


def test_third_party_package_is_found_through_its_entry_point(app_factory, monkeypatch):
    """`ob-order-limit` (installed from examples/) is found by pluggy's entry-point loading."""
    add_plugins(monkeypatch, sales_order="fake_sales_order")
    app = app_factory()
    host = host_of(app)
    assert "order_limit" in host.plugins, host.failed
    loaded = host.plugins["order_limit"]
    assert loaded.source == "ob-order-limit"  # the distribution that declared the entry point
    assert loaded.module.__name__ == "ob_order_limit.plugin"
    assert loaded.manifest.depends == ("sales_order",)
    # its hooks and options are live like a built-in's
    assert len(host.pm.get_hookcallers(loaded.module)) >= 3
    assert "max_order_total" in app.extensions["orderbridge_options"].declared["order_limit"]


def test_real_plugin_set_lists_order_limit(app_factory):
    """With the real plugins: order_limit loads when sales_order exists, else fails naming its dependency."""
    host = host_of(app_factory())
    if (ROOT / "plugins" / "sales_order" / "plugin.py").exists() and "sales_order" in host.plugins:
        assert "order_limit" in host.plugins, host.failed
        assert host.plugins["order_limit"].source == "ob-order-limit"
    else:
        assert host.failed["order_limit"].startswith("depends on unknown plugin 'sales_order'")


def test_builtins_go_through_the_same_loader(app_factory, monkeypatch):
    """A built-in is checked like any plugin: a broken module or manifest fails it, not the site."""
    add_plugins(monkeypatch, "probe", "broken_import", "no_manifest", "wrong_name")
    app = app_factory()
    host = host_of(app)
    assert host.plugins["probe"].source == "builtin"
    assert host.plugins["core"].source == "core"
    assert "ModuleNotFoundError" in host.failed["broken_import"]
    assert "ob_module_that_does_not_exist" in host.failed["broken_import"]
    assert "has no `manifest = Manifest(...)`" in host.failed["no_manifest"]
    assert "differs from entry point name 'wrong_name'" in host.failed["wrong_name"]
    assert not host.pm.has_plugin("no_manifest")


def test_unknown_dependency_and_cycle_are_reported_while_the_site_runs(app_factory, monkeypatch, users):
    add_plugins(monkeypatch, "probe", "unknown_dep", "cycle_a", "cycle_b", "broken_import")
    app = app_factory()
    host = host_of(app)
    assert host.failed["unknown_dep"] == "depends on unknown plugin 'no_such_plugin'"
    assert host.failed["cycle_a"].startswith("dependency cycle: ")
    assert "cycle_a -> cycle_b -> cycle_a" in host.failed["cycle_a"]
    assert "cycle_b" in host.failed
    assert "probe" in host.plugins  # the rest runs
    client = client_for(app, "admin")
    page = client.get("/admin/modules").get_data(as_text=True)
    assert 'id="failed-modules"' in page
    for name in ("unknown_dep", "cycle_a", "cycle_b", "broken_import"):
        assert f"<code>{name}</code>" in page
    assert "depends on unknown plugin &#39;no_such_plugin&#39;" in page
    assert "No module named &#39;ob_module_that_does_not_exist&#39;" in page
    assert client.get("/probe/").status_code == 200


def test_bad_hook_signature_or_unknown_hook_fails_only_that_plugin(app_factory, monkeypatch, users):
    add_plugins(monkeypatch, "probe", "bad_signature", "unknown_hook")
    app = app_factory()
    host = host_of(app)
    assert "colour" in host.failed["bad_signature"]
    assert "unknown hook(s): on_partner_saveed" in host.failed["unknown_hook"]
    # nothing of a rejected plugin stays registered (pluggy had added menu_items before failing)
    assert not host.pm.has_plugin("bad_signature")
    assert all(i.plugin_name != "bad_signature" for i in host.pm.hook.menu_items.get_hookimpls())
    page = client_for(app, "admin").get("/").get_data(as_text=True)
    assert "Bad signature page" not in page
    assert "Probe page" in page


def test_allow_list_from_environment(app_factory, monkeypatch):
    add_plugins(monkeypatch, "probe", "probe_child")
    monkeypatch.setenv("ORDERBRIDGE_LOAD_PLUGINS", "probe, probe_child")
    host = host_of(app_factory())
    assert set(host.plugins) == {"core", "probe", "probe_child"}
    assert host.failed == {}
    monkeypatch.setenv("ORDERBRIDGE_LOAD_PLUGINS", "")
    assert set(host_of(app_factory()).plugins) == {"core"}


def test_allow_list_from_config_key(app_factory, monkeypatch):
    add_plugins(monkeypatch, "probe", "probe_child")
    monkeypatch.setenv("ORDERBRIDGE_LOAD_PLUGINS", "probe")  # the config key wins
    host = host_of(app_factory(LOAD_PLUGINS=["probe_child"]))
    assert set(host.plugins) == {"core"}
    assert host.failed == {"probe_child": "depends on unknown plugin 'probe'"}


# -- enabling and disabling ----------------------------------------------------------------


def _states(app) -> dict[str, bool]:
    with app.app_context():
        return dict(db.session.execute(sa.select(PluginState.name, PluginState.enabled)).all())


def test_enable_pulls_in_dependencies_and_the_page_says_which(probe_app, pc):
    with probe_app.app_context():
        host_of(probe_app).set_enabled("probe", False, cascade=True)
        assert host_of(probe_app).plan_enable("probe_child") == ["probe", "probe_child"]
    page = pc.get("/admin/modules").get_data(as_text=True)
    row = page.split('id="module-probe_child"')[1].split("</tr>")[0]
    assert "Also enables: probe" in row
    resp = pc.post("/admin/modules/probe_child/enable", follow_redirects=True)
    assert "Module &#39;probe_child&#39; enabled. Also enabled: probe." in resp.get_data(as_text=True)
    assert _states(probe_app) == {"probe": True, "probe_child": True}


def test_disable_refused_with_dependants_unless_cascade_confirmed(probe_app, pc):
    resp = pc.post("/admin/modules/probe/disable")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Disable probe?" in page
    assert "<strong>probe_child</strong>" in page
    assert 'name="cascade" value="yes"' in page
    assert _states(probe_app) == {}  # nothing changed yet
    with probe_app.app_context(), pytest.raises(DependencyError) as err:
        host_of(probe_app).set_enabled("probe", False)
    assert err.value.names == ["probe_child"]
    resp = pc.post("/admin/modules/probe/disable", data={"cascade": "yes"}, follow_redirects=True)
    assert "Also disabled: probe_child" in resp.get_data(as_text=True)
    assert _states(probe_app) == {"probe": False, "probe_child": False}


def test_cli_enable_disable_list_with_cascade(probe_app):
    runner = probe_app.test_cli_runner()
    result = runner.invoke(args=["plugins", "disable", "probe"])
    assert result.exit_code == 1
    assert "enabled plugins depend on it: probe_child" in result.output and "--cascade" in result.output
    result = runner.invoke(args=["plugins", "disable", "probe", "--cascade"])
    assert result.exit_code == 0, result.output
    assert "Disabled: probe_child, probe" in result.output
    listing = runner.invoke(args=["plugins", "list"]).output
    assert "disabled  probe " in listing and "disabled  probe_child" in listing
    assert "enabled   core" in listing
    result = runner.invoke(args=["plugins", "enable", "probe_child"])
    assert "Enabled: probe, probe_child" in result.output
    assert runner.invoke(args=["plugins", "disable", "core"]).exit_code == 1
    assert "no loaded plugin called 'nope'" in runner.invoke(args=["plugins", "enable", "nope"]).output


def test_a_change_in_one_process_is_seen_by_another_on_its_next_request(probe_app, pc, app_factory):
    """Two app instances sharing the database stand for two worker processes."""
    other = app_factory()
    assert other is not probe_app
    oc = client_for(other, "sales")
    assert oc.get("/probe/").status_code == 200  # warms the other process's cache
    assert "Probe page" in oc.get("/").get_data(as_text=True)
    pc.post("/admin/modules/probe/disable", data={"cascade": "yes"})
    assert oc.get("/probe/").status_code == 404
    assert oc.get("/probe-child/").status_code == 404
    assert "Probe page" not in oc.get("/").get_data(as_text=True)
    with other.app_context():
        assert "probe" not in host_of(other).enabled()
    runner = probe_app.test_cli_runner()
    assert runner.invoke(args=["plugins", "enable", "probe"]).exit_code == 0
    assert oc.get("/probe/").status_code == 200
    assert oc.get("/probe-child/").status_code == 404  # stays off until enabled itself


def test_disabled_plugin_hooks_pages_menu_options_go_and_data_stays(probe_app, pc):
    """register_blueprints pages answer 404, menu_items and setup_options pages vanish, hooks stop."""
    pc.post("/admin/options/probe", data={"max_lines": "77", "mode": "a", "doc_number": "1000"})
    with probe_app.app_context():
        assert db.session.get(OptionValue, ("probe", "max_lines")) is not None
    assert "Probe page" in pc.get("/").get_data(as_text=True)
    assert pc.post("/admin/modules/probe/disable", data={"cascade": "yes"}).status_code == 302
    probe.EVENTS.clear()
    # hooks do not fire (subset_hook_caller leaves it out)
    with probe_app.app_context():
        host = host_of(probe_app)
        assert host.hook.on_item_saved(item=None, created=True, form_data={}) == []
    resp = pc.post("/partners/new", data={"number": "C1", "name": "Acme", "is_customer": "y", "probe_code": "X"})
    assert resp.status_code == 302
    assert probe.EVENTS == []
    # pages 404, menu entry and options page gone
    assert pc.get("/probe/").status_code == 404
    assert pc.post("/probe/act").status_code == 404
    home = pc.get("/").get_data(as_text=True)
    assert "Probe page" not in home and "Probe child page" not in home
    assert pc.get("/admin/options/probe").status_code == 404
    assert "/admin/options/probe" not in pc.get("/admin/options").get_data(as_text=True)
    # data stays and comes back
    with probe_app.app_context():
        assert db.session.get(OptionValue, ("probe", "max_lines")).value == "77"
    pc.post("/admin/modules/probe/enable")
    assert pc.get("/probe/").get_data(as_text=True) == "probe page; max_lines=77"


def test_plugin_enabled_and_disabled_events(probe_app, pc):
    """on_plugin_enabled fires for each plugin switched on (dependencies first), on_plugin_disabled likewise."""
    pc.post("/admin/modules/probe_child/disable")
    assert ("disabled", "probe_child") in probe.EVENTS
    probe.EVENTS.clear()
    pc.post("/admin/modules/probe/disable")  # no enabled dependants now: no confirmation
    assert probe.EVENTS == [("disabled", "probe")]  # the plugin hears its own on_plugin_disabled
    pc.post("/admin/modules/probe_child/enable")
    assert probe.EVENTS[-2:] == [("enabled", "probe"), ("enabled", "probe_child")]


def test_event_failure_is_reported_and_does_not_undo_the_change(probe_app, pc, monkeypatch):
    def boom(name):
        raise RuntimeError("cannot hear it")

    # pluggy calls the function it registered: patch that implementation
    impl = next(i for i in host_of(probe_app).pm.hook.on_plugin_disabled.get_hookimpls() if i.plugin_name == "probe")
    monkeypatch.setattr(impl, "function", boom)
    resp = pc.post("/admin/modules/probe_child/disable", follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "Plugin &#39;probe&#39; failed in on_plugin_disabled: cannot hear it" in page
    assert _states(probe_app) == {"probe_child": False}


# -- contributions -------------------------------------------------------------------------


def test_extend_form_adds_a_field_per_request_and_its_value_reaches_the_saved_hooks(probe_app, pc):
    """extend_form fields appear on the partner and item forms; on_partner_saved / on_item_saved get them."""
    from core.masterdata import ItemForm, PartnerForm

    page = pc.get("/partners/new").get_data(as_text=True)
    assert 'name="probe_code"' in page
    resp = pc.post("/partners/new", data={"number": "C9", "name": "Nine", "is_customer": "y", "probe_code": "PX"})
    assert resp.status_code == 302
    assert probe.EVENTS == [("partner", "C9", True, "PX")]
    assert not hasattr(PartnerForm, "probe_code")  # the shared class is untouched
    with probe_app.app_context():
        pid = db.session.scalar(sa.select(Partner.id).where(Partner.number == "C9"))
    pc.post(f"/partners/{pid}", data={"number": "C9", "name": "Nine", "is_customer": "y", "probe_code": "PY"})
    assert probe.EVENTS[-1] == ("partner", "C9", False, "PY")
    pc.post("/items/new", data={"code": "I1", "uom": "EA", "supply_method": "stock", "probe_code": "IC"})
    assert probe.EVENTS[-1] == ("item", "I1", True, "IC")
    assert not hasattr(ItemForm, "probe_code")
    # too long: the plugin's own validator speaks beside its field, nothing is saved
    resp = pc.post("/partners/new", data={"number": "C10", "name": "Ten", "is_customer": "y",
                                          "probe_code": "X" * 11})
    assert resp.status_code == 422 and "Field cannot be longer than 10 characters." in resp.get_data(as_text=True)
    pc.post("/admin/modules/probe/disable", data={"cascade": "yes"})
    assert 'name="probe_code"' not in pc.get("/partners/new").get_data(as_text=True)
    assert 'name="probe_code"' not in pc.get("/items/new").get_data(as_text=True)


def test_partner_saved_hook_exception_rolls_back_and_names_the_plugin(probe_app, pc):
    probe.SWITCHES["partner_raises"] = True
    resp = pc.post("/partners/new", data={"number": "C5", "name": "Five", "is_customer": "y"})
    page = resp.get_data(as_text=True)
    assert "Plugin &#39;probe&#39; failed in on_partner_saved: probe refuses this partner" in page
    assert 'value="Five"' in page  # the user's input is kept
    with probe_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Partner)) == 0


def test_page_panels_and_actions_render_and_a_raising_panel_becomes_a_notice(probe_app, pc):
    """page_panels and page_actions contributions on another page (the home page)."""
    page = pc.get("/").get_data(as_text=True)
    assert "<h2>Probe panel</h2>" in page and "<p id='probe-panel'>hello from probe</p>" in page
    assert "Probe action" in page and 'action="/probe/act"' in page  # a POST action: form + CSRF token
    assert 'href="/probe/"' in page and "Probe link" in page
    readonly = client_for(probe_app, "readonly").get("/").get_data(as_text=True)
    assert "Probe action" not in readonly and "Probe link" in readonly  # roles of an action
    probe.SWITCHES["panel_raises"] = True
    resp = pc.get("/")
    assert resp.status_code == 200
    assert "Plugin 'probe' could not show its panel: panel exploded" in resp.get_data(as_text=True)


def test_register_commands_adds_a_command_that_refuses_when_disabled(probe_app):
    """register_commands: `orderbridge probe hello`, refused while the plugin is disabled."""
    runner = probe_app.test_cli_runner()
    result = runner.invoke(args=["probe", "hello"])
    assert result.exit_code == 0 and "hello from probe, max_lines=50" in result.output
    runner.invoke(args=["plugins", "disable", "probe", "--cascade"])
    result = runner.invoke(args=["probe", "hello"])
    assert result.exit_code == 1 and "plugin 'probe' is disabled" in result.output


def test_demo_data_hook_and_its_failure_rolls_everything_back(probe_app):
    """demo_data of every enabled plugin in one transaction."""
    runner = probe_app.test_cli_runner()
    probe.SWITCHES["demo_raises"] = True
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1 and "Plugin 'probe' failed in demo_data: probe demo failed" in result.output
    with probe_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Partner)) == 0
    probe.SWITCHES.clear()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with probe_app.app_context():
        codes = set(db.session.scalars(sa.select(Warehouse.code)))
    assert {"MAIN", "EAST", "PROBE"} <= codes
    assert "left alone" in runner.invoke(args=["demo", "--if-empty"]).output


def test_menu_item_to_unknown_endpoint_does_not_break_pages(probe_app, pc, monkeypatch):
    from core.plugins import MenuItem

    impl = next(i for i in host_of(probe_app).pm.hook.menu_items.get_hookimpls() if i.plugin_name == "probe")
    monkeypatch.setattr(impl, "function", lambda: [MenuItem("Typo", "probe.no_such_view")])
    resp = pc.get("/")
    assert resp.status_code == 200 and "Typo" not in resp.get_data(as_text=True)


def test_builtin_registry_names_the_three_business_plugins():
    assert {"sales_order", "purchase_order", "po_generation"} <= set(BUILTIN_PLUGINS)
    assert core.plugins.ENTRY_POINT_GROUP == "orderbridge.plugins"


def test_a_raising_extend_form_is_named_and_the_form_renders_without_its_fields(probe_app, pc, monkeypatch):
    def boom(form_name, obj):
        raise RuntimeError("no fields today")

    impl = next(i for i in host_of(probe_app).pm.hook.extend_form.get_hookimpls() if i.plugin_name == "probe")
    monkeypatch.setattr(impl, "function", boom)
    resp = pc.get("/partners/new")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'name="number"' in page and 'name="probe_code"' not in page
    assert "Plugin &#39;probe&#39; failed in extend_form: no fields today" in page
