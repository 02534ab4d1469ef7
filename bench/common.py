"""What the benchmarks share: a freshly migrated app and the records every bench starts from.

Imported by the scripts beside it (``python bench/save.py`` puts ``bench/`` on ``sys.path``);
each script puts the checkout it measures on ``sys.path`` before importing this.
"""

from __future__ import annotations

import http.client
import os
import tempfile
from email.message import Message
from typing import Any
from urllib.parse import urlencode

BENCH_USER = "bench"


def fresh_app(database_url: str = "") -> Any:
    """An app on ``database_url`` (a new SQLite file when empty), emptied and migrated."""
    from core.db import db
    from core.migrate import upgrade_all
    from core.plugins import host_of
    from core.testing import make_app

    url = database_url or f"sqlite:///{tempfile.mkdtemp(prefix='ob-bench-')}/bench.db"
    os.environ.setdefault("ORDERBRIDGE_INSTANCE", tempfile.mkdtemp(prefix="ob-bench-inst-"))
    app = make_app(SQLALCHEMY_DATABASE_URI=url, SERVER_NAME=None, TESTING=False)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade_all(host_of(app))
    return app


def add_user_warehouse_vendors(session: Any, vendors: int, username: str = BENCH_USER) -> int:
    """The bench's administrator, one warehouse MAIN and ``vendors`` vendors; returns the warehouse id."""
    import sqlalchemy as sa

    from core.models import Partner, User, Warehouse
    from core.testing import PASSWORD

    user = User(username=username, role="admin", full_name="Benchmark", email="bench@example.com")
    user.set_password(PASSWORD)
    session.add(user)
    session.execute(sa.insert(Warehouse), [dict(code="MAIN", name="Main", address="1 Depot Road")])
    session.execute(sa.insert(Partner), [dict(number=f"V{i:05d}", name=f"Vendor {i}", is_vendor=True)
                                         for i in range(vendors)])
    return session.scalar(sa.select(Warehouse.id))


def http_request(port: int, cookies: dict[str, str], method: str, path: str,
                 form: dict | None = None) -> tuple[int, bytes, Message]:
    """One request to 127.0.0.1:``port`` on a new connection, as a browser with the cookie jar
    ``cookies`` (kept up to date from Set-Cookie); ``form`` is posted url-encoded.
    Returns (status, body, response headers)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        body = None
        if form is not None:
            body, headers["Content-Type"] = urlencode(form), "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        for header in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, data, resp.headers
    finally:
        conn.close()
