"""CORS for /api: off unless ``API_CORS_ORIGINS`` (or ``ORDERBRIDGE_API_CORS_ORIGINS``,
comma-separated) names the origins allowed to call it from a browser."""

from __future__ import annotations

import os

from flask import Response, current_app, request

ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key"
METHODS = "GET, POST, PUT, PATCH, DELETE"


def allowed_origins() -> set[str]:
    configured = current_app.config.get("API_CORS_ORIGINS") or ()
    env = os.environ.get("ORDERBRIDGE_API_CORS_ORIGINS", "")
    return {o.strip() for o in [*configured, *env.split(",")] if o.strip()}


def _origin() -> str | None:
    origin = request.headers.get("Origin")
    return origin if origin and origin in allowed_origins() else None


def add_headers(response: Response) -> None:
    origin = _origin()
    if origin is None:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "Retry-After, Idempotent-Replayed, Location"
    response.vary.add("Origin")


def preflight() -> Response:
    """An OPTIONS request: the allowed methods and headers for an allowed origin, else nothing."""
    response = current_app.response_class(status=204)
    if _origin() is not None:
        response.headers["Access-Control-Allow-Methods"] = METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
    return response
