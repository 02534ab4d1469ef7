"""The simulator's HTTP server (``http.server.ThreadingHTTPServer``) and its command.

Supplier API (what OrderBridge's reference connector calls; ``X-Api-Key`` checked):
  GET  /api/orders/<ref>                 one order snapshot
  GET  /api/orders?changed_since=<iso>   orders changed since a time
  POST /api/orders                       a buyer submits a purchase order
  GET  /api/catalog/<code>               the supplier's catalog

Control API (for tests and people; JSON in, JSON out; each change notifies the buyer):
  GET  /control/state                    orders, catalog, notifications sent, fetches
  POST /control/orders                   create an order (no buyer_po_number: placed directly)
  POST /control/orders/<ref>/lines       add a line (an item the buyer may not know)
  POST /control/orders/<ref>/lines/<n>   change qty / unit_price / required_date / status
  POST /control/orders/<ref>/lines/<n>/cancel
  POST /control/orders/<ref>/notify      resend {"times": 2, "webhook_id": ...}
  POST /control/orders/<ref>/pin         serve an older version {"version": 0, "fetches": 1}
  POST /control/catalog                  add a catalog item
  POST /control/fail                     {"mode": "500"|"timeout"|"garbage"|"malformed"|null, "count": n}
  POST /control/config                   {"webhook_url", "secret", "api_key", "delay"}
A person can use the page at ``/`` instead.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .notify import Notifier
from .store import BadRequest, Order, Store, iso

MAX_BODY = 1024 * 1024


class Simulator:
    """The state and settings one server serves."""

    def __init__(self, *, webhook_url: str | None = None, secret: str | None = None, api_key: str = "",
                 delay: float = 5.0, notify: bool = True):
        self.store = Store()
        self.notifier = Notifier(webhook_url, secret)
        self.api_key = api_key
        self.delay = delay  # how long the "timeout" failure keeps a request waiting
        self.auto_notify = notify

    def changed(self, order: Order, body: dict[str, Any]) -> dict[str, Any]:
        codes = []
        if self.auto_notify and body.get("notify", True):
            codes = self.notifier.send(order.order_ref, iso(order.changed_at))
        return {**order.snapshot(), "notified": codes}


class Handler(BaseHTTPRequestHandler):
    server_version = "SupplierSim/0.1"
    sim: Simulator  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
        if os.environ.get("SUPPLIER_SIM_VERBOSE"):
            super().log_message(format, *args)

    # -- plumbing ---------------------------------------------------------------------------

    def _send(self, code: int, payload: Any = None, *, raw: bytes | None = None,
              content_type: str = "application/json") -> None:
        data = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise BadRequest("body too large")
        raw = self.rfile.read(length) if length else b""
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise BadRequest("the body is not JSON") from None
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object")
        return body

    def _parts(self) -> tuple[list[str], dict[str, str]]:
        url = urllib.parse.urlsplit(self.path)
        parts = [urllib.parse.unquote(p) for p in url.path.strip("/").split("/") if p]
        return parts, {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except BadRequest as exc:
            self._send(400, {"error": str(exc)})
        except KeyError as exc:
            self._send(404, {"error": f"not found: {exc.args[0]}"})

    def do_GET(self) -> None:
        parts, query = self._parts()
        with self._errors():
            if parts[:1] == ["api"]:
                return self._api_get(parts[1:], query)
            if parts == ["control", "state"]:
                return self._send(200, self._state())
            if not parts:
                return self._send(200, raw=self._page().encode(), content_type="text/html; charset=utf-8")
            raise KeyError(self.path)

    def do_POST(self) -> None:
        parts, _query = self._parts()
        with self._errors():
            body = self._body()
            if parts == ["api", "orders"]:
                if self._api_refused():
                    return None
                order = self.sim.store.create_order(body.get("lines") or [], body.get("buyer_po_number"))
                return self._send(201, {"order_ref": order.order_ref})
            if parts[:1] == ["control"]:
                return self._control(parts[1:], body)
            if parts[:1] == ["ui"]:
                self._control(parts[1:], body, quiet=True)
                self.send_response(303)
                self.send_header("Location", "/")
                self.send_header("Content-Length", "0")
                return self.end_headers()
            raise KeyError(self.path)

    # -- supplier API -------------------------------------------------------------------------

    def _api_refused(self) -> bool:
        if self.sim.api_key and self.headers.get("X-Api-Key") != self.sim.api_key:
            self._send(401, {"error": "wrong API key"})
            return True
        failure = self.sim.store.take_failure()
        if failure == "500":
            self._send(500, {"error": "simulated failure"})
            return True
        if failure == "timeout":
            time.sleep(self.sim.delay)
        if failure == "garbage":
            self._send(200, raw=b"<html>definitely not JSON", content_type="text/html")
            return True
        if failure == "malformed":
            self._send(200, {"order_ref": None, "lines": "nope"})
            return True
        return False

    def _api_get(self, parts: list[str], query: dict[str, str]) -> None:
        if self._api_refused():
            return
        store = self.sim.store
        if parts == ["orders"]:
            raw = query.get("changed_since")
            since = datetime.fromisoformat(raw.replace("Z", "+00:00")).replace(tzinfo=None) if raw else None
            return self._send(200, {"orders": store.changed_since(since)})
        if len(parts) == 2 and parts[0] == "orders":
            return self._send(200, store.served_snapshot(parts[1]))
        if len(parts) == 2 and parts[0] == "catalog":
            item = store.catalog.get(parts[1])
            return self._send(200, item) if item else self._send(404, {"error": "not in the catalog"})
        raise KeyError(self.path)

    # -- control API --------------------------------------------------------------------------

    def _control(self, parts: list[str], body: dict[str, Any], quiet: bool = False) -> None:
        sim, store = self.sim, self.sim.store
        reply = self._send if not quiet else (lambda *_a, **_k: None)
        if parts == ["orders"]:
            order = store.create_order(body.get("lines") or [], body.get("buyer_po_number"), body.get("order_ref"))
            return reply(201, sim.changed(order, body))
        if len(parts) == 3 and parts[0] == "orders" and parts[2] == "lines":
            return reply(200, sim.changed(store.add_line(parts[1], body), body))
        if len(parts) == 4 and parts[0] == "orders" and parts[2] == "lines":
            return reply(200, sim.changed(store.change_line(parts[1], parts[3], body), body))
        if len(parts) == 5 and parts[0] == "orders" and parts[4] == "cancel":
            order = store.change_line(parts[1], parts[3], {"status": "cancelled"})
            return reply(200, sim.changed(order, body))
        if len(parts) == 3 and parts[0] == "orders" and parts[2] == "notify":
            order = store.order(parts[1])
            codes = sim.notifier.send(order.order_ref, iso(order.changed_at), msg_id=body.get("webhook_id"),
                                      times=int(body.get("times", 1)))
            return reply(200, {"notified": codes})
        if len(parts) == 3 and parts[0] == "orders" and parts[2] == "pin":
            store.pin_version(parts[1], int(body.get("version", 0)), int(body.get("fetches", 1)))
            return reply(200, {"pinned": parts[1]})
        if parts == ["catalog"]:
            if not body.get("code"):
                raise BadRequest("a catalog item needs a code")
            store.catalog[str(body["code"])] = {k: str(v) for k, v in body.items()}
            return reply(201, store.catalog[str(body["code"])])
        if parts == ["fail"]:
            store.set_fail(body.get("mode") or None, int(body.get("count", 1)))
            return reply(200, {"mode": store.fail_mode, "count": store.fail_remaining})
        if parts == ["config"]:
            for key in ("webhook_url", "secret"):
                if key in body:
                    setattr(sim.notifier, key, body[key])
            sim.api_key = body.get("api_key", sim.api_key)
            sim.delay = float(body.get("delay", sim.delay))
            return reply(200, {"ok": True})
        raise KeyError(self.path)

    def _state(self) -> dict[str, Any]:
        store = self.sim.store
        with store.lock:
            return {"orders": [o.snapshot() for o in store.orders.values()], "catalog": store.catalog,
                    "notifications": list(self.sim.notifier.sent), "fetches": list(store.fetches)}

    def _page(self) -> str:
        """A plain page for a person: every order, a form per line, a form to add a line."""
        e = html.escape
        rows = []
        for o in self._state()["orders"]:
            ref = e(o["order_ref"])
            rows.append(f"<h2>Order {ref} <small>for PO {e(o['buyer_po_number'] or '(placed directly)')}; "
                        f"changed {e(o['changed_at'])}</small></h2><table><tr><th>Line</th><th>Item</th>"
                        "<th>Quantity</th><th>Price</th><th>Date</th><th>Status</th><th></th></tr>")
            for ln in o["lines"]:
                lr = e(ln["line_ref"])
                status = "".join(f"<option{' selected' if s == ln['status'] else ''}>{s}</option>"
                                 for s in ("accepted", "back_ordered", "rejected", "cancelled"))
                rows.append(
                    f"<tr><form method='post' action='/ui/orders/{ref}/lines/{lr}'><td>{lr}</td>"
                    f"<td>{e(ln['item_code'])}</td><td><input name='qty' value='{e(ln['qty'])}' size='6'></td>"
                    f"<td><input name='unit_price' value='{e(ln['unit_price'])}' size='8'></td>"
                    f"<td><input name='required_date' value='{e(ln['required_date'] or '')}' size='10'></td>"
                    f"<td><select name='status'>{status}</select></td><td><button>Change</button></td></form></tr>")
            rows.append(f"</table><form method='post' action='/ui/orders/{ref}/lines'>Add line: item "
                        "<input name='item_code' size='10'> qty <input name='qty' size='5'> price "
                        "<input name='unit_price' size='7'> <button>Add</button></form>")
        return ("<!doctype html><title>Supplier simulator</title><h1>Supplier simulator</h1>"
                "<p>Each change sends a signed notification to OrderBridge.</p>" + "".join(rows))


def serve(sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Start a server in a daemon thread; ``server.server_port`` is the port (0: any free one)."""
    handler = type("SimHandler", (Handler,), {"sim": sim})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="supplier-sim", daemon=True)
    thread.start()
    return server, thread


