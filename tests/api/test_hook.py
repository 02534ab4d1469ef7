"""The ``api_blueprints`` hook: a plugin's resources are served, documented and switched off with it."""

from __future__ import annotations

import pytest

from core.db import db


@pytest.fixture
def probe_app(install_plugins, app_factory, app, users):
    install_plugins(probe_api="tests.api.probe_api")
    papp = app_factory()
    from core.api.keys import create_key
    from core.models import User

    with papp.app_context():
        _row, key = create_key(db.session.get(User, users["sales"]), "probe", None)
        db.session.commit()
    return papp, {"Authorization": f"Bearer {key}"}


def test_hook_api_blueprints(probe_app):
    papp, headers = probe_app
    c = papp.test_client()
    assert c.get("/api/v1/probe", headers=headers).get_json() == {"said": "hello from the probe"}
    doc = c.get("/api/v1/openapi.json").get_json()
    assert doc["paths"]["/api/v1/probe"]["get"]["x-access"] == {"roles": ["sales"]}
    assert papp.extensions["orderbridge"].blueprint_owner["api_probe"] == "probe_api"
    with papp.app_context():
        papp.extensions["orderbridge"].set_enabled("probe_api", False)
    resp = c.get("/api/v1/probe", headers=headers)
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
    assert "/api/v1/probe" not in c.get("/api/v1/openapi.json").get_json()["paths"]


def test_a_failing_api_hook_fails_only_its_plugin(install_plugins, app_factory, app, monkeypatch):
    import tests.api.probe_api as probe

    def broken():
        raise RuntimeError("no API today")

    monkeypatch.setattr(probe, "api_blueprints", probe.hookimpl(broken))
    install_plugins(probe_api="tests.api.probe_api")
    papp = app_factory()
    host = papp.extensions["orderbridge"]
    assert "no API today" in host.failed["probe_api"]
    assert papp.test_client().get("/api/v1/openapi.json").status_code == 200
