"""Sign-in, roles and the one permission decorator every route uses.

Every endpoint is either :func:`public` or guarded by :func:`require`; a test walks
the URL map and fails on any endpoint that is neither. A ``before_request`` check
also refuses anonymous access to anything not public, as a second line.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from wtforms import BooleanField
from wtforms.validators import DataRequired, Length

from .db import db
from .fields import PasswordField, SafeForm, TextField
from .models import ROLES, User
from .parsing import parse_id
from .ratelimit import guard_login, mark_failed

F = TypeVar("F", bound=Callable)

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The session's (or remember-me cookie's) ``"<id>.<session token>"`` back to its user.

    A user deactivated after signing in, or whose token changed since (sign-out, password
    change), loses access on the next request: a replayed old cookie is refused.
    """
    from .api.problems import is_api_request

    if is_api_request():
        return None  # /api takes API keys only: a (remember-me) cookie never signs a request in there
    raw_id, _, token = str(user_id).partition(".")
    record_id = parse_id(raw_id)
    if record_id is None:
        return None
    user = db.session.get(User, record_id)
    if user is None or not user.active or not hmac.compare_digest(user.session_token or "", token):
        return None
    return user


def public(view: F) -> F:
    """Mark a view as reachable without signing in (login, static files)."""
    view._ob_public = True  # type: ignore[attr-defined]
    return view


def require(*roles: str) -> Callable[[F], F]:
    """Guard a view: a signed-in user, and with ``roles`` one of them (admin always passes).

    ``@require()`` lets any signed-in user in (read-only included); write actions name
    their roles: ``@require("sales")``.
    """
    for role in roles:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped._ob_roles = roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def user_can(*roles: str) -> bool:
    return current_user.is_authenticated and current_user.has_role(*roles)


def is_guarded(view: Callable) -> bool:
    return hasattr(view, "_ob_roles") or getattr(view, "_ob_public", False)


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: ``next=//evil.example`` and ``https://…`` are dropped."""
    if not target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None  # browsers drop tabs and newlines: "/\t/evil" would become "//evil"
    target = target.replace("\\", "/").strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


class LoginForm(SafeForm):
    username = TextField("User name", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in")


bp = Blueprint("auth", __name__)
_DUMMY_HASHES: dict[str, User] = {}


def _dummy_user() -> User:
    """A user nobody can sign in as, hashed like real ones (same work for unknown names)."""
    from .models import password_method

    method = password_method()
    if method not in _DUMMY_HASHES:
        dummy = User(username="", active=False)
        dummy.set_password(secrets.token_hex(16))
        _DUMMY_HASHES[method] = dummy
    return _DUMMY_HASHES[method]


def authenticate(username: str, password: str) -> User | None:
    """The active user with this name and password, else ``None``."""
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    # check a password even for an unknown name, so timing does not tell them apart either
    ok = (user or _dummy_user()).check_password(password) and user is not None and user.active
    return user if ok else None


@bp.route("/login", methods=["GET", "POST"])
@public
@guard_login
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
        mark_failed()
        # one message for either mistake: do not reveal which one it was
        flash("Unknown user name or wrong password.", "error")
    return render_template("core/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@require()
def logout():
    # a new token voids this session and any remember-me cookie, wherever they were copied to
    current_user.rotate_session_token()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
