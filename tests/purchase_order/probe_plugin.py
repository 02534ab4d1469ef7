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
def on_purchase_order_saved(po, created):
    _record("on_purchase_order_saved", po.number, created)


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
