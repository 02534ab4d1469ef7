"""A throwaway plugin that records the purchase_order hooks and can be told to fail."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import Manifest

manifest = Manifest(name="probe_purchase_order", title="PO probe", version="0", depends=("purchase_order",))

CALLS: list[tuple] = []
FAIL: set[str] = set()


def _record(name: str, *args) -> None:
    CALLS.append((name, *args))
    if name in FAIL:
        raise RuntimeError(f"probe refuses {name}")


@hookimpl
def on_purchase_order_saved(po, created, form_data):
    _record("on_purchase_order_saved", po.number, created)
    if form_data:
        FORM_DATA.append(dict(form_data))


FORM_DATA: list[dict] = []
MARKS: dict[str, object] = {}  # "hide": line no, "read_only": line no -> marks on that line


@hookimpl
def extend_form(form_name, obj):
    if form_name != "purchase_order" or "po_field" not in MARKS:
        return None
    from wtforms import StringField

    return {"probe_po_note": StringField("Probe note")}


@hookimpl
def purchase_order_line_marks(po):
    from plugins.purchase_order.marks import LineMark

    by_no = {ln.line_no: ln.id for ln in po.lines}
    out = []
    if MARKS.get("hide") in by_no:
        out.append(LineMark(by_no[MARKS["hide"]], hidden="parked by the probe"))
    if MARKS.get("read_only") in by_no:
        out.append(LineMark(by_no[MARKS["read_only"]], read_only=("qty_ordered", "bogus"), note="The probe owns it."))
    return out


@hookimpl
def on_purchase_order_sent(po):
    _record("on_purchase_order_sent", po.number, po.sent_at is not None)


@hookimpl
def on_purchase_order_cancelled(po):
    _record("on_purchase_order_cancelled", po.number, len(po.lines))


@hookimpl
def on_purchase_orders_created(pos):
    _record("on_purchase_orders_created", [(po.number, len(po.lines)) for po in pos])


@hookimpl
def on_receipt(receipt):
    _record("on_receipt", receipt.number, [(ln.po_line.line_no, ln.qty) for ln in receipt.lines if ln.po_line])


@hookimpl
def on_return(return_):
    _record("on_return", return_.number, [(ln.po_line.line_no, ln.qty) for ln in return_.lines])


FILLS: list[dict] = []  # rows the probe answers to back_order_fills


@hookimpl
def back_order_fills(scope):
    _record("back_order_fills", scope.receipt_id, scope.po_id, scope.so_number, scope.include_all)
    return [dict(row) for row in FILLS]
