"""A locked database is a "busy, try again" 503, never a 500: one place for pages and ``/api``.

SQLite lets one writer at a time: a write request waits ``PRAGMA busy_timeout`` for the
lock (``SQLITE_BUSY_TIMEOUT_MS``, 30 s by default) and then fails with
``sqlite3.OperationalError: database is locked``. Nothing of the request was kept, so the
honest answer is 503 with ``Retry-After``: ``application/problem+json`` under ``/api``, a
plain page (no layout: the menu would read the locked database again) elsewhere.
"""

from __future__ import annotations

import logging
import sqlite3

import sqlalchemy as sa
from flask import Flask, Response, current_app, request
from markupsafe import escape

from .db import db

log = logging.getLogger(__name__)

RETRY_AFTER = 2  # seconds: a write holds the lock for milliseconds, a long import a little longer
TEXT = "The database is busy with other changes. Nothing of your request was saved: try again in a moment."
PAGE = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Busy</title></head>"
        "<body><h1>Busy, try again</h1><p>{text}</p><p><a href=\"{back}\">Try again</a></p></body></html>")
# what a replaced response keeps: not its body, its outcome or its cookie (nothing was saved)
_DROPPED = {"content-type", "content-length", "location", "set-cookie", "idempotent-replayed", "etag"}


def is_locked(exc: BaseException | None) -> bool:
    """SQLite's "database is locked" / "database table is locked" (the busy timeout ran out)."""
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig)


def busy_response(replacing: Response | None = None) -> Response:
    """The 503 for this request; ``replacing``: the response a failed commit leaves behind
    (headers set for it by other after-request functions are kept)."""
    db.session.rollback()
    log.warning("database busy at %s %s: answered 503", request.method, request.path)
    from .api.problems import is_api_request, problem

    headers = {"Retry-After": str(RETRY_AFTER)}
    if is_api_request():
        response = problem(503, TEXT, headers=headers)
    else:
        back = escape(request.full_path.rstrip("?") if request.method == "GET" else request.referrer or "/")
        response = current_app.response_class(PAGE.format(text=escape(TEXT), back=back), status=503,
                                              mimetype="text/html", headers=headers)
    for name, value in (replacing.headers.items() if replacing is not None else ()):
        if name.lower() not in _DROPPED:
            response.headers.setdefault(name, value)
    return response


def _operational_error(exc: sa.exc.OperationalError):
    if not is_locked(exc):
        raise exc  # any other database failure stays a logged server error
    return busy_response()


def init_app(app: Flask) -> None:
    """After the API's wrapping of the page handlers: this one answers for both itself."""
    app.register_error_handler(sa.exc.OperationalError, _operational_error)
