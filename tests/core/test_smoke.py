def test_login_page_is_public(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    assert b"Sign in" in resp.data


def test_home_requires_login_then_works(client):
    assert client.get("/").status_code == 302
    client.login("admin")
    resp = client.get("/")
    assert resp.status_code == 200
    assert b"Modules" in resp.data


def test_master_data_pages_render(admin_client, demo):
    for url in ["/partners", "/items", "/stock", "/warehouses", "/admin/modules", "/admin/users",
                "/admin/options", "/partners/new", "/items/new"]:
        resp = admin_client.get(url)
        assert resp.status_code == 200, url
