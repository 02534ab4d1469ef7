"""API test helpers: a key per role (``api_headers("sales")``), and a JSON client without cookies."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.db import db
from tests.email_templates.conftest import mail_app, smtp_server  # noqa: F401 - fixtures of the plugin resources
from tests.po_allocation.conftest import pa  # noqa: F401


@pytest.fixture
def api_keys(app, users) -> dict[str, str]:
    """One API key per role (made through the service the API keys page calls)."""
    from core.api.keys import create_key
    from core.models import User

    keys = {}
    with app.app_context():
        for role, user_id in users.items():
            _row, keys[role] = create_key(db.session.get(User, user_id), f"{role} key", 30)
        db.session.commit()
    return keys


@pytest.fixture
def api_headers(api_keys) -> Callable[[str], dict[str, str]]:
    def make(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_keys[role]}"}

    return make


@pytest.fixture
def api(app, api_headers):
    """``api("sales").post(path, json=...)``: a fresh test client sending that role's key."""

    class _Api:
        def __init__(self, role: str | None):
            self.client = app.test_client()
            self.headers = api_headers(role) if role else {}

        def __getattr__(self, method: str):
            def call(path: str, **kwargs):
                headers = {**self.headers, **kwargs.pop("headers", {})}
                return getattr(self.client, method)(path, headers=headers, **kwargs)

            return call

    return _Api


@pytest.fixture
def answers_404_when_off(api, disable_plugins):
    """``answers_404_when_off("po_allocation", "/api/v1/back-orders", [("get", path), ...])``:
    switch the plugin off; each call answers 404 problem+json and its paths leave the document."""

    def check(plugin: str, prefix: str, calls: list[tuple[str, str]]) -> None:
        admin = api("admin")
        assert any(p.startswith(prefix) for p in admin.get("/api/v1/openapi.json").get_json()["paths"])
        disable_plugins(plugin)
        for method, path in calls:
            resp = getattr(admin, method)(path, **({"json": {}} if method != "get" else {}))
            assert resp.status_code == 404 and resp.mimetype == "application/problem+json", (method, path)
        paths = admin.get("/api/v1/openapi.json").get_json()["paths"]
        assert not [p for p in paths if p.startswith(prefix)]

    return check