def demo_orders(sim: Simulator) -> None:
    """The demo: supplier order SUP-1 for OrderBridge's first demo PO, and a catalog item."""
    sim.store.create_order([
        {"line_ref": "1", "item_code": "NW-B10", "description": "Hex bolt M10 (box of 50)", "qty": "500",
         "unit_price": "4.20", "required_date": None},
        {"line_ref": "2", "item_code": "DRILL-18V", "description": "Cordless drill 18V", "qty": "10",
         "unit_price": "61.00", "required_date": None},
    ], buyer_po_number="0000001", order_ref="SUP-1")
    sim.store.catalog["NW-SAW"] = {"code": "SAW-HAND", "description": "Hand saw 22in", "uom": "EA",
                                   "unit_cost": "11.50", "list_price": "19.90"}


# what `orderbridge demo` wires vendor V2000 (id 4 in a fresh demo database) with:
# plugins/supplier_sync/demo.py holds the same values
DEMO = {"api_key": "demo-key", "secret": "whsec_ZGVtby1zdXBwbGllci1zZWNyZXQtMDAwMDAw",
        "webhook_url": "http://127.0.0.1:5000/supplier-sync/webhook/4"}


def main(argv: list[str] | None = None) -> None:
    env = os.environ.get
    p = argparse.ArgumentParser(prog="supplier-sim", description=__doc__.split("\n")[0])
    p.add_argument("--host", default=env("SUPPLIER_SIM_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(env("SUPPLIER_SIM_PORT", "5050")))
    p.add_argument("--webhook-url", default=env("SUPPLIER_SIM_WEBHOOK_URL"),
                   help="OrderBridge's webhook address for this vendor (…/supplier-sync/webhook/<vendor id>)")
    p.add_argument("--secret", default=env("SUPPLIER_SIM_SECRET"), help="the webhook signing secret (whsec_…)")
    p.add_argument("--api-key", default=env("SUPPLIER_SIM_API_KEY", ""))
    p.add_argument("--demo", action="store_true",
                   help="start with the demo orders and catalog, wired to `make run`'s demo vendor V2000")
    args = p.parse_args(argv)
    if args.demo:
        for key, value in DEMO.items():
            if not getattr(args, key):
                setattr(args, key, value)
    sim = Simulator(webhook_url=args.webhook_url, secret=args.secret, api_key=args.api_key)
    if args.demo:
        demo_orders(sim)
    server, thread = serve(sim, args.host, args.port)
    print(f"supplier simulator on http://{args.host}:{server.server_port}/", flush=True)
    try:
        thread.join()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
