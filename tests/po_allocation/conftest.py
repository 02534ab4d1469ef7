"""Fixtures for the po_allocation tests: the plugin enabled on the demo data, and helpers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.db import db
from core.models import Item, Partner, StockLevel, Warehouse
from core.options import apply_changes
from core.plugins import host_of


def D(value) -> Decimal:
    return Decimal(str(value))


class PA:
    """Helpers; each method opens its own app context and commits (tests run requests outside)."""

    def __init__(self, app):
        self.app = app

    def opts(self, plugin="po_allocation", **values):
        with self.app.app_context():
            apply_changes(plugin, values, user_id=None, source="test")
            db.session.commit()

    def ids(self) -> dict:
        with self.app.app_context():
            out = {p.number: p.id for p in db.session.scalars(sa.select(Partner))}
            out.update({i.code: i.id for i in db.session.scalars(sa.select(Item))})
            out.update({w.code: w.id for w in db.session.scalars(sa.select(Warehouse))})
            return out

    def set_stock(self, code, on_hand, wh="MAIN"):
        with self.app.app_context():
            from core.stock import locked_row

            k = self.ids()
            row = locked_row(k[code], k[wh])
            row.on_hand = D(on_hand)
            db.session.commit()

    def stock(self, code, wh="MAIN") -> tuple[Decimal, Decimal]:
        with self.app.app_context():
            k = self.ids()
            row = db.session.scalar(sa.select(StockLevel).where(StockLevel.item_id == k[code],
                                                                StockLevel.warehouse_id == k[wh]))
            return (row.on_hand, row.allocated) if row else (D(0), D(0))

    def po(self, lines, vendor="V2000", wh="MAIN", required=None, **header) -> tuple[int, list[int]]:
        """A PO: lines (item code, qty[, required date]); returns (po id, line ids)."""
        from plugins.purchase_order.services import create_purchase_order

        k = self.ids()
        with self.app.app_context():
            po = create_purchase_order(
                vendor_id=k[vendor], order_type=header.pop("order_type", "S"), warehouse_id=k[wh],
                required_date=required,
                lines=[{"item_id": k[code], "qty_ordered": D(qty), "unit_cost": D("1"),
                        "required_date": rest[0] if rest else None, **(rest[1] if len(rest) > 1 else {})}
                       for code, qty, *rest in lines], **header)
            db.session.commit()
            return po.id, [ln.id for ln in po.lines]

    def so(self, lines, customer="C1000", wh="MAIN", **header) -> int:
        """A new sales order through sales_order's service; lines (item code, qty[, extra])."""
        from plugins.sales_order.services import LineInput, OrderInput, save_order

        k = self.ids()
        inputs = [LineInput(item_id=k[code], qty_ordered=D(qty), index=i, **(rest[0] if rest else {}))
                  for i, (code, qty, *rest) in enumerate(lines)]
        with self.app.app_context():
            order, _ = save_order(OrderInput(customer_id=k[customer], lines=inputs, warehouse_id=k[wh], **header))
            db.session.commit()
            return order.id

    def links(self, **where) -> list[tuple]:
        """(so line no, PO number, PO line no, qty, filled) per link, sorted."""
        from plugins.po_allocation.models import PaLink
        from plugins.po_allocation.services import link_rows

        with self.app.app_context():
            conds = [getattr(PaLink, k) == v for k, v in where.items()]
            return sorted((r.so_line_no, r.po_number, r.po_line_no, r.qty, r.qty_filled) for r in link_rows(*conds))

    def line(self, so_id, line_no=1):
        from plugins.sales_order.models import SalesOrderLine

        with self.app.app_context():
            ln = db.session.scalar(sa.select(SalesOrderLine).where(SalesOrderLine.order_id == so_id,
                                                                   SalesOrderLine.line_no == line_no))
            return {k: getattr(ln, k) for k in ("id", "qty_ordered", "qty_to_ship", "qty_backordered",
                                                "qty_allocated", "qty_shipped", "qty_reserved")}

    def receive(self, po_id, quantities: dict) -> int:
        from plugins.purchase_order.services import post_receipt

        with self.app.app_context():
            posted = post_receipt(po_id, {k: D(v) for k, v in quantities.items()}, receipt_date=date(2026, 5, 10))
            db.session.commit()
            return posted.document.id

    def receive_failing(self, monkeypatch, module, name: str, po_id, quantities: dict) -> Exception:
        """Receive while the release step ``module.name(line, qty)`` raises: the receipt's failure
        (a HookError naming the plugin), after the session is rolled back."""
        from core.plugins import HookError

        def broken(line, qty):
            raise RuntimeError("disk full")

        monkeypatch.setattr(module, name, broken)
        with pytest.raises(HookError) as exc:
            self.receive(po_id, quantities)
        with self.app.app_context():
            db.session.rollback()
        return exc.value

    def give_back(self, po_id, quantities: dict) -> int:
        """A return to the vendor of received quantities (PO line id -> qty)."""
        from plugins.purchase_order.services import post_return

        with self.app.app_context():
            posted = post_return(po_id, {k: D(v) for k, v in quantities.items()}, return_date=date(2026, 5, 11))
            db.session.commit()
            return posted.document.id


@pytest.fixture
def pa(app, demo) -> PA:
    with app.app_context():
        host_of(app).set_enabled("po_allocation", True)
    helper = PA(app)
    helper.set_stock("BOLT-10", 0)
    helper.set_stock("GLOVES", 0)
    return helper
