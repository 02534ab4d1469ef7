"""Your company's name and address for templates and the printable PO (core's setup options)."""

from __future__ import annotations

from core.options import registry


def company_info() -> dict[str, str]:
    """``{"name", "address"}`` from core's options when declared, else empty strings."""
    values = registry().current("core") if "core" in registry().declared else {}
    return {"name": str(values.get("company_name") or ""), "address": str(values.get("company_address") or "")}
