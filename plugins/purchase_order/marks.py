"""Line marks: how plugins change the way PO lines are shown (``purchase_order_line_marks``).

A plugin that manages some PO lines (the supplier sync, say) can hide a line that must
stay for audit (a line the supplier cancelled) and make fields of a line read-only on the
entry form (fields the plugin writes). The pages ask :func:`line_marks` once per render;
refusing a posted change of a read-only field stays the plugin's own rule (raise a
``ValidationError`` naming the field from ``on_purchase_order_saved``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from core.plugins import HookError, host_of

from .models import PurchaseOrder

# the entry form's line fields a mark may make read-only
LINE_FIELDS = ("item", "vendor_item_code", "description", "qty_ordered", "unit_cost", "required_date",
               "line_status_id")


@dataclass(frozen=True)
class LineMark:
    """One plugin's mark on one PO line.

    ``hidden``: why the line is hidden on the PO pages (empty: shown), in words that fit
    "n lines <hidden>", e.g. ``"cancelled by the supplier"``. ``read_only``: entry form
    fields (:data:`LINE_FIELDS`) shown greyed and not editable; ``note`` says why.
    """

    line_id: int
    hidden: str = ""
    read_only: tuple[str, ...] = ()
    note: str = ""


@dataclass
class LineView:
    """What the pages need for one line: the marks of every plugin, merged."""

    hidden: str = ""
    read_only: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def line_marks(po: PurchaseOrder | None) -> dict[int, LineView]:
    """Line id -> merged marks of the enabled plugins; a failing plugin's marks are left out."""
    out: dict[int, LineView] = {}
    if po is None or po.id is None:
        return out
    for _plugin, marks in host_of(current_app).contributions("purchase_order_line_marks", po=po):
        if isinstance(marks, HookError):
            continue  # logged by the host; the lines show unmarked
        for mark in marks or []:
            view = out.setdefault(mark.line_id, LineView())
            view.hidden = view.hidden or mark.hidden
            view.read_only |= {f for f in mark.read_only if f in LINE_FIELDS}
            if mark.note and mark.note not in view.notes:
                view.notes.append(mark.note)
    return out
