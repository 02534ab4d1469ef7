"""API keys at the door: Flask-Login's request loader, 401 instead of the login page,
and the rate-limit key (one counter per key, in the login limiter's storage)."""

from __future__ import annotations

from flask import Flask, abort, has_request_context
from flask_limiter.util import get_remote_address

from ..auth import login_manager
from .keys import bearer_token, prefix_of, user_for_key
from .problems import is_api_request


def rate_key() -> str:
    """Per key (its public prefix); a request without one is counted by its address."""
    token = bearer_token()
    prefix = prefix_of(token) if token else None
    return f"api-key:{prefix}" if prefix else f"api-address:{get_remote_address()}"


def _user_from_request(_request):
    if not is_api_request():
        return None
    token = bearer_token()
    return user_for_key(token) if token else None


def _unauthorized_or_401(default):
    def unauthorized():
        if has_request_context() and is_api_request():
            abort(401)
        return default()

    unauthorized._ob_api = True  # type: ignore[attr-defined]
    return unauthorized


def init_app(app: Flask) -> None:
    login_manager.request_loader(_user_from_request)
    if not getattr(login_manager.unauthorized, "_ob_api", False):
        login_manager.unauthorized = _unauthorized_or_401(login_manager.unauthorized)  # type: ignore[method-assign]
