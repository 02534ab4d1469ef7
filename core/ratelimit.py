"""Sign-in rate limits (Flask-Limiter): per account and per client address.

Only failed sign-ins count, so people who type their password right are never slowed;
once an account or an address has failed too often in the window, further attempts are
refused with a plain message (HTTP 429) until the window passes, even with the right
password, so guessing stops. Another account signing in from elsewhere is unaffected.

Counters live in memory by default (one process). With several workers, point them at
one Redis: ``ORDERBRIDGE_RATELIMIT_STORAGE_URL=redis://host:6379/0`` (or the app setting
``RATELIMIT_STORAGE_URI``). ``LOGIN_LIMIT_ACCOUNT`` and ``LOGIN_LIMIT_ADDRESS`` change the
limits (Flask-Limiter's notation, e.g. ``"10 per minute;50 per hour"``).
"""

from __future__ import annotations

import os

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

ACCOUNT_LIMIT = "10 per minute;50 per hour"
ADDRESS_LIMIT = "30 per minute;300 per hour"
MESSAGE = "Too many failed sign-ins. Wait a minute and try again, or ask an administrator."

limiter = Limiter(key_func=get_remote_address)


def _account_key() -> str:
    name = (request.form.get("username") or "").strip().lower()
    return f"login-account:{name}"


def _address_key() -> str:
    return f"login-address:{get_remote_address()}"


def _failed(_response) -> bool:
    return bool(g.get("_ob_login_failed"))


def mark_failed() -> None:
    """The login view calls this for a wrong name or password: only those count."""
    g._ob_login_failed = True


def guard_login(view):
    """Apply both limits to the POST of the login view."""
    view = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], key_func=_address_key,
                         methods=["POST"], deduct_when=_failed, error_message=MESSAGE, scope="login-address")(view)
    return limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], key_func=_account_key,
                         methods=["POST"], deduct_when=_failed, error_message=MESSAGE, scope="login-account")(view)


def init_app(app: Flask) -> None:
    storage = os.environ.get("ORDERBRIDGE_RATELIMIT_STORAGE_URL")
    if storage:
        app.config.setdefault("RATELIMIT_STORAGE_URI", storage)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "orderbridge")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    app.config.setdefault("LOGIN_LIMIT_ACCOUNT", ACCOUNT_LIMIT)
    app.config.setdefault("LOGIN_LIMIT_ADDRESS", ADDRESS_LIMIT)
    limiter.init_app(app)
