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


def test_available_only_if_note_uses_labels():
    from core.options import Option

    declared = {
        "auto_close": Option("auto_close", "bool", False, "Automatically close partially received POs"),
        "mode": Option("mode", "choice", "a", "Mode", choices=(("a", "Alpha"), ("b", "Beta"))),
    }
    variance = Option("variance", "int", 0, "Variance", available_if={"auto_close": True, "mode": ("b",)})
    text = variance.condition_text(declared)
    assert text == "Available only if Automatically close partially received POs is selected and Mode is “Beta”"


def test_cli_on_a_database_not_set_up_says_to_upgrade(tmp_path):
    from tests.conftest import make_app

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}")
    result = app.test_cli_runner().invoke(args=["plugins", "list"])
    assert result.exit_code == 1
    assert "orderbridge db upgrade" in result.output
