"""RFC 9457 problem details: every error under ``/api`` answers ``application/problem+json``.

One shape for every refusal: ``{"type", "title", "status", "detail", "errors": [{"field",
"message"}]}``. Field paths use ``/`` between levels (``lines/2/qty_ordered``); the
messages are the forms' own, because they come from the same parsers and services
(:mod:`core.parsing`, :class:`core.errors.ValidationError`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from flask import Response, current_app, has_request_context, json, request
from werkzeug.exceptions import HTTPException

from ..errors import HookError, ValidationError

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
TITLES = {400: "Bad request", 401: "Not signed in", 403: "Not allowed", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Too large", 415: "Unsupported media type",
          422: "Not saved", 429: "Too many requests", 500: "Server error"}
DETAILS = {401: "Send a valid API key: Authorization: Bearer <key>.",
           403: "Your role does not allow this. Ask an administrator.",
           404: "There is no such resource, or its module is switched off.",
           405: "This resource does not accept that method.",
           500: "The error has been logged. Nothing of the request was saved."}
# the forms' nested names (lines-2-qty_ordered) as API paths (lines/2/qty_ordered)
_FORM_NAME = re.compile(r"^([a-z_]+)-(\d+)-([a-z_]+)$")


def problem(status: int, detail: str | None = None, *, errors: Iterable[tuple[str | None, str]] = (),
            headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """A problem+json response. ``errors``: (field path or None, message) pairs."""
    body: dict[str, Any] = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
                            "detail": detail or DETAILS.get(status, TITLES.get(status, "Error"))}
    listed = [{"field": field, "message": message} for field, message in errors]
    if listed:
        body["errors"] = listed
    body.update(extra)
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def api_path(field: str | None) -> str | None:
    """A service's field name as an API path: ``lines-2-qty_ordered`` -> ``lines/2/qty_ordered``."""
    if not field:
        return None
    m = _FORM_NAME.match(field)
    return f"{m.group(1)}/{m.group(2)}/{m.group(3)}" if m else field


def from_validation(exc: ValidationError, rename: dict[str, str] | None = None) -> Response:
    """422 for a refusal of a service; ``rename`` maps service field names to API paths."""
    rename = rename or {}
    errors = [(rename.get(f or "", api_path(f)), m) for f, m in exc.errors]
    extra: dict[str, Any] = {}
    if isinstance(exc, HookError):
        extra = {"plugin": exc.plugin, "hook": exc.hook}
    return problem(422, str(exc) if len(exc.errors) == 1 else "The request was refused; see errors.",
                   errors=errors, **extra)


def flatten(messages: Any, prefix: str = "") -> list[tuple[str | None, str]]:
    """webargs/marshmallow's nested messages as (path, message) pairs: {"lines": {"2": {"qty": [..]}}}."""
    out: list[tuple[str | None, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "" if key == "_schema" else str(key)
            path = f"{prefix}/{name}" if prefix and name else (prefix or name)
            out += flatten(value, path)
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            out += [(prefix or None, m) for m in messages]
        else:
            for m in messages:
                out += flatten(m, prefix)
    else:
        out.append((prefix or None, str(messages)))
    return out


def from_http(exc: HTTPException) -> Response:
    """An HTTP error raised under /api (abort, webargs' 422, Flask-Limiter's 429, routing)."""
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    headers: dict[str, str] = dict(data.get("headers") or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="orderbridge"')
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    if status == 429:
        headers.setdefault("Retry-After", str(_retry_after()))
    messages = data.get("messages")
    if messages is not None:
        # webargs: {"json": {...}} or {"query": {...}}: the location is not part of the path
        inner = messages.get("json", messages.get("query", messages)) if isinstance(messages, dict) else messages
        return problem(422, "The request does not match the schema; see errors.", errors=flatten(inner),
                       headers=headers)
    detail = DETAILS.get(status) or (exc.description if status < 500 else None)
    if status == 429:
        detail = "Too many requests for this API key. Wait and try again (see Retry-After)."
    return problem(status, detail, headers=headers)


def _retry_after() -> int:
    import time

    from ..ratelimit import limiter

    limit = getattr(limiter, "current_limit", None)
    if limit is None:
        return 60
    return max(1, int(limit.reset_at - time.time()) + 1)


def is_api_request() -> bool:
    if not has_request_context():
        return False
    prefix = current_app.config.get("API_PREFIX", "/api/")
    return request.path == prefix.rstrip("/") or request.path.startswith(prefix)
