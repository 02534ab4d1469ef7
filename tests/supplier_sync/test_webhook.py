"""The webhook over real HTTP: signatures, replay, size limit, rotation; nothing stored when refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from core.db import db
from plugins.supplier_sync.models import InboxMessage, SupplierConnection

from .conftest import OLD_SECRET, SECRET, http, signed
from .helpers import count

WRONG = "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC0wMDA="


def test_a_bad_signature_is_refused_and_nothing_stored(app, wired):
    code, body = wired.post_notification("SUP-1", secret=WRONG)
    assert code == 401 and "signature" in body["error"]
    # a body changed after signing fails too
    raw, headers = signed(SECRET, {"type": "order.changed", "data": {"order_ref": "SUP-1"}})
    code, _ = http("POST", wired.webhook_url, raw=raw.replace(b"SUP-1", b"SUP-2"), headers=headers)
    assert code == 401
    # no headers, garbage headers
    assert http("POST", wired.webhook_url, body={"data": {"order_ref": "SUP-1"}})[0] == 401
    code, _ = http("POST", wired.webhook_url, raw=raw, headers={**headers, "webhook-signature": "v1"})
    assert code == 401
    code, _ = http("POST", wired.webhook_url, raw=raw, headers={**headers, "webhook-timestamp": "soon"})
    assert code == 401
    with app.app_context():
        assert count(InboxMessage) == 0
    assert wired.sim.fetches == []


def test_a_stale_or_future_timestamp_is_refused(app, wired):
    old = datetime.now(UTC) - timedelta(minutes=6)
    assert wired.post_notification("SUP-1", when=old)[0] == 401
    future = datetime.now(UTC) + timedelta(minutes=6)
    assert wired.post_notification("SUP-1", when=future)[0] == 401
    # within the 5-minute tolerance it is accepted
    assert wired.post_notification("SUP-1", when=datetime.now(UTC) - timedelta(minutes=4))[0] == 202
    with app.app_context():
        assert count(InboxMessage) == 1


def test_a_replayed_webhook_id_answers_2xx_and_does_nothing(app, wired):
    raw, headers = signed(SECRET, {"type": "order.changed", "data": {"order_ref": "SUP-9"}}, msg_id="msg_replay")
    assert http("POST", wired.webhook_url, raw=raw, headers=headers)[0] == 202
    code, body = http("POST", wired.webhook_url, raw=raw, headers=headers)
    assert code == 200 and body["status"] == "duplicate"
    with app.app_context():
        assert count(InboxMessage) == 1
    assert wired.sim.fetches == ["SUP-9"]  # one pull (a 404 from the supplier: no such order)


def test_a_body_over_the_limit_is_refused_and_nothing_stored(app, wired):
    payload = {"type": "order.changed", "data": {"order_ref": "SUP-1"}, "pad": "x" * (65 * 1024)}
    raw, headers = signed(SECRET, payload)
    code, body = http("POST", wired.webhook_url, raw=raw, headers=headers)
    assert code == 413
    # no Content-Length to trust: the stream is cut at the limit all the same
    with app.app_context():
        assert count(InboxMessage) == 0


def test_both_secrets_are_accepted_during_a_rotation(app, wired):
    with app.app_context():
        conn = db.session.get(SupplierConnection, wired.vendor_id)
        conn.previous_webhook_secret = OLD_SECRET
        db.session.commit()
    assert wired.post_notification("SUP-1", secret=OLD_SECRET)[0] == 202
    assert wired.post_notification("SUP-2", secret=SECRET)[0] == 202
    assert wired.post_notification("SUP-3", secret=WRONG)[0] == 401
    with app.app_context():
        assert count(InboxMessage) == 2


def test_a_signed_body_without_an_order_reference_is_refused(app, wired):
    raw, headers = signed(SECRET, {"type": "order.changed", "data": {}})
    assert http("POST", wired.webhook_url, raw=raw, headers=headers)[0] == 400
    raw, headers = signed(SECRET, {"type": "order.changed", "data": {"order_ref": "x" * 61}})
    assert http("POST", wired.webhook_url, raw=raw, headers=headers)[0] == 400
    raw, headers = signed(SECRET, {"type": "order.changed", "data": {"order_ref": "SUP-1"}}, msg_id="m" * 121)
    assert http("POST", wired.webhook_url, raw=raw, headers=headers)[0] == 400
    with app.app_context():
        assert count(InboxMessage) == 0


def test_a_vendor_without_a_connection_has_no_webhook(app, wired):
    url = wired.webhook_url.rsplit("/", 1)[0] + "/999999"
    raw, headers = signed(SECRET, {"type": "order.changed", "data": {"order_ref": "SUP-1"}})
    assert http("POST", url, raw=raw, headers=headers)[0] == 404


def test_the_webhook_is_the_only_csrf_exempt_post_and_is_public(app, client):
    """A supplier's server has no session or CSRF token: the signature is the authentication."""
    from core.auth import is_guarded

    view = app.view_functions["supplier_sync_webhook.webhook"]
    assert is_guarded(view) and getattr(view, "_ob_public", False)
    resp = client.post("/supplier-sync/webhook/1", data=json.dumps({}), content_type="application/json",
                       csrf=False)
    assert resp.status_code == 404  # reached the view (no such connection), not a CSRF 400
    # its neighbours keep CSRF protection
    client.login("purchasing")
    assert client.post("/supplier-sync/po/1/refresh", csrf=False).status_code == 400
