"""API keys: made on the user's page, shown once, hashed, expiring, revocable, rate limited."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from core.db import db

PROBLEM = "application/problem+json"


def _make_key_on_page(client, name="web shop", days="30") -> str:
    resp = client.post("/account/api-keys", data={"name": name, "expires_days": days})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return re.search(r"<code data-api-key>([^<]+)</code>", resp.get_data(as_text=True)).group(1)


def test_key_made_on_the_users_page_is_shown_once_stored_hashed_and_acts_as_the_user(app, client_for):
    from core.api.models import ApiKey

    page = client_for("sales")
    key = _make_key_on_page(page)
    assert key.startswith("ob_")
    assert key not in page.get("/account/api-keys").get_data(as_text=True)  # shown once
    with app.app_context():
        row = db.session.scalar(sa.select(ApiKey))
        assert row.key_hash != key and key not in row.key_hash and len(row.key_hash) == 64
        assert row.user.username == "sales" and row.last_used_at is None
    api = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    assert api.get("/api/v1/partners", headers=headers).status_code == 200
    # the key has the sales role: an administrator's write is refused like on the page
    resp = api.patch("/api/v1/options/core", json={"values": {"company_name": "X"}}, headers=headers)
    assert resp.status_code == 403 and resp.mimetype == PROBLEM
    listing = page.get("/account/api-keys").get_data(as_text=True)
    assert "web shop" in listing and "never</td><td>active" not in listing  # last use is shown
    with app.app_context():
        assert db.session.scalar(sa.select(ApiKey.last_used_at)) is not None


def test_revoked_expired_wrong_and_deactivated_keys_get_401(app, client_for, users):
    from core.api.models import ApiKey
    from core.models import User, utcnow

    page = client_for("purchasing")
    key = _make_key_on_page(page)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    assert api.get("/api/v1/items", headers=headers).status_code == 200
    for bad in (key[:-1] + ("A" if key[-1] != "A" else "B"), "ob_nothing", "", "Basic abc"):
        resp = api.get("/api/v1/items", headers={"Authorization": f"Bearer {bad}" if bad else ""})
        assert resp.status_code == 401 and resp.mimetype == PROBLEM
    with app.app_context():
        row = db.session.scalar(sa.select(ApiKey))
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert api.get("/api/v1/items", headers=headers).status_code == 401
    with app.app_context():
        row = db.session.scalar(sa.select(ApiKey))
        row.expires_at = None
        db.session.get(User, users["purchasing"]).active = False
        db.session.commit()
    assert api.get("/api/v1/items", headers=headers).status_code == 401
    with app.app_context():
        db.session.get(User, users["purchasing"]).active = True
        db.session.commit()
    assert api.get("/api/v1/items", headers=headers).status_code == 200
    key_id = page.get("/account/api-keys").get_data(as_text=True).split("/account/api-keys/")[1].split("/")[0]
    assert page.post(f"/account/api-keys/{key_id}/revoke").status_code == 302
    assert api.get("/api/v1/items", headers=headers).status_code == 401
    # another user cannot revoke someone else's key
    other = client_for("sales")
    assert other.post(f"/account/api-keys/{key_id}/revoke").status_code == 404


def test_key_page_refuses_bad_input_in_the_forms_words(client_for):
    page = client_for("readonly")
    resp = page.post("/account/api-keys", data={"name": "", "expires_days": "²"})
    assert resp.status_code == 422
    assert "Enter a whole number." in resp.get_data(as_text=True)


def test_session_cookie_does_not_sign_in_under_api(client_for):
    browser = client_for("admin")
    assert browser.get("/partners").status_code == 200
    resp = browser.get("/api/v1/partners")
    assert resp.status_code == 401 and resp.mimetype == PROBLEM
    assert "Set-Cookie" not in resp.headers


def test_rate_limit_per_key_answers_429_with_retry_after(app_factory, app, users, api_keys):
    limited = app_factory(API_RATE_LIMIT="3 per minute")
    c = limited.test_client()
    sales = {"Authorization": f"Bearer {api_keys['sales']}"}
    other = {"Authorization": f"Bearer {api_keys['readonly']}"}
    codes = [c.get("/api/v1/warehouses", headers=sales).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    resp = c.get("/api/v1/warehouses", headers=sales)
    assert resp.status_code == 429 and resp.mimetype == PROBLEM
    assert 1 <= int(resp.headers["Retry-After"]) <= 61
    assert c.get("/api/v1/warehouses", headers=other).status_code == 200  # a counter per key


def test_cors_is_off_unless_configured(app_factory, app, users, api_keys):
    headers = {"Authorization": f"Bearer {api_keys['sales']}", "Origin": "https://shop.example"}
    plain = app.test_client().get("/api/v1/warehouses", headers=headers)
    assert plain.status_code == 200 and "Access-Control-Allow-Origin" not in plain.headers
    pre = app.test_client().options("/api/v1/warehouses", headers={"Origin": "https://shop.example",
                                                                   "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in pre.headers
    open_app = app_factory(API_CORS_ORIGINS=["https://shop.example"])
    resp = open_app.test_client().get("/api/v1/warehouses", headers=headers)
    assert resp.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    pre = open_app.test_client().options("/api/v1/warehouses", headers={"Origin": "https://shop.example",
                                                                        "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204 and "Authorization" in pre.headers["Access-Control-Allow-Headers"]
    other = open_app.test_client().get("/api/v1/warehouses", headers={**headers, "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
