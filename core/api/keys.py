"""Per-user API keys: made on the user's own page, shown once, kept as a SHA-256 hash.

A key reads ``ob_<prefix>_<secret>``: the public prefix finds the row, the hash of the
whole key is compared in constant time. 32 random bytes make a brute force pointless,
so a fast hash is enough (a slow password hash would cost every API request).
The key acts as its user: the same role and the same :func:`core.auth.require` checks
as the pages. A revoked or expired key, or one of a deactivated user, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import g, request

from ..db import db
from ..errors import ValidationError
from ..models import User, utcnow
from .models import ApiKey

log = logging.getLogger(__name__)

KEY_PREFIX = "ob_"
MAX_EXPIRY_DAYS = 3650
TOUCH_EVERY = timedelta(minutes=1)  # last use is written at most this often (no write per request)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(user: User, name: str, expires_days: int | None) -> tuple[ApiKey, str]:
    """A new key for ``user``: (row, the key in clear, to show once). Flushes."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("name", "Give the key a name (what uses it).")
    if len(name) > 80:
        raise ValidationError("name", "Field cannot be longer than 80 characters.")
    if expires_days is not None and not (1 <= expires_days <= MAX_EXPIRY_DAYS):
        raise ValidationError("expires_days", f"Enter a number of days from 1 to {MAX_EXPIRY_DAYS}.")
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    now = utcnow()
    row = ApiKey(user_id=user.id, name=name, prefix=prefix, key_hash=_hash(key), created_at=now,
                 expires_at=now + timedelta(days=expires_days) if expires_days else None)
    db.session.add(row)
    db.session.flush()
    return row, key


def revoke_key(user: User, key_id: int) -> ApiKey | None:
    """Revoke one of ``user``'s keys (an administrator may revoke anyone's); None when not found."""
    row = db.session.get(ApiKey, key_id)
    if row is None or (row.user_id != user.id and user.role != "admin"):
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def keys_of(user_id: int) -> list[ApiKey]:
    return list(db.session.scalars(sa.select(ApiKey).where(ApiKey.user_id == user_id)
                                   .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())))


def prefix_of(raw: str) -> str | None:
    """The public prefix of a presented key (for rate limits and look-up), or None."""
    if not raw.startswith(KEY_PREFIX):
        return None
    prefix, sep, _secret = raw[len(KEY_PREFIX):].partition("_")
    return prefix if sep and len(prefix) == 12 and prefix.isascii() and prefix.isalnum() else None


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def user_for_key(raw: str, now: datetime | None = None) -> User | None:
    """The active user a presented key belongs to, else None. Notes when it was last used."""
    prefix = prefix_of(raw)
    if prefix is None or len(raw) > 200:
        return None
    row = db.session.scalar(sa.select(ApiKey).where(ApiKey.prefix == prefix))
    now = now or utcnow()
    if row is None or not hmac.compare_digest(row.key_hash, _hash(raw)) or not row.usable(now):
        return None
    user = row.user
    if user is None or not user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        g._ob_touch_key = row.id  # written after the response, in a short transaction of its own
    g._ob_api_key = row
    return user


def touch_last_used() -> None:
    """Note the key's last use, at most once a minute, once the request's transaction has
    committed, in a short transaction of its own: on SQLite a write request holds the write
    lock until its commit, and a read-only request never writes."""
    from ..lifecycle import after_commit

    key_id = g.pop("_ob_touch_key", None)
    if key_id is None:
        return
    engine = db.engine
    after_commit(lambda: _note_use(engine, key_id))


def _note_use(engine: sa.Engine, key_id: int) -> None:
    now = utcnow()
    try:
        with engine.begin() as conn:
            conn.execute(sa.update(ApiKey).where(ApiKey.id == key_id, sa.or_(
                ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - TOUCH_EVERY)).values(last_used_at=now))
    except sa.exc.SQLAlchemyError:  # busy: the next request notes it
        log.warning("could not note the last use of API key %s", key_id)
