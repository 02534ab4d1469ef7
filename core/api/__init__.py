"""``/api/v1``: a JSON API over the same services as the pages, documented by OpenAPI 3.1.

Built on flask-smorest (marshmallow schemas declared once per resource validate the
requests, serialise the responses and generate the OpenAPI document); see docs/api.md
for why. Each plugin contributes its resources through the ``api_blueprints`` hook,
from its own package; a disabled plugin's resources answer 404 like its pages, through
the host's one ``before_request`` gate.

Access is by per-user API keys (``Authorization: Bearer <key>``, :mod:`.keys`): the key
acts as its user, through the same :func:`core.auth.require` checks as the pages. Under
``/api`` no session cookie is read or written and there is no CSRF token; a request
without a valid key answers 401. Every error is ``application/problem+json``
(:mod:`.problems`). Writes sent with ``Idempotency-Key`` are answered once
(:mod:`.idempotency`). Requests are rate limited per key with the login limiter's storage.
"""

from __future__ import annotations

import functools
import logging
from copy import deepcopy
from typing import Any

import flask_smorest
from flask import Blueprint as FlaskBlueprint
from flask import Flask, abort, current_app, g, json, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from ..db import db
from ..errors import HookError, ValidationError
from ..fields import NUL_MESSAGE
from ..parsing import has_nul
from . import fields, problems
from .problems import is_api_request, problem

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
MAX_PAGE_SIZE = 200


class Blueprint(flask_smorest.Blueprint):
    """A plugin's API resources: ``Blueprint("api_my_plugin", __name__, url_prefix="/api/v1/...")``."""


class _Api(flask_smorest.Api):
    def _register_error_handlers(self) -> None:
        """Nothing app-wide: pages keep their HTML errors; /api answers problem+json (see init_app)."""


# -- the OpenAPI document ------------------------------------------------------------------

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "plugin": {"type": "string"}, "hook": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"}}}},
    },
}
ERROR_STATUSES = {"400": "The body is not JSON", "401": "No valid API key", "404": "Not found, or its module is off",
                  "413": "Too large", "415": "Not JSON", "422": "Refused; errors name the fields",
                  "429": "Too many requests (see Retry-After)"}


def _openapi_path(rule: str) -> str:
    import re

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _views_by_operation(app: Flask) -> dict[tuple[str, str], Any]:
    out = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX):
            continue
        for method in rule.methods or ():
            if method not in ("HEAD", "OPTIONS"):
                out[(_openapi_path(rule.rule), method.lower())] = app.view_functions[rule.endpoint]
    return out


def _base_document(app: Flask) -> dict:
    """The whole document (every installed plugin), with access and problem responses added."""
    state = app.extensions["orderbridge_api"]
    if state.get("document") is not None:
        return state["document"]
    doc = deepcopy(state["api"].spec.to_dict())
    components = doc.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components["securitySchemes"] = {"apiKey": {"type": "http", "scheme": "bearer",
                                                "description": "A personal API key (Account > API keys)."}}
    problem_content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for response in components.get("responses", {}).values():
        response["content"] = deepcopy(problem_content)  # flask-smorest's 422 and default: problem+json
    views = _views_by_operation(app)
    for path, operations in doc.get("paths", {}).items():
        for method, op in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            view = views.get((path, method))
            public = bool(getattr(view, "_ob_public", False))
            roles = list(getattr(view, "_ob_roles", ()) or ())
            op["x-access"] = "public" if public else {"roles": roles or ["any signed-in user"]}
            op["security"] = [] if public else [{"apiKey": []}]
            responses = op.setdefault("responses", {})
            for code, text in ERROR_STATUSES.items():
                responses.setdefault(code, {"description": text, "content": deepcopy(problem_content)})
            if roles:
                responses.setdefault("403", {"description": "Your role does not allow this",
                                             "content": deepcopy(problem_content)})
            responses["default"] = {"description": "Problem", "content": deepcopy(problem_content)}
    doc["security"] = [{"apiKey": []}]
    state["document"] = doc
    return doc


