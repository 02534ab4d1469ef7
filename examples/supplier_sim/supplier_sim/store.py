"""The simulator's state: orders with their versions, a catalog, failure modes (thread-safe)."""

from __future__ import annotations

import copy
import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

STATUSES = ("accepted", "back_ordered", "rejected", "cancelled")
FAIL_MODES = ("500", "timeout", "garbage", "malformed")


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Order:
    order_ref: str
    buyer_po_number: str | None
    lines: list[dict[str, Any]]
    changed_at: datetime
    versions: list[dict[str, Any]] = field(default_factory=list)  # every snapshot served so far

    def snapshot(self) -> dict[str, Any]:
        return {"order_ref": self.order_ref, "buyer_po_number": self.buyer_po_number,
                "changed_at": iso(self.changed_at), "lines": copy.deepcopy(self.lines)}


class BadRequest(Exception):
    pass


def _line(raw: dict[str, Any], line_ref: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or not raw.get("item_code"):
        raise BadRequest("a line needs an item_code")
    status = raw.get("status", "accepted")
    if status not in STATUSES:
        raise BadRequest(f"status must be one of {', '.join(STATUSES)}")
    return {"line_ref": str(raw.get("line_ref") or line_ref), "item_code": str(raw["item_code"]),
            "description": str(raw.get("description", "")), "qty": str(raw.get("qty", "1")),
            "unit_price": str(raw.get("unit_price", "0")), "required_date": raw.get("required_date"),
            "status": status}


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.orders: dict[str, Order] = {}
        self.catalog: dict[str, dict[str, Any]] = {}
        self.fail_mode: str | None = None
        self.fail_remaining = 0
        self.pinned: dict[str, tuple[int, int]] = {}  # ref -> (version index, fetches left)
        self.fetches: list[str] = []  # every order fetched through the API
        self._refs = itertools.count(5001)
        self._last = datetime.now(UTC).replace(tzinfo=None)

    def _tick(self) -> datetime:
        """Change times strictly increase, even within one clock tick."""
        now = datetime.now(UTC).replace(tzinfo=None)
        self._last = max(now, self._last + timedelta(microseconds=1))
        return self._last

    def _changed(self, order: Order) -> None:
        order.changed_at = self._tick()
        order.versions.append(order.snapshot())

    # -- changes ------------------------------------------------------------------------------

    def create_order(self, lines: list[dict[str, Any]], buyer_po_number: str | None = None,
                     order_ref: str | None = None) -> Order:
        with self.lock:
            ref = order_ref or f"SUP-{next(self._refs)}"
            if ref in self.orders:
                raise BadRequest(f"order {ref} exists")
            parsed = [_line(raw, str(n)) for n, raw in enumerate(lines or [], start=1)]
            order = Order(ref, buyer_po_number or None, parsed, self._tick())
            order.versions.append(order.snapshot())
            self.orders[ref] = order
            return order

    def order(self, ref: str) -> Order:
        order = self.orders.get(ref)
        if order is None:
            raise KeyError(ref)
        return order

    def change_line(self, ref: str, line_ref: str, changes: dict[str, Any]) -> Order:
        with self.lock:
            order = self.order(ref)
            line = next((ln for ln in order.lines if ln["line_ref"] == line_ref), None)
            if line is None:
                raise KeyError(f"{ref}/{line_ref}")
            for key in ("qty", "unit_price", "required_date", "status", "description", "item_code"):
                if key in changes:
                    line[key] = changes[key] if key == "required_date" else str(changes[key])
            if line["status"] not in STATUSES:
                raise BadRequest(f"status must be one of {', '.join(STATUSES)}")
            self._changed(order)
            return order

    def add_line(self, ref: str, raw: dict[str, Any]) -> Order:
        with self.lock:
            order = self.order(ref)
            used = {ln["line_ref"] for ln in order.lines}
            n = len(order.lines) + 1
            while str(n) in used:
                n += 1
            order.lines.append(_line(raw, str(n)))
            self._changed(order)
            return order

    def set_fail(self, mode: str | None, count: int) -> None:
        if mode is not None and mode not in FAIL_MODES:
            raise BadRequest(f"mode must be one of {', '.join(FAIL_MODES)} or null")
        with self.lock:
            self.fail_mode, self.fail_remaining = mode, count

    def take_failure(self) -> str | None:
        with self.lock:
            if self.fail_mode and self.fail_remaining > 0:
                self.fail_remaining -= 1
                return self.fail_mode
            return None

    def pin_version(self, ref: str, version: int, fetches: int) -> None:
        with self.lock:
            order = self.order(ref)
            if not 0 <= version < len(order.versions):
                raise BadRequest(f"order {ref} has versions 0..{len(order.versions) - 1}")
            self.pinned[ref] = (version, fetches)

    def served_snapshot(self, ref: str) -> dict[str, Any]:
        """The current snapshot, or a pinned older one (a lagging replica: out-of-order answers)."""
        with self.lock:
            self.fetches.append(ref)
            order = self.order(ref)
            pin = self.pinned.get(ref)
            if pin:
                version, left = pin
                if left <= 1:
                    del self.pinned[ref]
                else:
                    self.pinned[ref] = (version, left - 1)
                return copy.deepcopy(order.versions[version])
            return order.snapshot()

    def changed_since(self, since: datetime | None) -> list[dict[str, str]]:
        with self.lock:
            return [{"order_ref": o.order_ref, "changed_at": iso(o.changed_at)} for o in self.orders.values()
                    if since is None or o.changed_at > since]
