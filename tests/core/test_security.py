"""Users, roles, sign-in and the guards on every endpoint."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.auth import is_guarded, safe_next
from core.db import db
from core.models import User
from tests.conftest import PASSWORD
from tests.core.conftest import add_plugins, client_for

CANDIDATES = ("1", "partners", "probe", "enable", "x")


def unguarded_endpoints(app) -> list[str]:
    """Endpoints that are neither @public nor behind @require (static files excepted)."""
    bad = []
    for endpoint, view in app.view_functions.items():
        if endpoint == "static" or endpoint.endswith(".static"):
            continue
        if not is_guarded(view):
            bad.append(endpoint)
    return sorted(bad)


def concrete_urls(app, method: str) -> list[tuple[str, str]]:
    """(endpoint, url) for each rule accepting ``method``, its arguments filled with plausible values."""
    out = []
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        values = {}
        for arg in rule.arguments:
            conv = rule._converters[arg]
            values[arg] = next(c for c in CANDIDATES if re.fullmatch(conv.regex, c))
        with app.test_request_context():
            from flask import url_for

            out.append((rule.endpoint, url_for(rule.endpoint, _external=False, **values)))
    return out


@pytest.fixture
def all_app(app, users, app_factory, monkeypatch):
    """Every installed plugin (built-in and entry point) plus the probes: the whole URL map."""
    add_plugins(monkeypatch, "probe", "probe_child")
    return app_factory()


def test_every_endpoint_is_public_or_guarded_with_all_plugins_loaded(all_app):
    assert len(all_app.view_functions) > 25
    assert unguarded_endpoints(all_app) == []
    public = sorted(e for e, v in all_app.view_functions.items() if getattr(v, "_ob_public", False))
    # the supplier webhook authenticates by its Standard Webhooks signature (tests/supplier_sync);
    # /healthz answers load balancers; the API's OpenAPI document and its docs page are for integrators
    assert public == ["api_docs.docs", "api_docs.openapi_json", "auth.login", "healthz",
                      "supplier_sync_webhook.webhook"]


def test_the_url_map_walk_catches_an_unguarded_route(app_factory, monkeypatch):
    add_plugins(monkeypatch, "unguarded")
    app = app_factory()
    assert unguarded_endpoints(app) == ["unguarded.index"]
    # the before_request check still refuses anonymous visitors as a second line
    assert client_for(app).get("/unguarded/").status_code == 302


def test_every_page_but_login_needs_a_signed_in_user(all_app):
    client = client_for(all_app)
    urls = concrete_urls(all_app, "GET")
    assert len(urls) > 20
    for endpoint, url in urls:
        resp = client.get(url)
        if endpoint in ("auth.login", "healthz", "api_docs.docs", "api_docs.openapi_json"):
            assert resp.status_code == 200
        elif url.startswith("/api/"):  # API keys only: 401 problem, never the login page
            assert resp.status_code == 401, (endpoint, url, resp.status_code)
        else:
            assert resp.status_code == 302, (endpoint, url, resp.status_code)
            assert resp.headers["Location"].startswith("/login?next="), url


def test_every_post_without_csrf_token_gets_400(all_app):
    client = client_for(all_app, "admin")
    urls = concrete_urls(all_app, "POST")
    assert {"auth.login", "auth.logout", "admin.module_toggle", "admin.options", "masterdata.partner_edit",
            "masterdata.csv_import", "probe.act"} <= {e for e, _ in urls}
    # the one CSRF-exempt POST: a supplier's server has no token; its signature is checked instead
    signed_only = {"supplier_sync_webhook.webhook"}
    for endpoint, url in urls:
        resp = client.post(url, data={"anything": "1"}, csrf=False)
        if endpoint in signed_only:
            assert resp.status_code in (401, 404), (endpoint, url, resp.status_code)
            continue
        if url.startswith("/api/"):  # no CSRF there, and the signed-in session cookie counts for nothing
            assert resp.status_code == 401, (endpoint, url, resp.status_code)
            continue
        assert resp.status_code == 400, (endpoint, url, resp.status_code)
        assert b"Form expired" in resp.data
    # a wrong token is refused too
    resp = client.post("/admin/modules/probe/disable", data={"csrf_token": "forged"}, csrf=False)
    assert resp.status_code == 400
    assert client.get("/probe/").status_code == 200  # nothing was disabled


def test_session_cookie_is_httponly_and_samesite(client):
    resp = client.post("/login", data={"username": "admin", "password": PASSWORD})
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_failure_does_not_tell_name_from_password(client):
    pages = []
    for username, password in (("nobody", PASSWORD), ("admin", "wrong password")):
        resp = client.post("/login", data={"username": username, "password": password})
        assert resp.status_code == 200
        text = resp.get_data(as_text=True)
        pages.append(re.sub(r'value="[^"]*"', "", text))
        assert "Unknown user name or wrong password." in text
    assert pages[0] == pages[1]
    assert client.get("/").status_code == 302  # still signed out


def test_inactive_user_cannot_sign_in_and_loses_an_open_session(app, client, users):
    client.login("sales")
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.get(User, users["sales"]).active = False
        db.session.commit()
    assert client.get("/").status_code == 302
    resp = client.post("/login", data={"username": "sales", "password": PASSWORD})
    assert "Unknown user name or wrong password." in resp.get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/x", "/\\evil.example",
                                    "\\\\evil.example", "/\t/evil.example", "http:/evil.example", "evil"])
def test_next_cannot_leave_the_site(client, target):
    resp = client.post("/login?next=" + target.replace("\t", "%09"),
                       data={"username": "admin", "password": PASSWORD})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"
    assert safe_next(target) is None


def test_next_within_the_site_is_followed(client):
    resp = client.get("/items?q=bolt")
    assert resp.headers["Location"] == "/login?next=%2Fitems%3Fq%3Dbolt"
    resp = client.post("/login?next=/items?q%3Dbolt", data={"username": "readonly", "password": PASSWORD})
    assert resp.headers["Location"] == "/items?q=bolt"


def test_logout_signs_out(client):
    client.login("admin")
    resp = client.logout()
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_roles_are_checked_on_the_server(probe_app):
    readonly = client_for(probe_app, "readonly")
    assert readonly.get("/partners").status_code == 200
    assert readonly.get("/partners/new").status_code == 403
    assert readonly.post("/partners/new", data={"number": "X", "name": "X", "is_customer": "y"}).status_code == 403
    assert readonly.post("/probe/act").status_code == 403
    assert readonly.post("/stock/adjust", data={}).status_code == 403
    sales = client_for(probe_app, "sales")
    assert sales.post("/probe/act").status_code == 200
    assert sales.get("/admin/users").status_code == 403
    assert sales.get("/admin/modules").status_code == 403
    assert sales.post("/admin/modules/probe/disable").status_code == 403
    assert sales.get("/warehouses/new").status_code == 403
    purchasing = client_for(probe_app, "purchasing")
    assert purchasing.get("/items/new").status_code == 200
    assert purchasing.get("/admin/users/new").status_code == 403
    # the menu hides what the role cannot use
    assert "Modules" not in sales.get("/").get_data(as_text=True)


def test_user_admin_page(app, admin_client):
    page = admin_client.get("/admin/users").get_data(as_text=True)
    for role in ("admin", "sales", "purchasing", "readonly"):
        assert f">{role}</a>" in page
    resp = admin_client.post("/admin/users/new", data={"username": "sales", "role": "sales", "password": "12345678"})
    assert resp.status_code == 422 and "This user name is taken." in resp.get_data(as_text=True)
    resp = admin_client.post("/admin/users/new", data={"username": "newbie", "role": "sales", "password": "short"})
    assert resp.status_code == 422 and "Field must be between 8 and 200 characters long." in resp.get_data(as_text=True)
    resp = admin_client.post("/admin/users/new", data={"username": "newbie", "role": "sales", "active": "y",
                                                        "password": "long enough pw", "email": "n@example.com"})
    assert resp.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "newbie"))
        assert user.role == "sales" and user.password_hash != "long enough pw"
        uid, admin_id = user.id, db.session.scalar(sa.select(User.id).where(User.username == "admin"))
    resp = admin_client.post(f"/admin/users/{admin_id}", data={"username": "admin", "role": "sales", "active": "y"})
    assert resp.status_code == 422 and "You cannot remove your own administrator rights." in resp.get_data(as_text=True)
    admin_client.post(f"/admin/users/{uid}", data={"username": "newbie", "role": "readonly", "active": "y"})
    other = client_for(app)
    other.login("newbie", "long enough pw")  # the password was kept when left empty
    assert other.get("/partners").status_code == 200


def test_users_cli(app, runner):
    result = runner.invoke(args=["users", "ensure-admin"])
    assert result.exit_code == 0 and "user: admin   password: " in result.output
    password = re.search(r"password: (\S+)", result.output).group(1)
    assert "An administrator exists" in runner.invoke(args=["users", "ensure-admin"]).output
    result = runner.invoke(args=["users", "create", "carol", "--role", "purchasing", "--password", "s3cret-pass"])
    assert result.exit_code == 0 and "Created purchasing user carol" in result.output
    assert runner.invoke(args=["users", "create", "carol", "--password", "s3cret-pass"]).exit_code == 1
    assert "at least 8" in runner.invoke(args=["users", "create", "dave", "--password", "short"]).output
    result = runner.invoke(args=["users", "set-password", "carol"], input="another-pass\nanother-pass\n")
    assert result.exit_code == 0 and "Password of carol changed" in result.output
    assert runner.invoke(args=["users", "set-password", "nobody", "--password", "whatever1"]).exit_code == 1
    listing = runner.invoke(args=["users", "list"]).output
    assert "carol" in listing and "Purchasing" in listing and "Administrator" in listing
    client = client_for(app)
    client.login("carol", "another-pass")
    client.logout()
    client.login("admin", password)