def openapi_document() -> dict:
    """The document for this request: operations of disabled plugins are left out."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    from ..plugins import host_of

    host = host_of(app)
    owners = app.extensions["orderbridge_api"]["owners"]
    enabled = host.enabled()
    doc = _base_document(app)
    off = {tag for tag, owner in owners.items() if owner not in enabled}
    if not off:
        return doc
    doc = dict(doc)
    doc["paths"] = {path: ops for path, ops in doc["paths"].items()
                    if not any(set(op.get("tags", ())) & off for op in ops.values() if isinstance(op, dict))}
    doc["tags"] = [t for t in doc.get("tags", []) if t["name"] not in off]
    return doc


docs_bp = FlaskBlueprint("api_docs", __name__, url_prefix=PREFIX)


def _public(view):
    from ..auth import public

    return public(view)


@docs_bp.route("/openapi.json")
@_public
def openapi_json():
    return current_app.response_class(json.dumps(openapi_document()), mimetype="application/json")


@docs_bp.route("/docs")
@_public
def docs():
    """A readable page of the document, rendered here (no script, no CDN)."""
    doc = openapi_document()
    return render_template("core/api_docs.html", doc=doc, pretty=lambda v: json.dumps(v, indent=2))


# -- requests under /api ---------------------------------------------------------------------


class ApiSessionInterface(SecureCookieSessionInterface):
    """No session under /api: cookies sent are ignored and none is set (keys only, no CSRF)."""

    def open_session(self, app, request):  # noqa: A002 - Flask's signature
        if request.path.startswith(app.config["API_PREFIX"]):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if request.path.startswith(app.config["API_PREFIX"]):
            return None
        return super().save_session(app, session, response)


def _nul_paths(value: Any, path: str = "") -> list[str]:
    """Paths of the strings (keys or values) holding a NUL byte in a parsed JSON body."""
    found: list[str] = []
    if isinstance(value, str):
        return [path or "/"] if has_nul(value) else []
    if isinstance(value, dict):
        for k, v in value.items():
            sub = f"{path}/{k}" if path else str(k)
            found += [sub] if has_nul(str(k)) else _nul_paths(v, sub)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _nul_paths(v, f"{path}/{i}" if path else str(i))
    return found


def _check_request():
    """Before anything else under /api: CORS preflight, NUL bytes, a body that is JSON."""
    if not is_api_request():
        return None
    from . import cors

    if request.method == "OPTIONS":
        return cors.preflight()
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and not getattr(view, "_ob_public", False) and not current_user.is_authenticated:
        abort(401)  # the key first: who may not call learns nothing about the body's checks
    for name, value in [("path", request.path), *request.args.items(multi=True)]:
        if has_nul(name) or has_nul(value):
            return problem(422, NUL_MESSAGE, errors=[(name.replace("\x00", ""), NUL_MESSAGE)])
    if request.method in WRITE_METHODS and request.get_data(cache=True):
        if not request.is_json:
            return problem(415, "Send the body as JSON (Content-Type: application/json).")
        try:
            body = json.loads(request.get_data(cache=True))
        except (ValueError, RecursionError):
            return problem(400, "The body is not valid JSON (or nested too deeply).")
        bad = _nul_paths(body)
        if bad:
            return problem(422, NUL_MESSAGE, errors=[(p, NUL_MESSAGE) for p in bad[:20]])
    from . import idempotency

    return idempotency.begin()


def _finish_request(response):
    if not is_api_request():
        return response
    from . import cors, idempotency
    from .keys import touch_last_used

    response = idempotency.finish(response)
    cors.add_headers(response)
    response.headers.setdefault("Cache-Control", "no-store")
    if response.status_code < 400:
        touch_last_used()
    return response


def _api_first(handler):
    """Wrap a page error handler: under /api the answer is problem+json instead."""

    @functools.wraps(handler)
    def wrapped(exc):
        if not is_api_request():
            return handler(exc)
        if isinstance(exc, ValidationError):
            db.session.rollback()
            return problems.from_validation(exc)
        if isinstance(exc, HTTPException):
            if (exc.code or 500) >= 500:
                db.session.rollback()
                log.error("API server error at %s %s", request.method, request.path,
                          exc_info=getattr(exc, "original_exception", None))
            return problems.from_http(exc)
        db.session.rollback()  # a value the database refused (DataError, OverflowError)
        log.warning("unparsed value reached the database at %s %s: %s", request.method, request.endpoint,
                    type(exc).__name__)
        return problem(422, "A value you sent is too large, too long or not valid for what it is stored in. "
                            "Nothing was saved.")

    return wrapped


def _install_error_handlers(app: Flask) -> None:
    for _code, handlers in app.error_handler_spec.setdefault(None, {}).items():
        for cls, fn in list(handlers.items()):
            handlers[cls] = _api_first(fn)
    app.register_error_handler(HTTPException, _api_first(lambda exc: exc))


# -- the hook and start-up ---------------------------------------------------------------------


def _collect(app: Flask, api: _Api) -> dict[str, str]:
    """Every installed plugin's API blueprints, registered once (enabled or not, like pages)."""
    from .. import csrf
    from ..plugins import host_of
    from ..ratelimit import limiter
    from .auth import rate_key

    host = host_of(app)
    owners: dict[str, str] = {}
    limit = limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=rate_key)
    for name in host.order():
        if name not in host.plugins:
            continue
        try:
            blueprints = list(host.call_plugin("api_blueprints", name)[1] or [])
        except HookError as exc:
            host._fail(name, f"{type(exc.original).__name__} while registering its API: {exc.original}")
            continue
        for bp in blueprints:
            csrf.exempt(bp)
            if not getattr(bp, "_ob_rate_limited", False):  # the limiter is one per process, apps are many
                limit(bp)
                bp._ob_rate_limited = True  # type: ignore[attr-defined]
            api.register_blueprint(bp)
            host.blueprint_owner[bp.name] = name
            owners[bp.name] = name
    return owners


def init_app(app: Flask) -> None:
    from . import auth as api_auth
    from . import models  # noqa: F401 - the tables of keys and idempotent requests

    app.config.setdefault("API_PREFIX", PREFIX + "/")
    app.config.setdefault("API_RATE_LIMIT", "600 per minute")
    app.config.setdefault("API_CORS_ORIGINS", ())
    app.config.update(API_TITLE="OrderBridge API", API_VERSION="1", OPENAPI_VERSION="3.1.0",
                      OPENAPI_URL_PREFIX=None)
    api = _Api(app, spec_kwargs={"info": {"description": "Sales orders, purchase orders, receipts and master "
                                                         "data, with the same rules as the pages."}})
    for cls in (fields.Number, fields.DecimalOut, fields.Id, fields.Day, fields.Stamp):
        api.register_field(cls, None, None)  # their metadata carries the type
    state: dict[str, Any] = {"api": api, "document": None, "owners": {}}
    app.extensions["orderbridge_api"] = state
    state["owners"] = _collect(app, api)
    app.register_blueprint(docs_bp)
    app.session_interface = ApiSessionInterface()
    api_auth.init_app(app)
    app.before_request_funcs.setdefault(None, []).insert(0, _check_request)
    app.after_request(_finish_request)
    _install_error_handlers(app)


def api_of(app: Flask) -> _Api:
    return app.extensions["orderbridge_api"]["api"]


def current_key_user_id() -> int | None:
    key = g.get("_ob_api_key")
    return key.user_id if key is not None else None
