"""OrderBridge host: the Flask app factory (``create_app``)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, abort, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from .db import configure_engine, db, engine_options

ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()


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
    app.config.update(
        SQLALCHEMY_DATABASE_URI=db_uri,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        PAGE_SIZE=50,
    )
    if config:
        app.config.update(config)
        if "SQLALCHEMY_DATABASE_URI" in config and config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
            app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + config["SQLALCHEMY_DATABASE_URI"][13:]
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    csrf.init_app(app)

    from . import auth, lifecycle, web
    from .options import OptionRegistry
    from .plugins import PluginHost, allow_list_from_env

    auth.login_manager.init_app(app)
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

    @app.before_request
    def _gate() -> None:
        # per-request caches start empty even when a test reuses one app context
        g.pop("_ob_enabled", None)
        g.pop("_ob_options", None)
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

    return app
