"""OrderBridge host: the Flask app factory (``create_app``)."""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, abort, current_app, g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

from .db import configure_engine, db, engine_options
from .parsing import ID_MAX, has_nul

ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()


class IdConverter(IntegerConverter):
    """``<int:id>`` that matches only ids an id column can hold (INTEGER: 32-bit on PostgreSQL)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's own signature
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def _secret_key(instance_path: str) -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("ORDERBRIDGE_INSTANCE", str(ROOT / "instance")),
        template_folder="templates",  # core/templates: shipped inside the package
        static_folder="static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db_uri = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'orderbridge.db'}"
    if db_uri.startswith("postgresql://"):
        db_uri = "postgresql+psycopg://" + db_uri[len("postgresql://"):]
    https = os.environ.get("ORDERBRIDGE_HTTPS", "").lower() in ("1", "yes", "true", "on")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=db_uri,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        HTTPS=https,  # served over HTTPS only: cookies get the Secure flag
        WTF_CSRF_TIME_LIMIT=8 * 3600,  # a form left open a working day still saves; older tokens expire
        MAX_CONTENT_LENGTH=int(os.environ.get("ORDERBRIDGE_MAX_UPLOAD_MB", "8")) * 1024 * 1024,
        MAX_FORM_FIELDS=5000,  # some 600 document lines; more answers 413
        PAGE_SIZE=50,
        # static files without a version in their URL (?v=...) are cached one hour; versioned ones a year
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    if config:
        app.config.update(config)
        if "SQLALCHEMY_DATABASE_URI" in config and config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
            app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + config["SQLALCHEMY_DATABASE_URI"][13:]
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    if app.config.get("HTTPS"):
        app.config.setdefault("SESSION_COOKIE_SECURE", True)
        app.config.setdefault("REMEMBER_COOKIE_SECURE", True)
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    # ids in URLs fit their column: /items/99999999999999999999 is "not found", not a database error
    app.url_map.converters["int"] = IdConverter

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, busy_timeout_ms=int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 30_000)))
    csrf.init_app(app)

    from . import auth, lifecycle, ratelimit, security, web
    from .options import OptionRegistry
    from .plugins import PluginHost, allow_list_from_env

    auth.login_manager.init_app(app)
    ratelimit.init_app(app)
    app.extensions["orderbridge_options"] = OptionRegistry()
    host = PluginHost()
    app.extensions["orderbridge"] = host
    from . import builtin

    allow = config.get("LOAD_PLUGINS") if config and "LOAD_PLUGINS" in config else allow_list_from_env()
    host.load(builtin, allow=set(allow) if allow is not None else None)
    host.collect_contributions(app)
    host.register_commands(app.cli)
    web.init_app(app)
    lifecycle.init_app(app)
    security.init_app(app)
    from . import api

    api.init_app(app)  # after the page error handlers, which it wraps for /api
    from . import busy

    busy.init_app(app)  # after the API's wrapping: it answers pages and /api itself

    app.before_request(_refuse_nul)
    app.before_request(_gate)
    app.add_url_rule("/healthz", "healthz", auth.public(_healthz))
    app.url_defaults(_static_version)
    app.after_request(_cache_versioned_static)
    return app


def _healthz() -> tuple[Response, int]:
    """For load balancers: one query; 200 {"status": "ok"} or 503 when the database does not answer."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200

STATIC_MAX_AGE = 365 * 24 * 3600


@lru_cache(maxsize=512)
def _file_version(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _static_folder(endpoint: str) -> str | None:
    if endpoint == "static":
        return current_app.static_folder
    blueprint = current_app.blueprints.get(endpoint.rpartition(".")[0])
    return blueprint.static_folder if blueprint is not None else None


def _static_version(endpoint: str, values: dict[str, Any]) -> None:
    """``url_for('static', filename=...)`` gets ``?v=<content hash>``: a new file is a new URL."""
    if endpoint != "static" and not endpoint.endswith(".static"):
        return
    folder, filename = _static_folder(endpoint), values.get("filename")
    if not folder or not filename or "v" in values:
        return
    path = Path(folder) / filename
    if path.is_file():
        values["v"] = _file_version(str(path), path.stat().st_mtime_ns)


def _cache_versioned_static(response: Response) -> Response:
    endpoint = request.endpoint or ""
    versioned = (endpoint == "static" or endpoint.endswith(".static")) and "v" in request.args
    if versioned and response.status_code in (200, 304):
        response.cache_control.public = True
        response.cache_control.max_age = STATIC_MAX_AGE
        response.cache_control.immutable = True
        response.expires = None
    return response


def _refuse_nul() -> None:
    """Form bodies with more than ``MAX_FORM_FIELDS`` values answer 413.

    A NUL byte in the path, a query or a form value is never valid text: answer 400 here.

    PostgreSQL refuses NUL in text (a ``DataError``) and SQLite would store it; nobody
    types one. File uploads are checked by their importers, row by row.
    """
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        # a document of thousands of lines would hold a worker for many seconds: refused here
        if sum(len(v) for v in request.form.lists()) > current_app.config["MAX_FORM_FIELDS"]:
            abort(413)
        values += [*request.form.keys(), *request.form.values()]
    if any(has_nul(v) for v in values):
        abort(400, description="The request contains an invisible control character (NUL). "
                               "Remove it from what you typed or pasted and try again.")


def _gate() -> None:
    """Sign-in and switched-off modules, for every page that is not public."""
    from . import auth

    app = current_app
    host = app.extensions["orderbridge"]
    # per-request caches start empty even when a test reuses one app context
    g.pop("_ob_enabled", None)
    g.pop("_ob_options", None)
    g.pop("_ob_sequences", None)
    endpoint = request.endpoint
    if endpoint is None:
        return
    view = app.view_functions.get(endpoint)
    is_static = endpoint == "static" or endpoint.endswith(".static")
    if view is not None and not getattr(view, "_ob_public", False) and not is_static:
        if not current_user.is_authenticated:
            return auth.login_manager.unauthorized()
    owner = host.blueprint_owner.get(request.blueprint or "")
    if owner and owner not in host.enabled():
        abort(404)
