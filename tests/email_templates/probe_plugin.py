"""A throwaway plugin adding a template type and telling who waits on PO lines."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import Manifest

manifest = Manifest(name="probe_email_types", title="Email types probe", version="0", depends=("email_templates",))

DEMAND: list[dict] = []


@hookimpl
def email_template_types():
    from plugins.email_templates.types import TemplateType

    return [TemplateType("SHIP NOTICE", "Shipping notice", {"order_number": "the order"},
                         sample={"order_number": "SO1001"})]


@hookimpl
def purchase_line_demand(po_line_ids):
    return [row for row in DEMAND if row["po_line_id"] in po_line_ids]
