"""``Idempotency-Key`` on writes: the same key and body within 24 hours get the first answer.

The key's row (unique on user and key) is inserted at the start of the request, in the
request's own transaction, and gets the response at its end: it commits with the order
it created, or not at all. A concurrent duplicate waits on the unique index (PostgreSQL)
or on the write lock (SQLite) until the first commits, then finds the row and answers
the stored response: two requests never create two orders. Only successful answers are
kept; a refused request may be sent again with the same key.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, current_app, g, request
from flask_login import current_user

from ..db import db
from ..fields import NUL_MESSAGE
from ..models import utcnow
from ..parsing import has_nul
from .models import IdempotentRequest
from .problems import problem

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)
MAX_KEY = 200


def _fingerprint() -> str:
    return hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n"
                          + request.get_data(cache=True)).hexdigest()


def _replay(row: IdempotentRequest) -> Response:
    response = current_app.response_class(row.response_body or "", status=row.status or 200,
                                          mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    if row.location:
        response.headers["Location"] = row.location
    return response


def _stored(user_id: int, key: str) -> IdempotentRequest | None:
    return db.session.scalar(sa.select(IdempotentRequest).where(IdempotentRequest.user_id == user_id,
                                                                IdempotentRequest.key == key))


def begin() -> Response | None:
    """Before a write's view: answer a repeat from what is stored, or claim the key."""
    key = request.headers.get(HEADER)
    if key is None or request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    if not current_user.is_authenticated:
        return None  # the gate answers 401
    key = key.strip()
    if not key or len(key) > MAX_KEY or has_nul(key) or not key.isascii():
        return problem(422, f"The {HEADER} header must be 1 to {MAX_KEY} ASCII characters.",
                       errors=[(HEADER, NUL_MESSAGE if has_nul(key) else "Not a valid key.")])
    fingerprint = _fingerprint()
    row = _stored(current_user.id, key)
    if row is not None and row.created_at < utcnow() - KEEP:
        db.session.delete(row)  # expired: the key may be used again
        db.session.flush()
        row = None
    if row is None:
        row = IdempotentRequest(user_id=current_user.id, key=key, method=request.method, path=request.path[:500],
                                body_hash=fingerprint)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except sa.exc.IntegrityError:
            row = _stored(current_user.id, key)  # a concurrent twin committed first
            if row is None:  # pragma: no cover - the twin rolled back after all
                return problem(409, "A request with this Idempotency-Key is in progress; send it again.")
        else:
            g._ob_idempotent = row
            return None
    if row.body_hash != fingerprint:
        return problem(422, f"This {HEADER} was used for a different request within 24 hours.",
                       errors=[(HEADER, "Use a new key for a different request.")])
    return _replay(row)


def finish(response: Response) -> Response:
    """After the view: keep a successful answer with the claimed key (committed together)."""
    row = g.pop("_ob_idempotent", None)
    if row is None or response.status_code >= 400 or response.direct_passthrough:
        return response
    row.status = response.status_code
    row.response_body = response.get_data(as_text=True)
    row.location = response.headers.get("Location")
    db.session.flush()
    return response
