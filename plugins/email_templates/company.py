"""Your company's name and address for templates (core's setup options)."""

from __future__ import annotations

from core.web import company


def company_info() -> dict[str, str]:
    """``{"name", "address"}`` as plain strings."""
    values = company()
    return {"name": str(values["name"] or ""), "address": str(values["address"] or "")}
