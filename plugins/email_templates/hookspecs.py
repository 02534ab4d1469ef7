"""The hooks the email_templates plugin offers: its own contract, owned here.

Added to the plugin manager when ``email_templates`` loads (``plugin.py`` exposes this
module as ``hookspecs``). Only plugins that list ``email_templates`` in their ``depends``
may implement them. The general rules are in :mod:`core.hookspecs`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.hookspecs import hookspec

if TYPE_CHECKING:
    from .types import TemplateType


@hookspec
def email_template_types() -> list[TemplateType]:
    """Return extra template types (:class:`plugins.email_templates.types.TemplateType`).

    Fires when the email plugin lists its template types (editor, validation, preview),
    outside any write transaction. A type has a code (``"SHIP NOTICE"``), a label, the
    variables a template of that type may use (name -> description) and sample data for
    the preview, as plain values. An exception is shown naming the plugin and that
    plugin's types are left out.

    Example::

        @hookimpl
        def email_template_types():
            return [TemplateType("SHIP NOTICE", "Shipping notice", {"order_number": "the order"},
                                 sample={"order_number": "SO1001"})]
    """
