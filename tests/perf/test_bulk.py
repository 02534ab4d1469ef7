"""The bulk layer batch generation writes through (core.bulk) and the incremental add of lines.

Counted, not timed: ids come back in row order without ``RETURNING``; Python-side defaults
are filled in; a look-up of thousands of numbers is one statement with one bound value;
adding lines to a PO loads none of its existing lines; combining looks only at the vendors
in question.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from core.bulk import among, insert_rows
from core.db import db
from core.models import Warehouse
from plugins.po_generation import links
from plugins.purchase_order import documents as docs
from plugins.purchase_order.documents import PurchaseOrderDraft as Draft
from plugins.purchase_order.documents import PurchaseOrderLineDraft as Line
from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderLine
from tests.purchase_order.helpers import ids


def test_insert_rows_returns_ids_in_row_order_and_fills_defaults(app):
    with app.app_context():
        db.session.add(Warehouse(code="W0", name="First", address="0 Road"))
        db.session.commit()
        db.session.execute(sa.delete(Warehouse).where(Warehouse.code == "W0"))  # ids are never reused
        db.session.commit()
        rows = [dict(code=f"W{i}", name=f"Warehouse {i}") for i in range(1, 40)]  # address: its default
        new_ids = insert_rows(Warehouse.__table__, rows)
        db.session.commit()
        stored = dict(db.session.execute(sa.select(Warehouse.id, Warehouse.code)).all())
        assert [stored[i] for i in new_ids] == [r["code"] for r in rows]
        assert db.session.scalar(sa.select(Warehouse.address).where(Warehouse.code == "W7")) == ""
        assert insert_rows(Warehouse.__table__, []) == []


def test_number_look_up_is_one_statement_with_one_bound_value(app, demo, count_queries):
    seen: list[int] = []

    def listen(_c, _cur, statement, parameters, _ctx, _many):
        if "po_order" in statement:
            seen.append(len(parameters))

    with app.app_context():
        numbers = [f"{n:07d}" for n in range(6000)]
        sa.event.listen(db.engine, "before_cursor_execute", listen)
        try:
            with count_queries() as n:
                assert docs.po_numbers_in_use(numbers) == set()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listen)
        assert n.count == 1 and seen == [1]  # was two IN lists of 5,000 and 1,000 parameters
        ids_ = [1, 2, 3]
        assert db.session.scalars(sa.select(PurchaseOrder.id).where(among(PurchaseOrder.id, ids_))).all() == []


def test_adding_lines_to_a_po_loads_none_of_its_lines(app, demo):
    with app.app_context():
        k = ids()
        draft = Draft(vendor_id=k["V2000"], lines=[Line(item_id=k["BOLT-10"], qty=Decimal(1)) for _ in range(60)])
        docs.create_purchase_orders([draft])
        db.session.commit()
        db.session.expunge_all()
        added = [Line(item_id=k["GLOVES"], qty=Decimal(2)), Line(item_id=k["BOLT-10"], qty=Decimal(3))]
        new_ids = docs.add_lines_bulk({draft.po_id: added})
        loaded = [o for o in db.session.identity_map.values() if isinstance(o, PurchaseOrderLine)]
        assert loaded == []  # the old code loaded (and locked) all 60 lines to number two more
        assert [ln.line_no for ln in added] == [61, 62]
        db.session.commit()
        numbers = db.session.execute(sa.select(PurchaseOrderLine.id, PurchaseOrderLine.line_no)
                                     .where(PurchaseOrderLine.id.in_(new_ids))).all()
        assert sorted(no for _, no in numbers) == [61, 62]


def test_combining_reads_open_pos_of_the_vendors_in_question_only(app, demo):
    with app.app_context():
        k = ids()
        mine = Draft(vendor_id=k["V2000"], lines=[Line(item_id=k["BOLT-10"], qty=Decimal(1)) for _ in range(3)])
        other = Draft(vendor_id=k["V2001"], lines=[Line(item_id=k["GLOVES"], qty=Decimal(1))])
        docs.create_purchase_orders([mine, other])
        db.session.commit()
        found = links.open_standard_pos([k["V2000"]])
        assert [(po.id, po.last_line_no) for po in found.values()] == [(mine.po_id, 3)]
        assert links.open_standard_pos([]) == {}
