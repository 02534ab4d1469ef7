"""Supplier sync fixtures: the simulator and OrderBridge, both real HTTP servers on loopback.

``sim`` is the supplier simulator (examples/supplier_sim) on a free port in a thread;
``ob`` serves a fresh app on the test database with werkzeug, so the simulator's
notifications reach the real webhook; ``wired`` connects demo vendor V2000 to the
simulator (base URL, API key, webhook secret, auto-sync on).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from supplier_sim import Simulator, serve  # importable: tests/supplier_sync/__init__.py
from supplier_sim.notify import signed

from core.db import db
from core.testing import LiveServer as OB  # OrderBridge served on loopback
from core.testing import serve_live

SECRET = "whsec_dGVzdC1zdXBwbGllci1zZWNyZXQtMDEyMzQ1Njc="
OLD_SECRET = "whsec_b2xkLXN1cHBsaWVyLXNlY3JldC0wMTIzNDU2Nzg="
API_KEY = "sim-key-1"


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
         raw: bytes | None = None, timeout: float = 30) -> tuple[int, Any]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            text = resp.read()
            code = resp.status
    except urllib.error.HTTPError as exc:
        text, code = exc.read(), exc.code
    try:
        return code, json.loads(text)
    except ValueError:
        return code, text


@dataclass
class SimHandle:
    sim: Simulator
    url: str

    def control(self, path: str, body: Any = None, method: str = "POST") -> Any:
        code, data = http(method, f"{self.url}/control/{path.lstrip('/')}", body if method == "POST" else None)
        assert code < 400, (path, code, data)
        return data

    @property
    def fetches(self) -> list[str]:
        return list(self.sim.store.fetches)


@pytest.fixture
def sim() -> Iterator[SimHandle]:
    simulator = Simulator(api_key=API_KEY, delay=2.5)
    server, thread = serve(simulator)
    yield SimHandle(simulator, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def ob(app_factory, app, users) -> Iterator[OB]:
    """OrderBridge on loopback; jobs run in Huey's immediate mode (at once, after the commit)."""
    with serve_live(app_factory()) as served:
        yield served


@dataclass
class Wired:
    sim: SimHandle
    ob: OB
    vendor_id: int
    webhook_url: str

    def post_notification(self, order_ref: str, *, secret: str = SECRET, msg_id: str | None = None,
                          when=None, raw: bytes | None = None, headers: dict | None = None) -> tuple[int, Any]:
        body, hdrs = signed(secret, {"type": "order.changed", "data": {"order_ref": order_ref}},
                            msg_id=msg_id, when=when)
        return http("POST", self.webhook_url, raw=raw if raw is not None else body, headers={**hdrs, **(headers or {})})


@pytest.fixture
def wired(app, demo, sim, ob) -> Wired:
    return wire(app, sim, ob)


def wire(app, sim: SimHandle, ob: OB) -> Wired:
    """Connect demo vendor V2000 to the simulator, auto-sync on; the simulator notifies ``ob``."""
    from core.models import Partner
    from plugins.supplier_sync.models import SupplierConnection

    with app.app_context():
        vendor_id = db.session.scalar(sa.select(Partner.id).where(Partner.number == "V2000"))
        db.session.add(SupplierConnection(vendor_id=vendor_id, connector="http_json", base_url=sim.url,
                                          api_key=API_KEY, webhook_secret=SECRET, timeout_seconds=1,
                                          auto_sync=True))
        db.session.commit()
    webhook_url = f"{ob.url}/supplier-sync/webhook/{vendor_id}"
    sim.control("config", {"webhook_url": webhook_url, "secret": SECRET})
    return Wired(sim, ob, vendor_id, webhook_url)
