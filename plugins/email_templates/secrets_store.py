"""Secrets at rest (the SMTP password): Fernet-encrypted with a key derived from the app's SECRET_KEY.

The stored value is ``fernet:<token>``. It is decrypted only to log in to the SMTP server
(sending, the test message). When SECRET_KEY changes, the old token no longer decrypts: the
value is *unreadable*, which the Mail settings page says in words, asking for the password
again; sending reports it instead of logging in with nothing.
"""

from __future__ import annotations

import base64

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from core.db import db

from .models import Secret

PREFIX = "fernet:"
_INFO = b"orderbridge email_templates secret v1"  # a key for this use only, not SECRET_KEY itself
UNREADABLE_TEXT = ("The stored SMTP password can no longer be read: the application's secret key has changed "
                   "since it was saved. Enter the password again on the Mail settings page.")


class UnreadableSecret(Exception):
    """The stored value was encrypted under another SECRET_KEY (or is damaged)."""

    def __str__(self) -> str:
        return UNREADABLE_TEXT


def fernet(secret_key: str | bytes | None = None) -> Fernet:
    key = secret_key if secret_key is not None else current_app.config["SECRET_KEY"]
    raw = key.encode() if isinstance(key, str) else key
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"orderbridge", info=_INFO).derive(raw)
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(value: str, secret_key: str | bytes | None = None) -> str:
    return PREFIX + fernet(secret_key).encrypt(value.encode()).decode("ascii")


def decrypt(stored: str, secret_key: str | bytes | None = None) -> str:
    if not stored.startswith(PREFIX):
        raise UnreadableSecret
    try:
        return fernet(secret_key).decrypt(stored[len(PREFIX):].encode("ascii")).decode()
    except (InvalidToken, ValueError, UnicodeError):
        raise UnreadableSecret from None


def _stored(key: str) -> str:
    return db.session.scalar(sa.select(Secret.value).where(Secret.key == key)) or ""


def put(key: str, value: str) -> None:
    """Store ``value`` encrypted (an empty value removes it)."""
    row = db.session.get(Secret, key) or Secret(key=key)
    row.value = encrypt(value) if value else ""
    db.session.add(row)


def get(key: str) -> str:
    """The plain value, ``""`` when none is stored; UnreadableSecret when it cannot be decrypted."""
    stored = _stored(key)
    return decrypt(stored) if stored else ""


def state(key: str) -> str:
    """``"none"``, ``"set"`` or ``"unreadable"``; never the value."""
    stored = _stored(key)
    if not stored:
        return "none"
    try:
        decrypt(stored)
    except UnreadableSecret:
        return "unreadable"
    return "set"
