"""Signed change notifications (Standard Webhooks) sent to the buyer's webhook."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook


def signed(secret: str, payload: dict[str, Any], *, msg_id: str | None = None,
           when: datetime | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and the three Standard Webhooks headers for ``payload``."""
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    when = when or datetime.now(UTC)
    body = json.dumps(payload, separators=(",", ":"))
    signature = Webhook(secret).sign(msg_id, when, body)
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(int(when.timestamp())),
               "webhook-signature": signature, "content-type": "application/json"}
    return body.encode(), headers


class Notifier:
    def __init__(self, webhook_url: str | None, secret: str | None, timeout: float = 30.0):
        self.webhook_url, self.secret, self.timeout = webhook_url, secret, timeout
        self.sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def payload(self, order_ref: str, changed_at: str) -> dict[str, Any]:
        return {"type": "order.changed", "timestamp": datetime.now(UTC).isoformat(),
                "data": {"order_ref": order_ref, "changed_at": changed_at}}

    def send(self, order_ref: str, changed_at: str, *, msg_id: str | None = None, times: int = 1) -> list[int]:
        """Deliver one notification ``times`` times (same webhook-id: a resent delivery)."""
        if not (self.webhook_url and self.secret):
            return []
        body, headers = signed(self.secret, self.payload(order_ref, changed_at), msg_id=msg_id)
        codes = []
        for _ in range(times):
            req = urllib.request.Request(self.webhook_url, data=body, method="POST", headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    code = resp.status
            except urllib.error.HTTPError as exc:
                code = exc.code
            except OSError:
                code = 0
            codes.append(code)
            with self._lock:
                self.sent.append({"webhook_id": headers["webhook-id"], "order_ref": order_ref, "status": code})
        return codes
