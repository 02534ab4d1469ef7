"""The API framework: the OpenAPI document, the docs page, problem+json errors, keys at the door."""

from __future__ import annotations

PROBLEM = "application/problem+json"


def test_openapi_document_is_3_1_and_public(app, client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["openapi"] == "3.1.0"
    assert "/api/v1/partners" in doc["paths"]
    assert doc["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_docs_page_renders_the_document_without_cdn(app, client):
    resp = client.get("/api/v1/docs")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "/api/v1/partners" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_anonymous_gets_401_problem(app, users, api):
    resp = api(None).get("/api/v1/partners")
    assert resp.status_code == 401
    assert resp.mimetype == PROBLEM
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert resp.get_json()["status"] == 401


def test_unknown_path_and_method_are_problems(app, api):
    resp = api("readonly").get("/api/v1/no-such-thing")
    assert resp.status_code == 404 and resp.mimetype == PROBLEM
    resp = api("readonly").delete("/api/v1/partners")
    assert resp.status_code == 405 and resp.mimetype == PROBLEM


def test_key_lists_partners(app, demo, api):
    resp = api("readonly").get("/api/v1/partners?kind=vendor&limit=2")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert len(body["items"]) == 2 and all(p["is_vendor"] for p in body["items"])
    assert body["next_page"] == 2
    assert "Set-Cookie" not in resp.headers
