"""Supplier connectors: the contract, and the reference connector (JSON over HTTP).

A connector turns a vendor's :class:`~.models.SupplierConnection` (base URL, API key,
timeout: set by an administrator) into supplier orders. It never takes an address
from a notification: a notification only names a supplier order reference, which is
quoted into a path under the configured base URL (no SSRF, no path tricks).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from typing import Any, Protocol

from .models import SupplierConnection

MAX_RESPONSE_BYTES = 2 * 1024 * 1024


class ConnectorError(Exception):
    """The supplier could not be reached or answered something unusable (retried with backoff)."""


class Connector(Protocol):
    name: str
    title: str

    def fetch_order(self, conn: SupplierConnection, supplier_ref: str) -> dict[str, Any]:
        """One supplier order as a snapshot dict (see :mod:`.snapshot` for its shape)."""

    def orders_changed_since(self, conn: SupplierConnection, since: datetime | None) -> list[dict[str, Any]]:
        """``[{"order_ref": ..., "changed_at": ...}]`` for orders changed after ``since``."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # a redirect could lead anywhere: the configured base URL is the only address used
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, "redirects are not followed", headers, fp)


_OPENER = urllib.request.build_opener(_NoRedirect)


def check_base_url(url: str) -> str | None:
    """Why ``url`` cannot be a supplier base URL, or None when it can."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Enter an address starting with http:// or https://."
    if parts.query or parts.fragment or parts.username or parts.password:
        return "The address must not carry a query, a fragment or a password."
    return None


class HttpJsonConnector:
    """The reference connector: ``GET {base}/api/orders/{ref}``, ``GET {base}/api/orders?changed_since=``,
    ``POST {base}/api/orders``, ``GET {base}/api/catalog/{code}``; the API key in ``X-Api-Key``."""

    name = "http_json"
    title = "JSON over HTTP (reference)"

    def _url(self, conn: SupplierConnection, *parts: str, query: dict[str, str] | None = None) -> str:
        if check_base_url(conn.base_url or ""):
            raise ConnectorError("the vendor's supplier address is not set up")
        path = "/".join(urllib.parse.quote(p, safe="") for p in parts)
        url = conn.base_url.rstrip("/") + "/" + path
        return url + ("?" + urllib.parse.urlencode(query) if query else "")

    def _call(self, conn: SupplierConnection, method: str, url: str, body: Any = None,
              missing_ok: bool = False) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method, headers={
            "X-Api-Key": conn.api_key or "", "Accept": "application/json", "Content-Type": "application/json"})
        timeout = float(conn.timeout_seconds or 10)
        try:
            with _OPENER.open(req, timeout=timeout) as resp:
                raw = resp.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and missing_ok:
                return None
            raise ConnectorError(f"the supplier answered HTTP {exc.code}") from None
        except TimeoutError:
            raise ConnectorError(f"the supplier did not answer within {timeout:g} s") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise ConnectorError(f"the supplier did not answer within {timeout:g} s") from None
            raise ConnectorError(f"the supplier could not be reached ({reason})") from None
        if len(raw) > MAX_RESPONSE_BYTES:
            raise ConnectorError("the supplier's answer is too large")
        try:
            return json.loads(raw)
        except ValueError:
            raise ConnectorError("the supplier's answer is not JSON") from None

    def fetch_order(self, conn: SupplierConnection, supplier_ref: str) -> dict[str, Any]:
        result = self._call(conn, "GET", self._url(conn, "api", "orders", supplier_ref))
        if not isinstance(result, dict):
            raise ConnectorError("the supplier's order is not a JSON object")
        return result

    def orders_changed_since(self, conn: SupplierConnection, since: datetime | None) -> list[dict[str, Any]]:
        query = {"changed_since": since.isoformat() + "Z"} if since else None
        result = self._call(conn, "GET", self._url(conn, "api", "orders", query=query))
        orders = result.get("orders") if isinstance(result, dict) else None
        if not isinstance(orders, list):
            raise ConnectorError("the supplier's order list is not a JSON list")
        return [o for o in orders if isinstance(o, dict)]

    def submit_order(self, conn: SupplierConnection, order: dict[str, Any]) -> str:
        result = self._call(conn, "POST", self._url(conn, "api", "orders"), body=order)
        ref = result.get("order_ref") if isinstance(result, dict) else None
        if not isinstance(ref, str) or not ref:
            raise ConnectorError("the supplier did not return an order reference")
        return ref

    def lookup_item(self, conn: SupplierConnection, code: str) -> dict[str, Any] | None:
        result = self._call(conn, "GET", self._url(conn, "api", "catalog", code), missing_ok=True)
        if result is None:
            return None
        if not isinstance(result, dict):
            raise ConnectorError("the supplier's catalog answer is not a JSON object")
        return result


REFERENCE = HttpJsonConnector()
