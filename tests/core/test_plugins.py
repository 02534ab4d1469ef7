"""The plugin system: discovery, manifests, failures, enable/disable, gating, events, extension hooks."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

import core.plugins
from core.db import db
from core.models import OptionValue, Partner, PluginState, Warehouse
from core.options import options_for
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


def test_hook_on_plugin_enabled(probe_app, pc):
    """Fires for each plugin switched on, dependencies first."""
    pc.post("/admin/modules/probe/disable", data={"cascade": "yes"})
    probe.EVENTS.clear()
    pc.post("/admin/modules/probe_child/enable")
    assert probe.EVENTS == [("enabled", "probe"), ("enabled", "probe_child")]


def test_hook_on_plugin_disabled(probe_app, pc):
    """Fires for the plugins still enabled and for the one being disabled (it hears about itself)."""
    pc.post("/admin/modules/probe_child/disable")
    assert probe.EVENTS == [("disabled", "probe_child")]
    probe.EVENTS.clear()
    pc.post("/admin/modules/probe/disable")  # no enabled dependants now: no confirmation
    assert probe.EVENTS == [("disabled", "probe")]


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


def test_hook_register_blueprints(probe_app, pc):
    """The probe's blueprint is served, owned by the probe, and answers 404 while it is disabled."""
    assert host_of(probe_app).blueprint_owner["probe"] == "probe"
    assert pc.get("/probe/").get_data(as_text=True) == "probe page; max_lines=50"
    pc.post("/admin/modules/probe/disable", data={"cascade": "yes"})
    assert pc.get("/probe/").status_code == 404


def test_hook_setup_options(probe_app, pc):
    """The declared options make the plugin's tabbed options page."""
    assert "max_lines" in probe_app.extensions["orderbridge_options"].declared["probe"]
    page = pc.get("/admin/options/probe").get_data(as_text=True)
    assert 'name="max_lines"' in page and "Maximum lines" in page and "Cut-off date" in page


def test_hook_menu_items(probe_app, pc):
    home = pc.get("/").get_data(as_text=True)
    assert 'href="/probe/"' in home and "Probe page" in home and "Probe child page" in home


def test_hook_migrations_dir(probe_app):
    """A plugin's own Alembic history is found through its migrations_dir."""
    from core.migrate import script_dirs

    dirs = dict(script_dirs(host_of(probe_app)))
    assert dirs["probe"] == str(ROOT / "tests" / "platform_plugins" / "probe_migrations")
    assert {"core", "sales_order", "purchase_order"} <= set(dirs)


def test_hook_on_options_changed(probe_app, pc):
    """Fires with key -> (old, new) inside the options' transaction; raising rolls the change back."""
    pc.post("/admin/options/probe", data={"max_lines": "60", "mode": "a", "doc_number": "1000", "note": "hi"})
    assert ("options", "probe", {"max_lines": (50, 60), "note": ("", "hi")}) in probe.EVENTS
    resp = pc.post("/admin/options/probe", data={"max_lines": "70", "mode": "a", "doc_number": "1000",
                                                  "note": "boom"})
    assert "probe rejects the note" in resp.get_data(as_text=True)
    with probe_app.app_context():
        assert db.session.get(OptionValue, ("probe", "max_lines")).value == "60"


def test_hook_on_partner_saved(probe_app, pc):
    """Fires after the row is flushed; form_data carries the extend_form fields."""
    pc.post("/partners/new", data={"number": "C7", "name": "Seven", "is_customer": "y", "probe_code": "P7"})
    assert probe.EVENTS == [("partner", "C7", True, "P7")]


def test_hook_on_item_saved(probe_app, pc):
    pc.post("/items/new", data={"code": "I7", "uom": "EA", "supply_method": "stock", "probe_code": "X7"})
    assert probe.EVENTS == [("item", "I7", True, "X7")]




def test_hook_extend_form(probe_app, pc):
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


