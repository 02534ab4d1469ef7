"""Navigation by area (menu_items with a group), the old shape still placed, breadcrumbs, favicon."""

from __future__ import annotations

import re

from core.plugins import MenuItem


def groups(html: str) -> dict[str, list[str]]:
    out = {}
    for m in re.finditer(r'<details class="navgroup[^"]*" data-group="([^"]+)">(.*?)</details>', html, re.S):
        out[m.group(1)] = re.findall(r'data-endpoint="([^"]+)"', m.group(2))
    return out


def test_menu_is_grouped_by_area_in_a_fixed_order(probe_app, pc):
    page = pc.get("/").get_data(as_text=True)
    found = groups(page)
    assert list(found)[:4] == ["Sales", "Purchasing", "Inventory", "Settings"]
    assert "sales_order.index" in found["Sales"] and "purchase_order.index" in found["Purchasing"]
    assert "masterdata.items" in found["Inventory"] and "admin.modules" in found["Settings"]
    # the probe returns the old shape (no group): still in the menu, in the default area, last
    assert list(found)[-1] == "More" and found["More"] == ["probe.index", "probe_child.index"]


def test_manifest_menu_shows_by_role_while_the_plugin_is_enabled(probe_app, pc, client_for):
    """A manifest's ``menu`` (no ``menu_items`` hook) is placed like the hook's items."""
    from core.plugins import host_of

    host = host_of(probe_app)
    assert host.plugins["probe_child"].manifest.menu and host.plugins["po_generation"].manifest.menu
    assert {i.plugin_name for i in host.pm.hook.menu_items.get_hookimpls()} == {"probe"}
    buyer = groups(client_for("purchasing", app=probe_app).get("/").get_data(as_text=True))
    assert "po_generation.auto" in buyer["Purchasing"] and "probe_child.index" in buyer["More"]
    reader = groups(client_for("readonly", app=probe_app).get("/").get_data(as_text=True))
    assert "po_generation.auto" not in reader["Purchasing"]  # roles=("purchasing",)
    assert "purchase_order.index" in reader["Purchasing"] and "probe_child.index" in reader["More"]
    with probe_app.app_context():
        host.set_enabled("probe_child", False)
    assert groups(pc.get("/").get_data(as_text=True))["More"] == ["probe.index"]


def test_an_old_shape_admin_item_goes_in_settings():
    assert MenuItem("Old", "x.y", section="admin").area == "Settings"
    assert MenuItem("Old", "x.y").area == "More"
    assert MenuItem("New", "x.y", group="Purchasing").area == "Purchasing"


def test_roles_hide_whole_areas(probe_app, client_for):
    page = client_for("readonly").get("/").get_data(as_text=True)
    # the entries open to every role: the sales order codes, and each user's own API keys
    assert groups(page)["Settings"] == ["sales_order_codes.home", "api_keys.index"]
    assert "admin.modules" not in page and "Sales" in groups(page)


def test_breadcrumbs_lead_back_through_area_and_list(app, demo, client_for):
    from tests.po_generation.helpers import make_order

    with app.app_context():
        order = make_order([("BOLT-10", 1)])
        order_id, number = order.id, order.number
    page = client_for("sales").get(f"/sales-orders/{order_id}").get_data(as_text=True)
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', page, re.S).group(0)
    texts = [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li[^>]*>(.*?)</li>", crumbs, re.S)]
    assert texts == ["Home", "Sales", "Sales orders", f"SO {number}"]
    assert 'href="/sales-orders"' in crumbs and 'href="/"' in crumbs
    listing = client_for("sales").get("/sales-orders").get_data(as_text=True)
    assert 'aria-current="page"' in listing and '<summary aria-current="true">Sales</summary>' in listing


def test_favicon_exists(client):
    page = client.get("/login").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    icon = client.get(href)
    assert icon.status_code == 200 and b"<svg" in icon.data
