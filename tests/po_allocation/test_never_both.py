"""Never both, and the questions our dependencies ask of bridges: ``sales_order_line_supply``
(declared by sales_order) and ``purchase_line_demand`` (declared by purchase_order).

A line another bridge names as supplied is not allocated again; ours runs first on a new
order, so po_generation's generate-on-save sees the allocation through the supply hook.
"""

from __future__ import annotations

import pytest

from core.db import db
from core.plugins import host_of

from .conftest import D


@pytest.fixture
def declared_app(pa, app_factory, monkeypatch):
    """An app with a second bridge (tests/po_allocation/other_bridge.py) answering the supply hook."""
    import core.plugins

    from . import other_bridge

    monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, "other_bridge", "tests.po_allocation.other_bridge")
    monkeypatch.setattr(other_bridge, "SUPPLIED", {})
    app = app_factory()
    host = host_of(app)
    assert {"po_allocation", "other_bridge"} <= set(host.plugins), host.failed
    with app.app_context():
        assert host.is_enabled("other_bridge")
    pa.app = app
    return app


def _supplied(line_no_to_words: dict) -> None:
    from . import other_bridge

    other_bridge.SUPPLIED.update(line_no_to_words)


def test_a_line_another_bridge_supplies_is_not_allocated(declared_app, pa):
    _supplied({1: "PO 0100001 line 1"})
    pa.po([("BOLT-10", 10), ("GLOVES", 10)])
    so_id = pa.so([("BOLT-10", 6), ("GLOVES", 1)])
    assert [(r[0], r[3]) for r in pa.links(so_id=so_id)] == [(2, D(1))]


def test_manual_assignment_refused_for_a_line_another_bridge_supplies(declared_app, pa):
    from core.errors import ValidationError
    from plugins.po_allocation.services import assign_line

    _, (pl,) = pa.po([("BOLT-10", 10)])
    pa.opts(allocate_on_entry=False)
    so_id = pa.so([("BOLT-10", 6)])
    _supplied({1: "PO 0100009 line 1"})
    with declared_app.app_context(), pytest.raises(ValidationError) as exc:
        assign_line(pa.line(so_id)["id"], {pl: D(2)})
    assert "already covered" in str(exc.value)


def test_supply_hook_names_our_lines_in_words(declared_app, pa):
    from plugins.purchase_order.models import PurchaseOrder
    from plugins.sales_order.models import SalesOrder

    po_id, _ = pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 6), ("GLOVES", 1)])
    with declared_app.app_context():
        order = db.session.get(SalesOrder, so_id)
        answers = host_of(declared_app).hook.sales_order_line_supply(lines=list(order.lines))
        number = db.session.get(PurchaseOrder, po_id).number
        bolt = order.lines[0].id
    assert {bolt: [f"PO {number} line 1 (back order 6 allocated)"]} in answers


def test_demand_hook_lists_waiting_lines_as_plain_values(declared_app, pa):
    _, (pl,) = pa.po([("BOLT-10", 10)])
    so_id = pa.so([("BOLT-10", 6)], customer="C1002")
    k = pa.ids()
    with declared_app.app_context():
        answers = host_of(declared_app).hook.purchase_line_demand(po_line_ids=[pl])
    # po_generation answers too (nothing: it did not buy this line); ours names the waiting line
    answer = [row for rows in answers for row in rows]
    assert answer == [{"po_line_id": pl, "so_line_id": pa.line(so_id)["id"], "order_number": answer[0]["order_number"],
                       "customer_id": k["C1002"], "item_code": "BOLT-10",
                       "description": "Hex bolt M10 (box of 50)", "qty": D(6)}]


def test_allocation_runs_before_po_generation_in_the_same_save(pa, app):
    impls = [i.plugin_name for i in host_of(app).pm.hook.on_sales_order_saved.get_hookimpls()]
    # pluggy calls the last of this list first: ours must come after po_generation's
    assert impls.index("po_allocation") > impls.index("po_generation")