def test_a_field_validation_error_from_a_save_hook_stands_beside_its_field(probe_app, pc):
    """A plugin's ValidationError naming a field passes the hook caller unwrapped: its message is
    beside the field (not a HookError at the top), the save is rolled back, and a message of it
    that names no field says which plugin it comes from."""
    import re

    probe.SWITCHES["partner_field_refusal"] = True
    resp = pc.post("/partners/new", data={"number": "C6", "name": "Six", "is_customer": "y", "probe_code": "PB"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "failed in on_partner_saved" not in page
    field = re.search(r'<input[^>]*name="probe_code".*?</div>', page, re.S)
    assert field and "Probe code PB is taken." in field.group(0)  # beside the field
    assert "Plugin &#39;probe&#39;: the probe looked at the whole partner too" in page
    with probe_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Partner)) == 0  # nothing kept


def test_a_field_validation_error_outside_a_form_still_names_the_plugin(probe_app):
    """Called directly, the refusal is the plugin's own ValidationError, marked with plugin and hook."""
    from core.errors import HookError, ValidationError

    probe.SWITCHES["partner_field_refusal"] = True
    with probe_app.app_context():
        partner = Partner(number="C8", name="Eight", is_customer=True)
        with pytest.raises(ValidationError) as caught:
            host_of(probe_app).hook.on_partner_saved(partner=partner, created=True, form_data={"probe_code": "Q"})
        assert not isinstance(caught.value, HookError)
        assert (caught.value.plugin, caught.value.hook) == ("probe", "on_partner_saved")
        assert caught.value.errors[0] == ("probe_code", "Probe code Q is taken.")
        probe.SWITCHES["partner_field_refusal"] = False
        probe.SWITCHES["partner_raises"] = True
        with pytest.raises(HookError, match="Plugin 'probe' failed in on_partner_saved"):
            host_of(probe_app).hook.on_partner_saved(partner=partner, created=True, form_data={})


def test_hook_page_panels(probe_app, pc):
    """A page_panels contribution on another plugin's page (the home page); a raising one becomes a notice."""
    page = pc.get("/").get_data(as_text=True)
    assert "<h2>Probe panel</h2>" in page and "<p id='probe-panel'>hello from probe</p>" in page
    probe.SWITCHES["panel_raises"] = True
    resp = pc.get("/")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "Plugin 'probe' could not show its panel: panel exploded" in page
    assert "Probe action" in page  # the same plugin's other contributions stay


def test_hook_page_actions(probe_app, pc):
    """page_actions buttons on the home page: a POST action is a form with the CSRF token; roles apply."""
    page = pc.get("/").get_data(as_text=True)
    assert "Probe action" in page and 'action="/probe/act"' in page
    assert 'href="/probe/"' in page and "Probe link" in page
    readonly = client_for(probe_app, "readonly").get("/").get_data(as_text=True)
    assert "Probe action" not in readonly and "Probe link" in readonly  # roles of an action


def test_hook_register_commands(probe_app):
    """register_commands: `orderbridge probe hello`, refused while the plugin is disabled."""
    runner = probe_app.test_cli_runner()
    result = runner.invoke(args=["probe", "hello"])
    assert result.exit_code == 0 and "hello from probe, max_lines=50" in result.output
    runner.invoke(args=["plugins", "disable", "probe", "--cascade"])
    result = runner.invoke(args=["probe", "hello"])
    assert result.exit_code == 1 and "plugin 'probe' is disabled" in result.output


def test_hook_demo_data(probe_app):
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


# -- hooks a plugin publishes; pluggy's callers -----------------------------------------------


@pytest.fixture
def pub_app(app, users, app_factory, monkeypatch):
    """publisher (declares probe_collect / probe_pick), subscriber and hook_user (implement them)."""
    from tests.platform_plugins import hook_user, publisher

    add_plugins(monkeypatch, "publisher", "subscriber", "hook_user")
    publisher.CALLS.clear()
    hook_user.SEEN.clear()
    return app_factory()


