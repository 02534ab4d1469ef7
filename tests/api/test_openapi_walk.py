"""A walk over the OpenAPI document, like the URL-map walk for pages: every operation is
declared public or guarded; anonymous callers get 401 and a role that may not, 403."""

from __future__ import annotations

import re

from core.auth import is_guarded

ROLES = ("readonly", "sales", "purchasing")
# every plugin's resources are walked: po_allocation is off by default
PLUGIN_PATHS = ("/api/v1/pending-emails", "/api/v1/back-orders/links", "/api/v1/supplier-notifications")


def _operations(doc):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, op


def test_every_operation_is_public_or_guarded(app, client, enable_plugins):
    enable_plugins("po_allocation")
    doc = client.get("/api/v1/openapi.json").get_json()
    ops = list(_operations(doc))
    assert len(ops) >= 40 and all(path in doc["paths"] for path in PLUGIN_PATHS)
    views = {(re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", r.rule), m.lower()): app.view_functions[r.endpoint]
             for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1") for m in r.methods}
    for path, method, op in ops:
        view = views[(path, method)]
        assert is_guarded(view), (method, path)
        assert op["x-access"] == "public" or op["x-access"]["roles"], (method, path)
        assert op["security"] == ([] if op["x-access"] == "public" else [{"apiKey": []}])
        response = op["responses"]["422"]
        if "$ref" in response:
            response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        assert list(response["content"]) == ["application/problem+json"], (method, path)


def test_anonymous_401_and_wrong_role_403_for_every_operation(app, api, enable_plugins):
    enable_plugins("po_allocation")
    anonymous = api(None)
    doc = anonymous.get("/api/v1/openapi.json").get_json()
    assert all(path in doc["paths"] for path in PLUGIN_PATHS)
    clients = {role: api(role) for role in ROLES}
    refused = 0
    for path, method, op in _operations(doc):
        url = re.sub(r"\{[^}]+\}", "1", path).replace("/options/1", "/options/core")
        kwargs = {"json": {}} if method != "get" else {}
        resp = getattr(anonymous, method)(url, **kwargs)
        if op["x-access"] == "public":
            assert resp.status_code == 200, (method, path)
            continue
        assert resp.status_code == 401 and resp.mimetype == "application/problem+json", (method, path)
        roles = op["x-access"]["roles"]
        for role in ROLES:
            if role in roles or roles == ["any signed-in user"]:
                continue
            resp = getattr(clients[role], method)(url, **kwargs)
            assert resp.status_code == 403 and resp.mimetype == "application/problem+json", (method, path, role)
            refused += 1
    assert refused > 20
