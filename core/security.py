"""Security headers on every response.

The Content-Security-Policy allows scripts only from this site's own files (no inline
``<script>``, no ``onclick=``): templates mark behaviour with ``data-`` attributes
(``data-confirm``, ``data-print``) that ``core/static/app.js`` wires up. Styles may be
inline (``style-src 'self' 'unsafe-inline'``): a few plugin pages carry ``style=``
attributes and a print stylesheet, and a style cannot run code.
"""

from __future__ import annotations

from flask import Flask, Response

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config.get("HTTPS"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
