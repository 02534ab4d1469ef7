"""Scale-out pieces: the health endpoint for load balancers and long-cached, versioned static files."""

from __future__ import annotations

import re

from core.testing import client_of


def test_healthz_is_public_and_checks_the_database_with_one_query(app, count_queries):
    client = client_of(app)  # not signed in
    with count_queries() as n:
        resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": "ok"}
    assert n.count == 1


def test_healthz_answers_503_when_the_database_is_unreachable(app_factory, tmp_path):
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing-dir/none.db")
    resp = client_of(app).get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json() == {"status": "error", "database": "unreachable"}


def test_static_urls_carry_a_content_version_and_are_cached_a_year(app, users):
    client = client_of(app)
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'href="(/static/app\.css\?v=([0-9a-f]{12}))"', page)
    assert match, page[:600]
    resp = client.get(match.group(1))
    assert resp.status_code == 200
    assert resp.cache_control.max_age == 365 * 24 * 3600 and resp.cache_control.public
    assert "immutable" in resp.headers["Cache-Control"]
    # without a version (an old bookmark, a hand-typed URL) the file may change: one hour only
    plain = client.get("/static/app.css")
    assert plain.cache_control.max_age == 3600 and "immutable" not in plain.headers["Cache-Control"]