def test_core_imports_no_plugin_and_declares_only_platform_hooks():
    """The business events live in their owners' hookspecs; core's contract names no plugin type."""
    import subprocess
    import sys

    code = ("import sys, core.hookspecs, core.plugins, core.web, core.forms; "
            "print(sorted(m for m in sys.modules if m == 'plugins' or m.startswith('plugins.')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr
    from core import hookspecs
    from core.plugins import _spec_names

    assert "on_sales_order_saved" not in _spec_names(hookspecs) and "on_receipt" not in _spec_names(hookspecs)
    assert {"register_blueprints", "menu_items", "on_partner_saved", "page_actions"} <= set(_spec_names(hookspecs))


def test_a_plugin_publishes_hooks_that_its_dependants_implement(pub_app):
    host = host_of(pub_app)
    assert {"publisher", "subscriber", "hook_user"} <= set(host.plugins), host.failed
    assert host.hook_owner["probe_collect"] == "publisher" and host.hook_owner["probe_pick"] == "publisher"
    assert host.hook_owner["on_receipt"] == "purchase_order" and host.hook_owner["menu_items"] == "core"
    with pub_app.app_context():
        assert "subscriber:w" in host.hook.probe_collect(word="w")


def test_wrappers_and_tryfirst_trylast_work_through_the_host(pub_app):
    """Dependency order is publisher, hook_user, subscriber; the markers reorder, the wrapper sees all."""
    host = host_of(pub_app)
    with pub_app.app_context():
        result = host.hook.probe_collect(word="w")
        # subscriber is tryfirst, hook_user trylast; the new-style wrapper appended its note
        assert result == ["subscriber:w", "publisher:w", "hook_user:w", "wrapped 3"]
        host.set_enabled("subscriber", False)
        assert host.hook.probe_collect(word="w") == ["publisher:w", "hook_user:w", "wrapped 2"]
        host.set_enabled("hook_user", False)  # its wrapper goes with it
        assert host.hook.probe_collect(word="w") == ["publisher:w"]


def test_firstresult_hook_returns_the_first_answer_and_stops(pub_app):
    from tests.platform_plugins import hook_user, publisher

    host = host_of(pub_app)
    with pub_app.app_context():
        assert host.hook.probe_pick(choices=["a", "b"]) == "a"  # one value, not a list
        assert publisher.CALLS == []  # the trylast fallback was not reached
        assert host.hook.probe_pick(choices=[]) == "default"  # subscriber returned None
        assert publisher.CALLS == ["publisher.probe_pick"]
        assert hook_user.SEEN == ["a", "default"]  # the old-style hookwrapper saw each outcome


def test_calls_go_through_one_cached_pluggy_caller_per_enabled_set(pub_app, monkeypatch):
    """No implementation is called by hand: pluggy's own calling machinery runs every call."""
    import pluggy._hooks

    host = host_of(pub_app)
    calls = []
    real = pluggy._hooks.HookCaller.__call__
    monkeypatch.setattr(pluggy._hooks.HookCaller, "__call__", lambda self, **kw: calls.append(self.name) or real(self, **kw))
    with pub_app.app_context():
        enabled = host.enabled()
        host.hook.probe_collect(word="x")
        assert host.caller("probe_collect", enabled) is host.caller("probe_collect", set(enabled))
        host.call_each("page_actions", page="core.none", obj=None)  # built-in menus are declared: no hook
    assert calls[0] == "probe_collect" and calls.count("page_actions") >= 3


def test_implementing_a_hook_of_a_plugin_it_does_not_depend_on_fails_only_that_plugin(app_factory, monkeypatch,
                                                                                      users):
    add_plugins(monkeypatch, "publisher", "subscriber", "stranger")
    app = app_factory()
    host = host_of(app)
    assert host.failed["stranger"] == ("TypeError: implements hook(s) of plugins it does not depend on: "
                                       "probe_collect (of 'publisher'); add them to its manifest's `depends`")
    assert not host.pm.has_plugin("stranger")
    with app.app_context():
        assert host.hook.probe_collect(word="w") == ["subscriber:w", "publisher:w"]
    assert client_for(app, "admin").get("/admin/modules").status_code == 200


def test_implementing_hooks_of_a_plugin_that_failed_to_load_fails_only_the_implementer(app_factory, monkeypatch,
                                                                                       users):
    """And a plugin publishing a hook under a name already taken fails alone too."""
    add_plugins(monkeypatch, "subscriber", "stranger", "probe", "clash", publisher="broken_import")
    app = app_factory()
    host = host_of(app)
    assert "ModuleNotFoundError" in host.failed["publisher"]
    assert host.failed["subscriber"] == "depends on unknown plugin 'publisher' (failed)"
    assert host.failed["stranger"] == "TypeError: implements unknown hook(s): probe_collect"
    assert host.failed["clash"] == ("ValueError in its hookspecs: declares hook(s) already declared: "
                                    "menu_items (declared by 'core')")
    assert "probe" in host.plugins
    page = client_for(app, "admin").get("/admin/modules").get_data(as_text=True)
    assert "<code>stranger</code>" in page and "<code>subscriber</code>" in page


# -- every hook has its own test ----------------------------------------------------------------


def _hook_test_names() -> set[str]:
    """Names of the ``test_hook_*`` functions of every test module, found by importing them."""
    import importlib
    import inspect

    names = set()
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        names |= {n for n, fn in vars(module).items() if n.startswith("test_hook_") and inspect.isfunction(fn)}
    return names


def test_every_hook_has_its_own_test_hook_function():
    """Datasette's rule: each hook of core or of a built-in plugin has a ``test_hook_<name>``."""
    from core.hookdocs import hooks

    declared = {h.name: h.owner for h in hooks()}
    assert {"menu_items", "on_sales_order_saved", "on_receipt"} <= set(declared)
    tested = _hook_test_names()
    missing = sorted(f"{name} (declared by {owner})" for name, owner in declared.items()
                     if f"test_hook_{name}" not in tested)
    assert missing == [], "hooks without a test_hook_<name> test: " + ", ".join(missing)
    assert _hook_test_names() - {f"test_hook_{n}" for n in declared} == set(), "test_hook_ of an unknown hook"


def test_manifest_declares_blueprints_options_commands_and_migrations(app_factory, monkeypatch, users):
    """The four contributions most plugins make need no hook: the manifest names them."""
    add_plugins(monkeypatch, "declared", "probe", "probe_child")
    app = app_factory()
    host = host_of(app)
    assert "declared" not in host.failed
    assert client_for(app, "admin").get("/declared/").get_data(as_text=True) == "declared page"
    with app.app_context():
        assert options_for("declared")["greeting"] == "hello"
        folders = dict(host.migration_dirs())
    assert folders["declared"].endswith("platform_plugins/probe_migrations")
    assert "core" in folders and "sales_order" in folders  # built-ins use the conventional folder
    assert "probe" in folders and "probe_child" not in folders  # a hook still works; no folder, no history
    assert "probe_child" not in host.failed
    result = app.test_cli_runner().invoke(args=["declared-hello"])
    assert result.output.strip() == "hello from a declared command"


def test_a_manifest_reference_that_does_not_resolve_fails_only_that_plugin(app_factory, monkeypatch, users):
    import dataclasses

    from tests.platform_plugins import declared

    monkeypatch.setattr(declared, "manifest", dataclasses.replace(declared.manifest, blueprints=("nowhere:bp",)))
    add_plugins(monkeypatch, "declared")
    app = app_factory()
    assert host_of(app).failed["declared"].startswith("ModuleNotFoundError while registering")
    assert client_for(app, "admin").get("/admin/modules").status_code == 200
