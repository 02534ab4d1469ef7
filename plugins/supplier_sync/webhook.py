"""The per-vendor webhook: Standard Webhooks signatures, a size limit, the inbox, an answer at once.

This is the only POST without a CSRF token (a supplier's server cannot have one) and the
only public endpoint besides sign-in: the signature is its authentication.
"""

from __future__ import annotations

import binascii
import json
from datetime import UTC, datetime

from flask import Blueprint, jsonify, request
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from core import csrf
from core.auth import public
from core.db import db

from . import jobs, sync
from .models import SupplierConnection
from .options import options

bp = Blueprint("supplier_sync_webhook", __name__)


class Refused(Exception):
    def __init__(self, status: int, message: str):
        self.status, self.message = status, message
        super().__init__(message)


def verify(body: bytes, headers: dict[str, str], secrets: list[str]) -> dict:
    """The notification's JSON when one of ``secrets`` signed it within 5 minutes; else Refused.

    Two secrets are tried during a rotation (the new one and the one being retired).
    """
    last = "no webhook secret is set up for this vendor"
    for secret in [s for s in secrets if s]:
        try:
            Webhook(secret).verify(body, headers, json_parse=False)
        except WebhookVerificationError as exc:
            last = str(exc)
            continue
        except (ValueError, binascii.Error, UnicodeDecodeError):
            last = "malformed signature headers"
            continue
        try:
            payload = json.loads(body)
        except ValueError:
            raise Refused(400, "the body is not JSON") from None
        if not isinstance(payload, dict):
            raise Refused(400, "the body is not a JSON object")
        return payload
    raise Refused(401, f"signature not accepted: {last}")


def supplier_ref_of(payload: dict) -> str:
    data = payload.get("data")
    ref = data.get("order_ref") if isinstance(data, dict) else None
    if not isinstance(ref, str) or not ref.strip() or len(ref) > 60 or "\x00" in ref:
        raise Refused(400, "data.order_ref is missing or not a supplier order reference")
    return ref.strip()


def _read_body(limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise Refused(413, f"the notification is larger than {limit // 1024} KB")
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise Refused(413, f"the notification is larger than {limit // 1024} KB")
    return body


@bp.route("/supplier-sync/webhook/<int:vendor_id>", methods=["POST"])
@csrf.exempt
@public
def webhook(vendor_id: int):
    try:
        body = _read_body(options.max_body_kb * 1024)
        conn = db.session.get(SupplierConnection, vendor_id)
        if conn is None:
            raise Refused(404, "no supplier connection for this vendor")
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower().startswith("webhook-")}
        payload = verify(body, headers, [conn.webhook_secret, conn.previous_webhook_secret])
        ref = supplier_ref_of(payload)
        webhook_id = headers["webhook-id"]
        if len(webhook_id) > 120:  # cutting it could make two ids one: refuse instead
            raise Refused(400, "webhook-id is longer than 120 characters")
        sent_at = datetime.fromtimestamp(float(headers["webhook-timestamp"]), UTC).replace(tzinfo=None)
    except Refused as exc:
        return jsonify(error=exc.message), exc.status
    inbox_id = sync.record_notification(vendor_id, webhook_id, sent_at, ref)
    if inbox_id is None:
        return jsonify(status="duplicate"), 200
    jobs.enqueue_pull(inbox_id)
    return jsonify(status="accepted", id=inbox_id), 202
